//! The job queue: storage on Redis (any number of worker processes) or in the embedded
//! SQLite database (one process), the same API over both for enqueueing, running, and the
//! operations the dashboard and the CLI need.

pub mod backend;
pub mod backoff;
pub mod batcher;
pub mod job;
pub mod redis;
pub mod registry;
pub mod runner;
pub mod sqlite;
pub mod storage;
pub mod waiting;
