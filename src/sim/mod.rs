//! A simulated WooCommerce 10 store for the tests, the demo and `woosync sim`: the same
//! JSON, headers, errors and auth rules as a real store (see `../shared/woocommerce/`),
//! generated data at any size, webhooks, a control API and fault injection.

pub mod api;
pub mod auth;
pub mod compare;
pub mod control;
pub mod data;
pub mod error;
pub mod faults;
pub mod generate;
pub mod listing;
pub mod routes;
pub mod server;
pub mod store;
pub mod webhooks;
