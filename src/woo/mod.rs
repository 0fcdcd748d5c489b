//! Talking to WooCommerce: the resources, and the records a store sends.

pub mod auth;
pub mod body;
pub mod client;
pub mod error;
pub mod lenient;
pub mod listed;
pub mod page_memory;
pub mod public_address;
pub mod rate_limit;
pub mod records;
pub mod response;
pub mod tls;

pub use error::WooError;
pub use woocommerce::{Resource, UnknownResource};
