//! `ReconcileSweep`: the store's ids and modified dates only (`_fields`), compared with
//! what is kept. What is missing or newer upstream is fetched by `include=`; what the store
//! no longer lists is asked for by id once more, and marked deleted if the store does not
//! have it. It ends backfills (offset paging misses records when others are deleted
//! mid-run), is how customers are synced incrementally (they have no modified filter), and
//! runs hourly to catch deletions no webhook reported; the scheduled one also fetches again
//! the variations and refunds their parents list but the database lacks.
//!
//! A sweep progresses page by page: each page of ids is kept as it arrives
//! (`sync::sweep_listing`) and each page of records written as it arrives, so an attempt
//! that meets a failing request leaves what it did to the next, which does only the rest.
//! An attempt that got somewhere is postponed rather than counted against the job's
//! attempts: on a store failing a third of its requests a sweep still ends.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pipeline::children::{children_steps, prepare_with_children};
use crate::pipeline::context::{ActiveStore, Context};
use crate::pipeline::failpoint;
use crate::pipeline::failure::stopping_status;
use crate::queue::job::{Job, JobError};
use crate::queue::waiting::waiting;
use crate::sync::run_children::{self, WantedChildren};
use crate::sync::runs::{self, RunKind};
use crate::sync::stored::parents_missing_children;
use crate::sync::sweep_comparison::{Comparison, compare, parts_for};
use crate::sync::sweep_listing::{self, Listed, ListedPage};
use crate::sync::tombstone::tombstone_ids;
use crate::sync::{Applied, Origin, RecordsWrite};
use crate::woo::client::{ListQuery, MAX_PER_PAGE};
use crate::woo::lenient::parse_gmt;
use crate::woo::listed::ListedRecord;
use crate::woo::{Resource, WooError};

/// Requests of a sweep in flight at once: a sweep holds one worker slot and waits out the
/// store's rate budget inside it, as it needs the whole listing before it can compare.
const SWEEP_CONCURRENCY: usize = 32;

/// How long a sweep that got somewhere waits before it goes on, when the store did not say.
const GO_ON_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcileSweep {
    pub store_id: i64,
    pub resource: Resource,
    pub run_id: i64,
}

impl Job for ReconcileSweep {
    const NAME: &'static str = "reconcile_sweep";
    /// A run's sweep is what ends it: before the pages that wait behind it.
    const PRIORITY: i16 = 40;
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, resource = %self.resource, run = self.run_id)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let Some(run) = runs::find_run(&context.db, self.run_id).await? else {
            return Ok(());
        };
        if !runs::is_open(&run) {
            return Ok(());
        }
        let Some(active) = context.active_store(self.store_id).await? else {
            return Ok(());
        };
        let run = runs::mark_running(&context.db, &run).await?;
        let resource = self.resource;

        self.list_ids(&context, &active).await?;
        failpoint::reach("during_sweep");
        let pages = sweep_listing::listed(&context.db, run.id).await?;
        let listed_at = pages
            .iter()
            .map(|page| page.listed_at)
            .min()
            .unwrap_or_else(Utc::now);
        let listed: Vec<Listed> = pages.into_iter().flat_map(|page| page.records).collect();
        let parts = parts_for(listed.len());
        let Comparison { wanted, gone } = compare(
            &context.db,
            self.store_id,
            resource,
            listed,
            listed_at,
            parts,
        )
        .await?;

        // What is missing or newer is fetched; what the store no longer lists is asked for
        // once more (paging by offset skips a record when an earlier one is deleted between
        // two pages), and only what it does not have is marked deleted.
        let mut attempt = Attempt::default();
        let (fetched, _) = self
            .fetch_by_id(&context, &active, &wanted, run.emits_events, &mut attempt)
            .await?;
        let (fetched_again, still_there) = self
            .fetch_by_id(&context, &active, &gone, run.emits_events, &mut attempt)
            .await?;
        attempt.end(&context, self.store_id).await?;
        let gone: Vec<i64> = gone
            .into_iter()
            .filter(|id| !still_there.contains(id))
            .collect();
        tombstone_ids(
            &context.db,
            self.store_id,
            resource,
            &gone,
            run.emits_events,
        )
        .await?;
        if !gone.is_empty() {
            tracing::info!(store = self.store_id, %resource, gone = gone.len(), "records gone upstream marked deleted");
        }
        self.fetch_orphaned_children(&context, &run).await?;
        runs::listing_finished(&context.db, &run, fetched.written + fetched_again.written).await?;
        Ok(())
    }

    async fn failed(self, context: Context, error: String) {
        let _ = runs::record_error(&context.db, self.run_id, &error, true).await;
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("sweep:{}", self.run_id))
    }
}

