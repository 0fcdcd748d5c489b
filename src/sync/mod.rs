//! Applying what a store sent to the database: upserts that never move a record backwards,
//! and quarantine for records that cannot be parsed.

pub mod apply;
pub mod content_hash;
pub mod stored;
pub mod upsert;

pub use apply::{Applied, apply_records};
