//! Starting a sync run and moving it from one phase to the next: its first job, its pages,
//! and what follows its last page.

use entity::sync_runs;
use sea_orm::DbErr;

use super::context::{Context, SyncContext};
use super::step::Step;
use crate::queue::job::JobError;
use crate::sync::runs::{self, RunKind};
use crate::sync::stored::live_record_counts;
use crate::woo::{Resource, UnknownResource};

/// What a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Backfill,
    Incremental,
    /// An ID sweep: ids and modified dates, fetching what is missing or newer.
    Sweep,
    /// A backfill the first time, incremental after.
    Auto,
}

#[derive(Debug, thiserror::Error)]
#[error("unknown mode `{0}`: backfill, incremental, sweep or auto")]
pub struct UnknownMode(String);

impl std::str::FromStr for SyncMode {
    type Err = UnknownMode;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "backfill" => Ok(SyncMode::Backfill),
            "incremental" => Ok(SyncMode::Incremental),
            "sweep" => Ok(SyncMode::Sweep),
            "auto" => Ok(SyncMode::Auto),
            other => Err(UnknownMode(other.to_string())),
        }
    }
}

/// The resources a sync of `name` covers: one resource, `inventory` (the products, with
/// their variations), or `all` the top-level ones.
pub fn resources_named(name: &str) -> Result<Vec<Resource>, UnknownResource> {
    match name {
        "all" => Ok(Resource::TOP_LEVEL.to_vec()),
        "inventory" => Ok(vec![Resource::Products]),
        name => name.parse::<Resource>().map(|resource| vec![resource]),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{child} is synced with its parent {parent}")]
    Child { child: Resource, parent: Resource },
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("the queue refused the run's first job: {0}")]
    Queue(String),
}

/// A run started, or the one already under way.
#[derive(Debug, Clone)]
pub struct StartedRun {
    pub run: sync_runs::Model,
    pub new: bool,
}

/// Starts a run of a store's resource, unless one is under way (then that one is
/// returned), and enqueues its first job.
pub async fn start_sync(
    context: &SyncContext,
    store_id: i64,
    resource: Resource,
    mode: SyncMode,
) -> Result<StartedRun, StartError> {
    if let Some(parent) = resource.parent() {
        return Err(StartError::Child {
            child: resource,
            parent,
        });
    }
    if let Some(live) = runs::live_run(&context.db, store_id, resource).await? {
        return Ok(StartedRun {
            run: live,
            new: false,
        });
    }
    let (kind, since) = plan(context, store_id, resource, mode).await?;
    let (run, new) = runs::start_run(&context.db, store_id, resource, kind, since).await?;
    if new {
        let jobs = (context.jobs)(first_step(&run, kind, resource));
        context
            .queue
            .enqueue(jobs)
            .await
            .map_err(|error| StartError::Queue(error.to_string()))?;
    }
    Ok(StartedRun { run, new })
}

/// What kind of run a mode makes of a resource, and since when it lists.
async fn plan(
    context: &SyncContext,
    store_id: i64,
    resource: Resource,
    mode: SyncMode,
) -> Result<(RunKind, Option<chrono::DateTime<chrono::Utc>>), DbErr> {
    let mode = match mode {
        SyncMode::Auto
            if runs::has_succeeded(&context.db, store_id, resource, Some(RunKind::Backfill))
                .await? =>
        {
            SyncMode::Incremental
        }
        SyncMode::Auto => SyncMode::Backfill,
        other => other,
    };
    Ok(match mode {
        SyncMode::Backfill | SyncMode::Auto => (RunKind::Backfill, None),
        // One answer holds the whole collection: listing it is the sweep.
        _ if resource.listed_whole() => (RunKind::Incremental, None),
        SyncMode::Sweep => (RunKind::Sweep, None),
        // Coupon amounts and limits are saved without moving the modified date: while
        // there are few, they are listed whole and compared by content at every poll.
        SyncMode::Incremental
            if resource == Resource::Coupons
                && kept(context, store_id, resource).await? <= COUPONS_LISTED_WHOLE_UP_TO =>
        {
            (RunKind::Incremental, None)
        }
        SyncMode::Incremental if resource.has_modified_filter() => {
            match runs::watermark(&context.db, store_id, resource).await? {
                Some(watermark) => {
                    let overlap = chrono::Duration::from_std(context.settings.modified_overlap)
                        .unwrap_or_default();
                    (RunKind::Incremental, Some(watermark - overlap))
                }
                None => (RunKind::Backfill, None),
            }
        }
        // No modified filter, but modified dates to compare: customers.
        SyncMode::Incremental if resource.has_modified_date() => (RunKind::Sweep, None),
        // Neither: the whole listing, compared by content hash as it is written.
        SyncMode::Incremental => (RunKind::Incremental, None),
    })
}

/// Coupons a poll lists whole, 5 pages, rather than only those with a newer modified date.
const COUPONS_LISTED_WHOLE_UP_TO: i64 = 500;

/// Live records of a store's resource.
async fn kept(context: &SyncContext, store_id: i64, resource: Resource) -> Result<i64, DbErr> {
    Ok(live_record_counts(&context.db, resource, Some(store_id))
        .await?
        .get(&store_id)
        .copied()
        .unwrap_or(0))
}

/// What a run does first: its first page, or for a sweep the sweep.
pub fn first_step(run: &sync_runs::Model, kind: RunKind, resource: Resource) -> Step {
    match kind {
        RunKind::Sweep => Step::Sweep {
            store_id: run.store_id,
            resource,
            run_id: run.id,
        },
        _ => page_step(run, kind, resource, 1),
    }
}

pub fn page_step(run: &sync_runs::Model, kind: RunKind, resource: Resource, page: u32) -> Step {
    Step::Page {
        store_id: run.store_id,
        resource,
        run_id: run.id,
        kind,
        page,
    }
}

/// Every page of a run's listing is written: the run ends, or, where the listing cannot
/// have seen deletions (`runs::needs_sweep`), a sweep ends it.
pub async fn listing_done(context: &Context, run: &sync_runs::Model) -> Result<(), JobError> {
    let resource = run.resource;
    if runs::needs_sweep(run) {
        context
            .enqueue(vec![first_step(run, RunKind::Sweep, resource)])
            .await
    } else {
        runs::listing_finished(&context.db, run, 0).await?;
        Ok(())
    }
}
