//! What the integration tests share: real servers started on free ports in temporary
//! directories, databases on both backends, the captured WooCommerce responses.

pub mod app;
pub mod browser;
pub mod captures;
pub mod consumer;
pub mod database;
pub mod pipeline;
pub mod postgres;
pub mod process;
pub mod redis;
pub mod sim;
