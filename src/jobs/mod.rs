//! The jobs, one file each: a small serializable struct with one `run`, each taking one
//! step of keeping a store (`pipeline`). Every job is idempotent: running it twice leaves
//! the same database.

pub mod backfill_page;
pub mod deliver_events;
pub mod fetch_children;
pub mod incremental_page;
pub mod poll_store;
pub mod reconcile_sweep;
pub mod store_write;
pub mod webhook_delivery;

pub use backfill_page::BackfillPage;
pub use deliver_events::DeliverEvents;
pub use fetch_children::FetchChildren;
pub use incremental_page::IncrementalPage;
pub use poll_store::PollStore;
pub use reconcile_sweep::ReconcileSweep;
pub use store_write::StoreWrite;
pub use webhook_delivery::WebhookDelivery;

use crate::pipeline::Context;
use crate::pipeline::paging::RunPage;
use crate::pipeline::step::Step;
use crate::queue::registry::{JobTypes, Queues};
use crate::queue::storage::NewJob;
use crate::sync::runs::RunKind;

/// Every job type, handed to `types` (a runner registering them, a listing of queues).
pub fn each_type(types: &mut impl JobTypes<Context>) {
    types.add::<WebhookDelivery>();
    types.add::<StoreWrite>();
    types.add::<DeliverEvents>();
    types.add::<PollStore>();
    types.add::<ReconcileSweep>();
    types.add::<BackfillPage>();
    types.add::<IncrementalPage>();
    types.add::<FetchChildren>();
}

/// The queues of every job type, in the order a worker takes ready jobs (each type's
/// `PRIORITY`).
pub fn queues() -> Vec<&'static str> {
    let mut queues = Queues::default();
    each_type(&mut queues);
    queues.in_order()
}

/// The jobs that take a step of the pipeline.
pub fn jobs_for(step: Step) -> Vec<NewJob> {
    match step {
        Step::Page {
            store_id,
            resource,
            run_id,
            kind,
            page,
        } => {
            let page = RunPage {
                store_id,
                resource,
                run_id,
                page,
            };
            vec![match kind {
                RunKind::Incremental => NewJob::of(&IncrementalPage(page)),
                RunKind::Backfill | RunKind::Sweep => NewJob::of(&BackfillPage(page)),
            }]
        }
        Step::Sweep {
            store_id,
            resource,
            run_id,
        } => vec![NewJob::of(&ReconcileSweep {
            store_id,
            resource,
            run_id,
        })],
        Step::Children {
            store_id,
            resource,
            run_id,
            parent_ids,
        } => FetchChildren::jobs(store_id, resource, run_id, &parent_ids),
    }
}
