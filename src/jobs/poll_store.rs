//! `PollStore`: what the clock enqueues for each active store: a run of every resource,
//! incremental (or a backfill the first time), or, on the sweep schedule, an ID sweep.
//! A resource with a run under way is left to it.

use serde::{Deserialize, Serialize};

use super::context::Context;
use super::start::{SyncMode, start_sync};
use crate::queue::job::{Job, JobError};
use crate::stores::learn_low_stock_amount;
use crate::woo::Resource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollStore {
    pub store_id: i64,
    /// An ID sweep of every resource instead of an incremental poll.
    #[serde(default)]
    pub sweep: bool,
}

impl Job for PollStore {
    const NAME: &'static str = "poll_store";
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "job",
            job = Self::NAME,
            store = self.store_id,
            sweep = self.sweep
        )
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let Some(active) = context.active_store(self.store_id).await? else {
            return Ok(());
        };
        let mode = if self.sweep {
            // The threshold is a setting, changed without a webhook: read again with the
            // sweep.
            learn_low_stock_amount(&context.db, self.store_id, &active.client).await?;
            SyncMode::Sweep
        } else {
            SyncMode::Auto
        };
        for resource in Resource::TOP_LEVEL {
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
        Some(format!("poll:{}:{}", self.store_id, self.sweep))
    }
}
