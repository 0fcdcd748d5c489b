//! Talking to WooCommerce: the resources, and the records a store sends.

pub mod lenient;
pub mod records;
pub mod resource;

pub use resource::Resource;
