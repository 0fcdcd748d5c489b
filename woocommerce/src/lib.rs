//! The WooCommerce REST API v3 as woosync and its simulated store both know it: the
//! resources, their collections, which are listed under a parent or whole, and how a
//! client authenticates. What each side does with them is its own (a misreading shared by
//! both would pass every test).

mod auth;
pub mod params;
mod resource;

pub use auth::{AuthMode, SignatureMethod};
pub use resource::{Resource, UnknownResource};
