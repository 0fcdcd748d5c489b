//! What the dashboard shows, read in one go.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{quarantined_records, stores};

use super::event_endpoints::{EndpointRow, endpoint_rows};
use super::writes::{WriteRows, write_rows};
use crate::api::error::ApiError;
use crate::api::jobs::{JobView, QueueView, list, queue_views};
use crate::api::state::ApiState;
use crate::api::sync_runs::{SyncRunView, views};
use crate::jobs;
use crate::queue::storage::JobState;
use crate::stores::all_stores;
use crate::sync::quarantine;
use crate::sync::runs::{last_synced, latest_runs};
use crate::sync::stored::live_record_counts;
use crate::webhooks::registration::subscriptions;
use crate::woo::Resource;

/// The resources whose counts a store's row shows.
pub const COUNTED: [Resource; 6] = [
    Resource::Products,
    Resource::ProductVariations,
    Resource::Orders,
    Resource::OrderRefunds,
    Resource::Customers,
    Resource::Coupons,
];

pub struct StoreRow {
    pub store: stores::Model,
    /// Live records per resource of [`COUNTED`].
    pub records: Vec<i64>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub webhooks: usize,
    pub webhooks_disabled: usize,
}

pub struct Summary {
    pub stores: Vec<StoreRow>,
    pub runs: Vec<SyncRunView>,
    pub queues: Vec<QueueView>,
    pub failed: Vec<JobView>,
    /// Records set aside, the newest, and how many there are in all.
    pub quarantined: Vec<quarantined_records::Model>,
    pub quarantined_total: u64,
    pub endpoints: Vec<EndpointRow>,
    pub writes: WriteRows,
}

pub async fn summary(state: &ApiState) -> Result<Summary, ApiError> {
    let db = &state.services.db;
    let mut counts: Vec<HashMap<i64, i64>> = Vec::with_capacity(COUNTED.len());
    for resource in COUNTED {
        counts.push(live_record_counts(db, resource, None).await?);
    }
    let webhooks = subscriptions(db, None).await?;
    let last_synced = last_synced(db).await?;
    let stores = all_stores(db)
        .await?
        .into_iter()
        .map(|store| {
            let own = webhooks
                .iter()
                .filter(|webhook| webhook.store_id == store.id);
            StoreRow {
                records: counts
                    .iter()
                    .map(|per_store| per_store.get(&store.id).copied().unwrap_or(0))
                    .collect(),
                last_synced_at: last_synced
                    .iter()
                    .filter(|(of, _, _)| *of == store.id)
                    .map(|(_, _, at)| *at)
                    .max(),
                webhooks: own.clone().count(),
                webhooks_disabled: own.filter(|webhook| webhook.status != "active").count(),
                store,
            }
        })
        .collect();
    let runs = views(db, latest_runs(db, 25).await?).await?;
    let (quarantined_total, quarantined) = quarantine::latest(db, 20).await?;
    let queue = state.services.queue.as_ref();
    Ok(Summary {
        stores,
        runs,
        quarantined,
        quarantined_total,
        queues: queue_views(queue).await?,
        failed: list(queue, &jobs::queues(), JobState::Failed, None, 0, 50).await?,
        endpoints: endpoint_rows(db).await?,
        writes: write_rows(db).await?,
    })
}
