//! `PollStore`: what the clock enqueues for each active store: an incremental run of each
//! resource that changes with trade (a backfill the first time), or, on their schedules,
//! an ID sweep or a content refresh of every resource. A resource with a run under way is
//! left to it.

use serde::{Deserialize, Serialize};

use crate::pipeline::context::Context;
use crate::pipeline::start::{SyncMode, start_sync};
use crate::queue::job::{Job, JobError};
use crate::stores::learn_low_stock_amount;
use crate::woo::Resource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollStore {
    pub store_id: i64,
    #[serde(default)]
    pub kind: PollKind,
}

/// What a poll asks of every resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollKind {
    /// What changed since the last run in products, orders, customers and coupons (a
    /// backfill the first time).
    #[default]
    Changes,
    /// Ids and modified dates of everything: what is missing or newer is fetched, what is
    /// gone is marked deleted (deletions no webhook reported); what has no modified date
    /// (categories, tags, the store's settings) is listed whole.
    IdSweep,
    /// Every record listed again and written where its content changed: what WooCommerce
    /// changes without moving a modified date (coupon amounts, sales counts, the names of
    /// renamed categories inside products).
    Refresh,
}

impl PollKind {
    /// The resources this kind of poll covers, and how.
    fn runs(self) -> Vec<(Resource, SyncMode)> {
        match self {
            PollKind::Changes => Resource::TRADED
                .into_iter()
                .map(|resource| (resource, SyncMode::Auto))
                .collect(),
            // What carries no modified date is listed whole, so that an edit is seen too.
            PollKind::IdSweep => Resource::TOP_LEVEL
                .into_iter()
                .map(|resource| {
                    let mode = if resource.has_modified_date() {
                        SyncMode::Sweep
                    } else {
                        SyncMode::Auto
                    };
                    (resource, mode)
                })
                .collect(),
            PollKind::Refresh => Resource::TOP_LEVEL
                .into_iter()
                .map(|resource| (resource, SyncMode::Backfill))
                .collect(),
        }
    }
}

impl Job for PollStore {
    const NAME: &'static str = "poll_store";
    /// A poll finds what changed; it only enqueues, so it costs the listings little.
    const PRIORITY: i16 = 50;
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, kind = ?self.kind)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let Some(active) = context.active_store(self.store_id).await? else {
            return Ok(());
        };
        if self.kind != PollKind::Changes {
            // The threshold is a setting, changed without a webhook: read again with the
            // sweeps.
            learn_low_stock_amount(&context.db, self.store_id, &active.client).await?;
        }
        for (resource, mode) in self.kind.runs() {
            start_sync(&context, self.store_id, resource, mode)
                .await
                .map_err(|error| JobError::retry(error.to_string()))?;
        }
        Ok(())
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("poll:{}:{:?}", self.store_id, self.kind))
    }
}
