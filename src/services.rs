//! What every process shares, built from the configuration: the database, the queue (Redis,
//! or the embedded one in the SQLite database), the rate limiter every worker shares, and
//! from them the workers and the clock.
use std::sync::Arc;

use sea_orm::{DatabaseBackend, DatabaseConnection};

use crate::clock::Clock;
use crate::config::Config;
use crate::database;
use crate::feed::delivery::DeliverySettings;
use crate::feed::waker::FeedWaker;
use crate::jobs;
use crate::pipeline::context::PAGES_IN_MEMORY;
use crate::pipeline::{Context, SyncContext, SyncSettings};
use crate::queue::backoff::RetryPolicy;
use crate::queue::redis::RedisStorage;
use crate::queue::runner::Runner;
use crate::queue::sqlite::SqliteStorage;
use crate::queue::storage::{Liveness, Storage};
use crate::secrets::SecretKey;
use crate::sync::group_commit::GroupCommit;
use crate::woo::client::http_client;
use crate::woo::page_memory::PageMemory;
use crate::woo::public_address::StoreAddresses;
use crate::woo::rate_limit::{LocalRateLimiter, RateLimiter, RedisRateLimiter};

/// Batches of writes Postgres commits at once (SQLite commits one at a time).
const POSTGRES_WRITERS: usize = 4;

/// How long a consumer endpoint has to answer a delivery of the change feed.
const ENDPOINT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Everything the processes share.
#[derive(Clone)]
pub struct Services {
    pub config: Config,
    pub db: DatabaseConnection,
    pub queue: Arc<dyn Storage>,
    pub context: Context,
}

impl Services {
    /// Connects to everything the configuration names. On the embedded default (no
    /// `DATABASE_URL`) the schema is brought up to date here; a configured database is the
    /// release step's (`woosync migrate`) to migrate.
    pub async fn start(config: Config) -> anyhow::Result<Services> {
        let db = database::connect(&config).await?;
        if config.database_url.is_none() {
            database::migrate(&db).await?;
        } else {
            database::ensure_schema_current(&db).await?;
        }
        let (queue, limiter): (Arc<dyn Storage>, Arc<dyn RateLimiter>) = match &config.redis_url {
            Some(url) => {
                let queue = RedisStorage::connect(url, &config.redis_prefix).await?;
                let connection = crate::queue::redis::client(url)?
                    .get_connection_manager()
                    .await?;
                (
                    Arc::new(queue),
                    Arc::new(RedisRateLimiter::new(connection, &config.redis_prefix)),
                )
            }
            None => (
                Arc::new(SqliteStorage::new(db.clone())?),
                Arc::new(LocalRateLimiter::default()),
            ),
        };
        for problem in queue.durability_problems().await? {
            tracing::error!("{problem}");
        }
        let addresses = if config.allow_private_stores {
            StoreAddresses::Any
        } else {
            StoreAddresses::PublicOnly
        };
        let http = http_client(
            config.extra_ca_cert.as_deref(),
            config.request_timeout,
            addresses,
        )
        .map_err(anyhow::Error::msg)?;
        let endpoint_addresses = if config.allow_private_endpoints {
            StoreAddresses::Any
        } else {
            StoreAddresses::PublicOnly
        };
        let endpoint_http =
            http_client(None, ENDPOINT_TIMEOUT, endpoint_addresses).map_err(anyhow::Error::msg)?;
        let writers = match db.get_database_backend() {
            DatabaseBackend::Sqlite => 1,
            _ => POSTGRES_WRITERS,
        };
        let waker = Arc::new(FeedWaker::default());
        let on_events = {
            let waker = Arc::clone(&waker);
            Arc::new(move || waker.events_committed())
        };
        let context = Arc::new(SyncContext {
            db: db.clone(),
            writer: GroupCommit::start(db.clone(), writers, on_events)?,
            page_memory: PageMemory::new(PAGES_IN_MEMORY),
            queue: Arc::clone(&queue),
            limiter,
            http,
            endpoint_http,
            secret_key: SecretKey::in_effect(config.secret_key.as_ref(), &config.data_dir)?,
            jobs: jobs::jobs_for,
            settings: SyncSettings {
                modified_overlap: config.modified_overlap,
                deliveries: DeliverySettings {
                    retry_first_delay: config.event_retry_first_delay,
                    retry_for: config.event_retry_for,
                },
            },
        });
        tokio::spawn(waker.run(Arc::clone(&context)));
        Ok(Services {
            config,
            db,
            queue,
            context,
        })
    }

    /// A worker for every job of the pipeline, as configured.
    pub fn worker(&self) -> Runner<Context> {
        let liveness = Liveness {
            heartbeat: self.config.heartbeat,
            orphan_after: self.config.orphan_after,
            ..Liveness::default()
        };
        let mut runner = Runner::new(Arc::clone(&self.queue), Arc::clone(&self.context));
        jobs::each_type(&mut runner);
        runner
            .concurrency(self.config.worker_concurrency)
            .liveness(liveness)
            .retry_policy(RetryPolicy {
                first_delay: self.config.retry_first_delay,
                ..RetryPolicy::default()
            })
    }

    pub fn clock(&self) -> Clock {
        Clock {
            context: Arc::clone(&self.context),
            poll: self.config.poll_cron.clone(),
            sweep: self.config.sweep_cron.clone(),
            refresh: self.config.refresh_cron.clone(),
            webhook_check: self.config.webhook_check_cron.clone(),
            resume_after: self.config.resume_after,
            event_retention: self.config.event_retention,
        }
    }
}
