//! The WooCommerce REST API v3 as woosync and its simulated store both know it: the
//! resources, their collections, and which are listed under a parent or whole. What each
//! side does with them is its own (a misreading shared by both would pass every test).

mod resource;

pub use resource::{Resource, UnknownResource};