/// What an attempt did: whether it got anywhere, and the first failure it met.
#[derive(Default)]
struct Attempt {
    progressed: bool,
    failure: Option<WooError>,
}

impl Attempt {
    fn failed(&mut self, error: WooError) {
        self.failure.get_or_insert(error);
    }

    /// Ok when nothing failed; else how the job ends: postponed when it got somewhere
    /// (what it did is kept), failed through the queue's backoff when it did not, and the
    /// store stopped for a failure no retry can fix.
    async fn end(self, context: &Context, store_id: i64) -> Result<(), JobError> {
        match self.failure {
            None => Ok(()),
            Some(error) if self.progressed && stopping_status(&error).is_none() => {
                tracing::info!(store = store_id, %error, "sweep goes on with what failed");
                Err(JobError::Postpone {
                    after: error.retry_after().unwrap_or(GO_ON_AFTER),
                })
            }
            Some(error) => Err(context.woo_failure(store_id, error).await),
        }
    }
}

impl ReconcileSweep {
    fn ids_query(&self, page: u32) -> ListQuery {
        ListQuery {
            page: Some(page),
            per_page: Some(MAX_PER_PAGE),
            orderby: Some("id"),
            order: Some("asc"),
            fields: Some(if self.resource.has_modified_date() {
                "id,date_modified_gmt".into()
            } else {
                "id".into()
            }),
            ..ListQuery::default()
        }
    }

    /// One page of ids, kept.
    async fn list_page(
        &self,
        context: &Context,
        active: &ActiveStore,
        page: u32,
    ) -> Result<ListedPage, WooError> {
        let listed_at = Utc::now();
        let answer = waiting(
            active
                .client
                .list_page_patiently(&self.resource.collection_path(0), &self.ids_query(page)),
        )
        .await?;
        let full = answer.items.len() >= MAX_PER_PAGE as usize;
        let listed = ListedPage {
            page,
            total_pages: answer
                .info
                .total_pages
                .map(|pages| u32::try_from(pages).unwrap_or(u32::MAX)),
            full,
            listed_at,
            records: answer.items.into_iter().filter_map(id_and_date).collect(),
        };
        sweep_listing::keep(&context.db, self.run_id, &listed)
            .await
            .map_err(|error| WooError::Transient {
                detail: format!("keeping a listed page: {error}"),
            })?;
        Ok(listed)
    }

    /// Lists every page of ids not listed yet: those the store said it has, many at once,
    /// then on from the last while pages come back full (hosts strip or miscount the
    /// paging headers). Ends the job (postponed, or failed) if a page failed.
    async fn list_ids(&self, context: &Context, active: &ActiveStore) -> Result<(), JobError> {
        let mut attempt = Attempt::default();
        let mut kept = sweep_listing::listed_pages(&context.db, self.run_id).await?;
        if !kept.iter().any(|(page, ..)| *page == 1) {
            match self.list_page(context, active, 1).await {
                Ok(first) => {
                    attempt.progressed = true;
                    kept.push((1, first.total_pages, first.full));
                }
                Err(error) => return Err(context.woo_failure(self.store_id, error).await),
            }
        }
        let said = kept
            .iter()
            .find(|(page, ..)| *page == 1)
            .and_then(|(_, total, _)| *total)
            .unwrap_or(1);
        let done: HashSet<u32> = kept.iter().map(|(page, ..)| *page).collect();
        let missing: Vec<u32> = (2..=said).filter(|page| !done.contains(page)).collect();
        let mut pages = stream::iter(missing)
            .map(|page| self.list_page(context, active, page))
            .buffer_unordered(SWEEP_CONCURRENCY);
        while let Some(listed) = pages.next().await {
            match listed {
                Ok(listed) => {
                    attempt.progressed = true;
                    kept.push((listed.page, listed.total_pages, listed.full));
                }
                Err(error) => attempt.failed(error),
            }
        }
        drop(pages);
        if attempt.failure.is_none() {
            // Past the pages the store said: on while the last came back full.
            let mut last = kept.iter().map(|(page, ..)| *page).max().unwrap_or(1);
            while kept.iter().any(|(page, _, full)| *page == last && *full) {
                match self.list_page(context, active, last + 1).await {
                    Ok(listed) => {
                        attempt.progressed = true;
                        kept.push((listed.page, listed.total_pages, listed.full));
                        last = listed.page;
                    }
                    Err(error) => {
                        attempt.failed(error);
                        break;
                    }
                }
            }
        }
        attempt.end(context, self.store_id).await
    }

