//! What a job is doing when its worker dies. A crash is charged to the jobs that were
//! running, not to those that only waited (on a store's answer, its rate budget, room for
//! a page): a worker holds dozens of those, and three kills charged to all of them made
//! healthy jobs poison pills. A job says when it waits with [`waiting`]; the worker notes
//! it in the queue for as long as the wait lasts.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::storage::Storage;

tokio::task_local! {
    static HOLDER: Holder;
}

/// The worker holding the job that runs on this task, and the job's delivery.
#[derive(Clone)]
pub struct Holder {
    pub storage: Arc<dyn Storage>,
    pub worker: Arc<str>,
    pub delivery: String,
    /// Waits under way at once (a sweep's pages): the job waits from the first to begin
    /// until the last ends.
    pub waits: Arc<AtomicUsize>,
}

/// Runs `job` as held by `holder`, so that its waits are noted.
pub async fn held_by<F: Future>(holder: Holder, job: F) -> F::Output {
    HOLDER.scope(holder, job).await
}

/// Awaits `future` with the job noted as waiting meanwhile (outside a job, it just awaits).
pub async fn waiting<F: Future>(future: F) -> F::Output {
    let Ok(holder) = HOLDER.try_with(Holder::clone) else {
        return future.await;
    };
    if holder.waits.fetch_add(1, Ordering::AcqRel) == 0 {
        mark(&holder, true).await;
    }
    let output = future.await;
    if holder.waits.fetch_sub(1, Ordering::AcqRel) == 1 {
        mark(&holder, false).await;
    }
    output
}

async fn mark(holder: &Holder, waiting: bool) {
    if let Err(error) = holder
        .storage
        .mark_waiting(&holder.worker, &holder.delivery, waiting)
        .await
    {
        tracing::debug!(%error, "a job's wait could not be noted");
    }
}
