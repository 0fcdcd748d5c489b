//! What every job shares: the database, the queue, the shared rate limit, an HTTP client,
//! the key that opens store credentials, and the sync settings.

use std::sync::Arc;
use std::time::Duration;

use entity::stores;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::failure::store_problem;
use super::step::Step;
use crate::feed::delivery::DeliverySettings;
use crate::queue::job::JobError;
use crate::queue::storage::{NewJob, Storage};
use crate::secrets::SecretKey;
use crate::stores::{StoreError, StoreStatus, connection_of};
use crate::sync::group_commit::GroupCommit;
use crate::woo::client::{StoreHttp, WooClient};
use crate::woo::page_memory::PageMemory;
use crate::woo::rate_limit::RateLimiter;

/// Settings of the pipeline, with defaults for production.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// How far before the watermark an incremental run looks again, for clocks that
    /// disagree and records saved while the last run listed.
    pub modified_overlap: Duration,
    /// How deliveries of the change feed are retried.
    pub deliveries: DeliverySettings,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            modified_overlap: Duration::from_secs(5 * 60),
            deliveries: DeliverySettings::default(),
        }
    }
}

/// Pages of listings a worker process holds in memory at once (see `PageMemory`). A page
/// of orders is near a megabyte in its several forms; more at once would only queue for
/// the database anyway.
pub const PAGES_IN_MEMORY: usize = 4;

pub struct SyncContext {
    pub db: DatabaseConnection,
    /// The jobs that take each step (`jobs::jobs_for`).
    pub jobs: fn(Step) -> Vec<NewJob>,
    /// Where jobs write what they fetched: committed together with other jobs' writes.
    pub writer: GroupCommit,
    /// Room for [`PAGES_IN_MEMORY`] pages at once.
    pub page_memory: PageMemory,
    pub queue: Arc<dyn Storage>,
    pub limiter: Arc<dyn RateLimiter>,
    pub http: StoreHttp,
    /// The HTTP client for consumer endpoints of the change feed, with their address guard.
    pub endpoint_http: StoreHttp,
    pub secret_key: SecretKey,
    pub settings: SyncSettings,
}

/// The context jobs are given.
pub type Context = Arc<SyncContext>;

/// A store that may be synced, and a client for it.
pub struct ActiveStore {
    pub store: stores::Model,
    pub client: WooClient,
}

impl SyncContext {
    /// The store, if it exists and is active; a job of a store that is gone, paused or
    /// stopped by bad keys does nothing (its store says why).
    pub async fn active_store(&self, store_id: i64) -> Result<Option<ActiveStore>, JobError> {
        let Some(store) = stores::Entity::find_by_id(store_id).one(&self.db).await? else {
            return Ok(None);
        };
        if store.status != StoreStatus::Active {
            tracing::debug!(store = store_id, status = %store.status, "store not active: job skipped");
            return Ok(None);
        }
        let client = self.client(&store).map_err(|error| {
            JobError::permanent(format!("store {store_id} cannot be used: {error}"))
        })?;
        Ok(Some(ActiveStore { store, client }))
    }

    /// A client for a store, under the rate limit every process shares.
    pub fn client(&self, store: &stores::Model) -> Result<WooClient, StoreError> {
        let connection = connection_of(store, &self.secret_key)?;
        Ok(WooClient::new(
            self.http.clone(),
            connection,
            Arc::clone(&self.limiter),
        ))
    }

    /// Queues the jobs that take these steps.
    pub async fn enqueue(&self, steps: Vec<Step>) -> Result<(), JobError> {
        let jobs = steps.into_iter().flat_map(self.jobs).collect();
        self.enqueue_jobs(jobs).await
    }

    pub async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> Result<(), JobError> {
        if jobs.is_empty() {
            return Ok(());
        }
        self.queue
            .enqueue(jobs)
            .await
            .map(|_| ())
            .map_err(|error| JobError::retry(format!("enqueueing follow-up jobs: {error}")))
    }

    /// Turns a failed request into how the job ends, stopping the store first when the
    /// failure is one no retry can fix.
    pub async fn woo_failure(&self, store_id: i64, error: crate::woo::WooError) -> JobError {
        store_problem(&self.db, store_id, error).await
    }
}
