//! A simulated WooCommerce 10 store for woosync's tests, demo, benchmarks and `woosync sim`:
//! the same JSON, headers, errors and auth rules as a real store (the captures in
//! `tests/fixtures/woocommerce`), generated data at any size, webhooks, a control API and
//! fault injection. It knows nothing of woosync: what it does, it does as WooCommerce.

pub mod api;
pub mod app_auth;
pub mod auth;
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
pub mod writes;
