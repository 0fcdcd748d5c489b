//! Integration tests: real SQLite and Postgres databases, a real redis-server, the real binary.

mod support;

mod api;
mod captures;
mod cli;
mod dashboard;
mod feed;
mod group_commit;
mod migrations;
mod oauth1;
mod one_click;
mod pipeline;
mod quarantine;
mod queue;
mod rate_limit;
mod run_children;
mod secrets_at_rest;
mod sim_faults;
mod sim_store;
mod sim_writes;
mod sweep_comparison;
mod upserts;
mod woo_client;
mod writes;
