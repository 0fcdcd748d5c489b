//! The sync pipeline end to end: simulated store, real database, real queues.

mod backfill;
mod changes;
mod clock;
mod crashes;
mod failures;
mod scale;
