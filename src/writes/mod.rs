//! Writes to stores through the queue, exactly once: creates and updates of orders,
//! products, variations and customers, and stock set, each answered at once with a write
//! id and carried out by a `StoreWrite` job, the store's answer written into the copy in
//! the job's transaction (with its events).

pub mod ledger;
pub mod operation;
pub mod perform;
pub mod succeeded;

pub use operation::Operation;
