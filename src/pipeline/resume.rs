//! Finding runs whose jobs were lost (a queue lost with Redis, a crash between a commit and
//! an enqueue that no job will repeat) and giving them their missing jobs again, from what
//! the database marks done, with the children it still wants. Re-enqueued jobs are
//! de-duplicated against live ones, and a page already written is not fetched again, so
//! resuming a run that was only slow costs at most the children fetched again.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;

use super::children::children_steps;
use super::context::Context;
use super::start::{first_step, listing_done, page_step};
use crate::queue::job::JobError;
use crate::queue::storage::JobState;
use crate::sync::run_children;
use crate::sync::runs::{self, RunKind, RunStatus};

/// Resumes runs that showed no progress for `quiet_for`; returns how many.
pub async fn resume_quiet_runs(context: &Context, quiet_for: Duration) -> Result<usize, JobError> {
    let quiet_since = Utc::now() - chrono::Duration::from_std(quiet_for).unwrap_or_default();
    resume_runs(context, quiet_since, None).await
}

/// Resumes every live run of one store at once: the store was stopped (bad keys, paused)
/// and its jobs did nothing meanwhile.
pub async fn resume_store_runs(context: &Context, store_id: i64) -> Result<usize, JobError> {
    resume_runs(context, Utc::now(), Some(store_id)).await
}

async fn resume_runs(
    context: &Context,
    quiet_since: chrono::DateTime<Utc>,
    store_id: Option<i64>,
) -> Result<usize, JobError> {
    let mut resumed = 0;
    for run in runs::quiet_runs(&context.db, quiet_since, store_id).await? {
        let Some(active) = context.active_store(run.store_id).await? else {
            continue;
        };
        let (kind, resource) = (run.kind, run.resource);
        let written: HashSet<u32> = runs::written_pages(&context.db, run.id)
            .await?
            .into_iter()
            .map(|(page, _)| page)
            .collect();
        if kind == RunKind::Sweep {
            context
                .enqueue(vec![first_step(&run, kind, resource)])
                .await?;
        } else {
            let total = run.pages_total.unwrap_or(1).max(1) as u32;
            let missing: Vec<_> = (1..=total)
                .filter(|page| !written.contains(page))
                .map(|page| page_step(&run, kind, resource, page))
                .collect();
            if missing.is_empty() {
                listing_done(context, &run).await?;
            } else {
                context.enqueue(missing).await?;
            }
        }
        // The children its written pages asked for may have been lost with the jobs.
        let wanted = run_children::still_wanted(&context.db, run.id).await?;
        context
            .enqueue(children_steps(active.store.id, Some(run.id), &wanted))
            .await?;
        tracing::info!(run = run.id, store = run.store_id, %resource, "resumed a quiet sync run");
        resumed += 1;
    }
    Ok(resumed)
}

/// Failed jobs resolved since: a job of `queues` in the failed set whose sync run has
/// succeeded anyway (its pages written by jobs the clock gave the run again, its children
/// by a later job) is taken out of the failed set, so that an operator is not left to
/// wonder about it. Returns how many.
pub async fn forget_resolved_failures(
    context: &Context,
    queues: &[&str],
) -> Result<usize, JobError> {
    /// The run a job of the pipeline belongs to, read from its payload.
    #[derive(serde::Deserialize)]
    struct OfRun {
        run_id: Option<i64>,
    }
    let queue = &context.queue;
    let mut forgotten = 0;
    for &name in queues {
        let failed = queue
            .list(name, JobState::Failed, 0, RESOLVED_AT_A_TIME)
            .await
            .map_err(|error| JobError::retry(error.to_string()))?;
        for job in failed {
            let Some(run_id) = serde_json::from_str::<OfRun>(&job.payload)
                .ok()
                .and_then(|of| of.run_id)
            else {
                continue;
            };
            let succeeded = runs::find_run(&context.db, run_id)
                .await?
                .is_some_and(|run| run.status == RunStatus::Succeeded);
            if succeeded && queue.discard(&job.id).await.is_ok() {
                tracing::info!(job = name, id = %job.id, run = run_id, "a failed job resolved by its run's success");
                forgotten += 1;
            }
        }
    }
    Ok(forgotten)
}

/// Failed jobs of a type looked at in one pass of the clock.
const RESOLVED_AT_A_TIME: usize = 1_000;
