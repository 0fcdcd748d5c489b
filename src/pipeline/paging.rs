//! A page of a run's listing, shared by `BackfillPage` and `IncrementalPage`: fetch it,
//! hand its children to `FetchChildren`, write its rows and its done-mark in one
//! transaction, then enqueue what follows (the first page enqueues the others as soon as
//! it has them: the store says how many there are). Every step is safe to repeat, so a
//! job run again after a crash at any instant neither loses nor doubles a page.

use chrono::Utc;
use entity::{sync_checkpoints, sync_runs};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};

use super::children::prepare_with_children;
use super::context::{ActiveStore, Context};
use super::failpoint;
use super::start::{listing_done, page_step};
use crate::queue::job::JobError;
use crate::queue::waiting::waiting;
use crate::sync::Origin;
use crate::sync::runs::{self, FetchedPage, RunKind};
use crate::sync::tombstone::{Identities, Missing};
use crate::woo::Resource;
use crate::woo::client::{ListQuery, MAX_PER_PAGE};

/// Which page of which run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPage {
    pub store_id: i64,
    pub resource: Resource,
    pub run_id: i64,
    /// 1-based.
    pub page: u32,
}

impl RunPage {
    pub fn span(&self, job: &'static str) -> tracing::Span {
        tracing::info_span!(
            "job",
            job,
            store = self.store_id,
            resource = %self.resource,
            run = self.run_id,
            page = self.page
        )
    }

    pub fn dedupe_key(&self) -> String {
        format!("page:{}:{}", self.run_id, self.page)
    }
}

pub async fn run_page(context: &Context, job: &RunPage) -> Result<(), JobError> {
    let Some(run) = runs::find_run(&context.db, job.run_id).await? else {
        return Ok(());
    };
    if !runs::is_open(&run) {
        return Ok(());
    }
    let Some(store) = context.active_store(job.store_id).await? else {
        return Ok(());
    };
    let kind = run.kind;
    let written = sync_checkpoints::Entity::find_by_id((run.id, i64::from(job.page)))
        .one(&context.db)
        .await?;
    let (run, full, rest_enqueued) = match written {
        // Written before a crash or by another worker: only what follows is left to do.
        Some(checkpoint) => (run, checkpoint.records >= i64::from(MAX_PER_PAGE), false),
        None => {
            let (run, full) = fetch_and_write(context, &store, run, kind, job).await?;
            (run, full, job.page == 1)
        }
    };

    let total = run.pages_total.unwrap_or(1).max(1) as u32;
    let next: Vec<u32> = match job.page {
        1 if rest_enqueued => Vec::new(),
        1 => (2..=total).collect(),
        page if full && page + 1 == total => vec![total],
        _ => Vec::new(),
    };
    enqueue_paced(context, &store, &run, job.resource, next).await?;
    if runs::all_pages_written(&run) && runs::needs_sweep(&run) {
        listing_done(context, &run).await?;
    } else if run.listed_at.is_some() && runs::is_open(&run) {
        // The last page ended the listing but children were wanted as it wrote: looked at
        // again after its commit, as their writer looks after its own, so that whichever
        // commits last sees both.
        runs::finish_if_complete(&context.db, run.id).await?;
    }
    Ok(())
}

async fn fetch_and_write(
    context: &Context,
    active: &ActiveStore,
    run: sync_runs::Model,
    kind: RunKind,
    job: &RunPage,
) -> Result<(sync_runs::Model, bool), JobError> {
    let resource = job.resource;
    let query = listing_query(&run, kind, resource, job.page);
    // The run's start time bounds what it saw: the earliest of its pages' requests.
    let listed_at = Utc::now();
    let listed = waiting(active.client.list_page_holding(
        &resource.collection_path(0),
        &query,
        &context.page_memory,
    ))
    .await;
    // The room is held until the page is written.
    let (listed, _room) = match listed {
        Ok(listed) => listed,
        Err(error) => return Err(context.woo_failure(job.store_id, error).await),
    };
    let count = listed.items.len();
    let whole = resource.listed_whole()
        || (kind == RunKind::Backfill
            && job.page == 1
            && count < MAX_PER_PAGE as usize
            && listed.info.total_pages.is_none_or(|pages| pages <= 1));
    let full = !whole && count >= MAX_PER_PAGE as usize;
    let total_pages = if whole {
        Some(1)
    } else {
        listed
            .info
            .total_pages
            .map(|pages| pages.min(u64::from(u32::MAX)) as u32)
    };
    if job.page == 1 {
        // The other pages go on the queue before this one is parsed and written, so that
        // other workers fetch them meanwhile: at the start of a backfill nothing else
        // waits. Should this page's write fail, its job runs again, and those pages'
        // jobs, idempotent, find what is already written.
        let last = runs::pages_at_least(1, total_pages, full);
        enqueue_paced(context, active, &run, resource, (2..=last).collect()).await?;
    }
    let missing = if whole {
        let upstream = Identities::of(resource, &listed.items);
        Some(Missing::find(&context.db, job.store_id, resource, &upstream, listed_at).await?)
    } else {
        None
    };
    let origin = Origin {
        store_id: job.store_id,
        resource,
        parent_id: 0,
        run_id: Some(run.id),
        emits_events: run.emits_events,
        revives: true,
    };
    let records = prepare_with_children(context, &active.store, origin, listed.items).await?;
    failpoint::reach("before_page_commit");
    let progress = runs::write_page(
        &context.writer,
        &run,
        resource,
        FetchedPage {
            page: job.page,
            listed: count,
            records,
            total_pages,
            full,
            whole: missing,
            requested_at: listed_at,
        },
    )
    .await?;
    failpoint::reach("after_page_commit");
    Ok((progress.run, full))
}

/// Pages of a run due at once, before the store's rate limit paces the rest.
const PAGES_AT_ONCE: u32 = 8;

/// Queues these pages of a run, each due when the store's rate limit could first take it:
/// a store with thousands of pages then has only what its budget allows waiting on the
/// queue, and no other store's first page stands behind the rest. An unthrottled store's
/// pages are all due at once.
async fn enqueue_paced(
    context: &Context,
    active: &ActiveStore,
    run: &sync_runs::Model,
    resource: Resource,
    pages: Vec<u32>,
) -> Result<(), JobError> {
    let now = Utc::now();
    let seconds_a_page = 1.0 / active.store.rate_limit_per_s.max(0.001);
    let jobs = pages
        .into_iter()
        .flat_map(|page| {
            let waiting = page.saturating_sub(1 + PAGES_AT_ONCE);
            let due = now
                + chrono::Duration::milliseconds(
                    (f64::from(waiting) * seconds_a_page * 1e3) as i64,
                );
            (context.jobs)(page_step(run, run.kind, resource, page))
                .into_iter()
                .map(move |job| if waiting > 0 { job.at(due) } else { job })
        })
        .collect();
    context.enqueue_jobs(jobs).await
}

/// Backfills page by id, the one order in which offset paging is stable; incremental runs
/// with a `since` list what changed since, oldest change first.
fn listing_query(
    run: &sync_runs::Model,
    kind: RunKind,
    resource: Resource,
    page: u32,
) -> ListQuery {
    if resource.listed_whole() {
        return ListQuery::default();
    }
    let by_modified =
        kind == RunKind::Incremental && resource.has_modified_filter() && run.since.is_some();
    ListQuery {
        page: Some(page),
        per_page: Some(MAX_PER_PAGE),
        orderby: Some(if by_modified { "modified" } else { "id" }),
        order: Some("asc"),
        modified_after: if by_modified { run.since } else { None },
        ..ListQuery::default()
    }
}
