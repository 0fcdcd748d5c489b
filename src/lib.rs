//! woosync keeps a faithful, always-fresh copy of WooCommerce stores in a SQL database.

pub mod api;
pub mod bench;
pub mod clock;
pub mod config;
pub mod database;
pub mod demo;
pub mod feed;
pub mod jobs;
pub mod pipeline;
pub mod progress;
pub mod queue;
pub mod secrets;
pub mod services;
pub mod startup;
pub mod stores;
pub mod sync;
pub mod telemetry;
pub mod webhooks;
pub mod woo;
pub mod writes;
