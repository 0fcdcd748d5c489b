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

/// The queues of the pipeline, one per job type.
pub const QUEUES: [&str; 6] = [
    BackfillPage::NAME,
    IncrementalPage::NAME,
    ReconcileSweep::NAME,
    FetchChildren::NAME,
    WebhookDelivery::NAME,
    PollStore::NAME,
];

/// A runner for every job of the pipeline.
pub fn register_all(runner: Runner<Context>) -> Runner<Context> {
    runner
        .register::<BackfillPage>()
        .register::<IncrementalPage>()
        .register::<ReconcileSweep>()
        .register::<FetchChildren>()
        .register::<WebhookDelivery>()
        .register::<PollStore>()
}
