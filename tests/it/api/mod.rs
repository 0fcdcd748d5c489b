//! The web ingress, through HTTP against the running server.

mod access;
mod connect;
mod jobs;
mod leaks;
mod metrics;
mod openapi;
mod postgres;
mod quarantine;
mod read;
mod store_settings;
mod store_test;
mod sync;
mod webhook_fuzz;
mod webhooks;
