//! `ReconcileSweep`: the store's ids and modified dates only (`_fields`), compared with
//! what is kept. What is missing or newer upstream is fetched by `include=`; what the store
//! no longer lists is marked deleted. It ends backfills (offset paging misses records when
//! others are deleted mid-run), is how customers are synced incrementally (they have no
//! modified filter), and runs daily to catch deletions no webhook reported; the daily one
//! also fetches again the variations and refunds their parents list but the database lacks.

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::context::Context;
use super::failpoint;
use super::fetch_children::{FetchChildren, prepare_with_children};
use crate::queue::job::{Job, JobError};
use crate::sync::run_children::{self, WantedChildren};
use crate::sync::runs::{self, RunKind};
use crate::sync::stored::{each_stored_version, parents_missing_children};
use crate::sync::tombstone::tombstone_ids;
use crate::sync::{Origin, RecordsWrite};
use crate::woo::Resource;
use crate::woo::client::{ListQuery, MAX_PER_PAGE};
use crate::woo::lenient::parse_gmt;

/// Pages of a sweep in flight at once: a sweep holds one worker slot and waits out the
/// store's rate budget inside it, as it needs the whole listing before it can compare.
const SWEEP_CONCURRENCY: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcileSweep {
    pub store_id: i64,
    pub resource: Resource,
    pub run_id: i64,
}

impl Job for ReconcileSweep {
    const NAME: &'static str = "reconcile_sweep";
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
        let path = resource.collection_path(0);
        let listed_at = Utc::now();
        let ids_query = ListQuery {
            per_page: Some(MAX_PER_PAGE),
            orderby: Some("id"),
            order: Some("asc"),
            fields: Some(if resource.has_modified_date() {
                "id,date_modified_gmt".into()
            } else {
                "id".into()
            }),
            ..ListQuery::default()
        };
        // Each record as its id and modified date, kept as small as that.
        let id_and_date = |record: Value| -> Option<(i64, Option<DateTime<Utc>>)> {
            let id = record.get("id").and_then(Value::as_i64)?;
            let modified = record
                .get("date_modified_gmt")
                .and_then(Value::as_str)
                .and_then(|text| parse_gmt(text).ok().flatten());
            Some((id, modified))
        };
        let upstream = match active
            .client
            .list_all_in_parallel(&path, &ids_query, SWEEP_CONCURRENCY, id_and_date)
            .await
        {
            Ok(upstream) => upstream,
            Err(error) => return Err(context.woo_failure(self.store_id, error).await),
        };
        failpoint::reach("during_sweep");
        let Comparison { wanted, gone } =
            compare(&context.db, self.store_id, resource, upstream, listed_at).await?;

        let queries: Vec<ListQuery> = wanted
            .chunks(MAX_PER_PAGE as usize)
            .map(|ids| ListQuery {
                per_page: Some(MAX_PER_PAGE),
                include: ids.to_vec(),
                ..ListQuery::default()
            })
            .collect();
        // Each page written as it arrives, in whatever order: a sweep that finds a whole
        // store missing (a first sweep of customers, say) holds no more pages at once than
        // the worker's page memory allows.
        let (client, path, memory) = (&active.client, path.as_str(), &context.page_memory);
        let mut pages = stream::iter(queries)
            .map(move |query| async move {
                client
                    .list_page_holding_patiently(path, &query, memory)
                    .await
            })
            .buffer_unordered(SWEEP_CONCURRENCY);
        let mut written = 0;
        while let Some(page) = pages.next().await {
            let (page, _room) = match page {
                Ok(page) => page,
                Err(error) => return Err(context.woo_failure(self.store_id, error).await),
            };
            let origin = Origin {
                store_id: self.store_id,
                resource,
                parent_id: 0,
                run_id: Some(run.id),
            };
            let records =
                prepare_with_children(&context, &active.store, origin, page.items).await?;
            written += context
                .writer
                .write(RecordsWrite(records))
                .await?
                .count_committed(resource)
                .written;
        }

        tombstone_ids(&context.db, self.store_id, resource, &gone, Utc::now()).await?;
        if !gone.is_empty() {
            tracing::info!(store = self.store_id, %resource, gone = gone.len(), "records gone upstream marked deleted");
        }
        // Children lost on the way (their jobs lost with a queue, say) are fetched again by
        // the scheduled sweeps; a backfill's own sweep would race its children still being
        // fetched.
        let orphaned = if run.kind == RunKind::Sweep.as_str() {
            parents_missing_children(&context.db, self.store_id, resource).await?
        } else {
            Vec::new()
        };
        if !orphaned.is_empty() {
            let child = match resource {
                Resource::Orders => Resource::OrderRefunds,
                _ => Resource::ProductVariations,
            };
            tracing::info!(store = self.store_id, %resource, parents = orphaned.len(), "fetching children that are not all kept");
            let wanted = [WantedChildren {
                resource: child,
                parent_ids: orphaned,
            }];
            run_children::mark_wanted(&context.db, run.id, &wanted).await?;
            context
                .enqueue(FetchChildren::jobs_for(
                    self.store_id,
                    Some(run.id),
                    &wanted,
                ))
                .await?;
        }
        runs::listing_finished(&context.db, &run, written).await?;
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

/// What a sweep found by comparing the store's listing with what is kept.
struct Comparison {
    /// Listed and not kept, kept older, or kept as deleted: to be fetched.
    wanted: Vec<i64>,
    /// Kept, live and not listed, unless written since the listing (a webhook's record
    /// created after it): gone upstream.
    gone: Vec<i64>,
}

/// Walks the listing and the stored versions side by side, both in id order, so that
/// neither is held in a map: for 82,500 orders the map and the set of listed ids were
/// the worker's peak of memory.
async fn compare(
    db: &DatabaseConnection,
    store_id: i64,
    resource: Resource,
    listed: Vec<Option<(i64, Option<DateTime<Utc>>)>>,
    listed_at: DateTime<Utc>,
) -> Result<Comparison, JobError> {
    let mut listed: Vec<(i64, Option<DateTime<Utc>>)> = listed.into_iter().flatten().collect();
    // A record edited while the store was paging may be listed twice: its newest date
    // counts.
    listed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    listed.dedup_by_key(|(id, _)| *id);
    let mut comparison = Comparison {
        wanted: Vec::new(),
        gone: Vec::new(),
    };
    let mut next = listed.iter().peekable();
    each_stored_version(db, store_id, resource, |id, kept| {
        while let Some((listed_id, _)) = next.next_if(|(listed_id, _)| *listed_id < id) {
            comparison.wanted.push(*listed_id);
        }
        match next.next_if(|(listed_id, _)| *listed_id == id) {
            Some((_, modified)) if kept.behind(*modified) => comparison.wanted.push(id),
            Some(_) => {}
            None if !kept.deleted && kept.synced_at < listed_at => comparison.gone.push(id),
            None => {}
        }
    })
    .await?;
    comparison.wanted.extend(next.map(|(id, _)| *id));
    Ok(comparison)
}
