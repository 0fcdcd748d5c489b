//! The jobs of the sync pipeline, one file each: a small serializable struct with one
//! `run`. Every job is idempotent: running it twice leaves the same database.

pub mod backfill_page;
pub mod context;
pub mod failpoint;
pub mod failure;
pub mod fetch_children;
pub mod incremental_page;
pub mod paging;
pub mod poll_store;
pub mod reconcile_sweep;
pub mod resume;
pub mod start;
pub mod webhook_delivery;

pub use backfill_page::BackfillPage;
pub use context::{Context, SyncContext, SyncSettings};
pub use fetch_children::FetchChildren;
pub use incremental_page::IncrementalPage;
pub use poll_store::PollStore;
pub use reconcile_sweep::ReconcileSweep;
pub use start::{StartError, StartedRun, SyncMode, start_sync};
pub use webhook_delivery::WebhookDelivery;

use crate::queue::job::Job;
use crate::queue::runner::Runner;

/// The queues of the pipeline, one per job type, in the order a worker on Redis takes
/// ready jobs: a webhook's record and a poll first, as they are what keeps a copy fresh;
/// then the listings, a run's sweep before its pages, since it is what ends the run; a
/// parent's children last. Under a store's rate limit this ends a backfill with the
/// children, which a store answers in a fraction of the time a page of orders takes,
/// instead of with a sweep of orders that waited behind them.
pub const QUEUES: [&str; 6] = [
    WebhookDelivery::NAME,
    PollStore::NAME,
    ReconcileSweep::NAME,
    BackfillPage::NAME,
    IncrementalPage::NAME,
    FetchChildren::NAME,
];

/// A runner for every job of the pipeline, registered in the order of [`QUEUES`].
pub fn register_all(runner: Runner<Context>) -> Runner<Context> {
    runner
        .register::<WebhookDelivery>()
        .register::<PollStore>()
        .register::<ReconcileSweep>()
        .register::<BackfillPage>()
        .register::<IncrementalPage>()
        .register::<FetchChildren>()
}
