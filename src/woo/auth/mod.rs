//! How a request to a store proves who it is.

pub mod oauth1;