    /// Fetches these records by id, a page at a time, each page written as it arrives;
    /// returns what writing them did and the ids the store listed. A page that fails is
    /// noted in `attempt`, and the others go on.
    async fn fetch_by_id(
        &self,
        context: &Context,
        active: &ActiveStore,
        ids: &[i64],
        emits_events: bool,
        attempt: &mut Attempt,
    ) -> Result<(Applied, HashSet<i64>), JobError> {
        let path = self.resource.collection_path(0);
        let (client, path, memory) = (&active.client, path.as_str(), &context.page_memory);
        let chunks: Vec<Vec<i64>> = ids
            .chunks(MAX_PER_PAGE as usize)
            .map(<[i64]>::to_vec)
            .collect();
        let mut pages = stream::iter(chunks)
            .map(|include| async move {
                let query = ListQuery {
                    per_page: Some(MAX_PER_PAGE),
                    include,
                    ..ListQuery::default()
                };
                waiting(client.list_page_holding_patiently(path, &query, memory)).await
            })
            .buffer_unordered(SWEEP_CONCURRENCY);
        let mut applied = Applied::default();
        let mut found = HashSet::new();
        while let Some(page) = pages.next().await {
            let (page, _room) = match page {
                Ok(page) => page,
                Err(error) => {
                    attempt.failed(error);
                    continue;
                }
            };
            let origin = Origin {
                store_id: self.store_id,
                resource: self.resource,
                parent_id: 0,
                run_id: Some(self.run_id),
                emits_events,
                revives: true,
            };
            found.extend(
                page.items
                    .iter()
                    .filter_map(|record| record.read::<RecordId>().ok())
                    .map(|record| record.id),
            );
            let records = prepare_with_children(context, &active.store, origin, page.items).await?;
            let page = context
                .writer
                .write(RecordsWrite(records))
                .await?
                .count_committed(self.resource);
            applied = applied.and(page);
            attempt.progressed = true;
        }
        Ok((applied, found))
    }

    /// Children lost on the way (their jobs lost with a queue, say) are fetched again by
    /// the scheduled sweeps; a backfill's own sweep would race its children still being
    /// fetched.
    async fn fetch_orphaned_children(
        &self,
        context: &Context,
        run: &entity::sync_runs::Model,
    ) -> Result<(), JobError> {
        if run.kind != RunKind::Sweep {
            return Ok(());
        }
        let orphaned = parents_missing_children(&context.db, self.store_id, self.resource).await?;
        if orphaned.is_empty() {
            return Ok(());
        }
        let child = match self.resource {
            Resource::Orders => Resource::OrderRefunds,
            _ => Resource::ProductVariations,
        };
        tracing::info!(store = self.store_id, resource = %self.resource, parents = orphaned.len(), "fetching children that are not all kept");
        let wanted = [WantedChildren {
            resource: child,
            parent_ids: orphaned,
        }];
        run_children::mark_wanted(&context.db, run.id, &wanted).await?;
        context
            .enqueue(children_steps(self.store_id, Some(run.id), &wanted))
            .await
    }
}

/// A record's id, read whatever else it holds (a record that cannot be parsed whole is
/// still there).
#[derive(Deserialize)]
struct RecordId {
    id: i64,
}

/// A record of an ids-only listing as its id and modified date.
fn id_and_date(record: Value) -> Option<Listed> {
    let id = record.get("id").and_then(Value::as_i64)?;
    let modified = record
        .get("date_modified_gmt")
        .and_then(Value::as_str)
        .and_then(|text| parse_gmt(text).ok().flatten());
    Some((id, modified))
}
