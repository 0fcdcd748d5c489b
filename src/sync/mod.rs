//! Applying what a store sent to the database: upserts that never move a record backwards,
//! and quarantine for records that cannot be parsed.

pub mod apply;
pub mod changes;
pub mod content_hash;
pub mod copy_in;
pub mod group_commit;
pub mod outbox;
pub mod quarantine;
pub mod rows;
pub mod run_children;
pub mod runs;
pub mod served;
pub mod stored;
pub mod sweep_comparison;
pub mod sweep_listing;
pub mod tombstone;
pub mod upsert;
pub mod write_txn;

pub use apply::{Applied, Origin, PreparedRecords, RecordsWrite};
pub use runs::RunKind;
pub use write_txn::WriteTxn;
