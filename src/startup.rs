//! Building the running service from its configuration: the database, the queue (Redis, or
//! the embedded one in the SQLite database), the rate limiter every worker shares, and the
//! processes: workers and the clock.

use std::sync::Arc;

use sea_orm::{DatabaseBackend, DatabaseConnection};

use crate::clock::Clock;
use crate::config::Config;
use crate::database;
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
                let connection = redis::Client::open(url.as_str())?
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
        let writers = match db.get_database_backend() {
            DatabaseBackend::Sqlite => 1,
            _ => POSTGRES_WRITERS,
        };
        let context = Arc::new(SyncContext {
            db: db.clone(),
            writer: GroupCommit::start(db.clone(), writers)?,
            page_memory: PageMemory::new(PAGES_IN_MEMORY),
            queue: Arc::clone(&queue),
            limiter,
            http,
            secret_key: SecretKey::from_config(&config)?,
            jobs: jobs::jobs_for,
            settings: SyncSettings {
                modified_overlap: config.modified_overlap,
            },
        });
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
        }
    }
}

/// Runs the worker and the clock in this process (`woosync dev`) until `shutdown`; both
/// finish what they hold before this returns.
pub async fn run_worker_and_clock(
    services: &Services,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let worker = tokio::spawn(services.worker().run(until_stopped(stopped.clone())));
    let clock = tokio::spawn(services.clock().run(until_stopped(stopped)));
    shutdown.await;
    let _ = stop.send(true);
    worker.await??;
    clock.await??;
    Ok(())
}

/// The web ingress's listener on `HOST:PORT`, and the URL stores reach it at
/// (`WOOSYNC_PUBLIC_URL`, else the address listened on).
pub async fn bind_web(config: &Config) -> anyhow::Result<(tokio::net::TcpListener, String)> {
    let listener = tokio::net::TcpListener::bind((config.host, config.port))
        .await
        .map_err(|error| {
            anyhow::anyhow!("cannot listen on {}:{}: {error}", config.host, config.port)
        })?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => {
            let address = listener.local_addr()?;
            if address.ip().is_unspecified() {
                tracing::warn!(
                    "listening on every address without WOOSYNC_PUBLIC_URL: webhooks will be registered at 127.0.0.1, which only a store on this machine can reach"
                );
                format!("http://127.0.0.1:{}", address.port())
            } else {
                format!("http://{address}")
            }
        }
    };
    Ok((listener, public_url))
}

/// `/metrics` alone on `WOOSYNC_METRICS_PORT`, for `woosync work` and `woosync schedule`,
/// which record metrics but have no web server; nothing when the port is not set.
pub async fn serve_metrics(config: &Config) -> anyhow::Result<()> {
    let Some(port) = config.metrics_port else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind((config.host, port))
        .await
        .map_err(|error| anyhow::anyhow!("cannot serve metrics on port {port}: {error}"))?;
    let handle = crate::telemetry::metrics_handle();
    let token = config.metrics_token.clone();
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move |headers: axum::http::HeaderMap| async move {
            use axum::response::IntoResponse;
            if let Some(token) = &token
                && !crate::api::auth::has_bearer(&headers, token)
            {
                return crate::api::auth::refused(
                    "send Authorization: Bearer <WOOSYNC_METRICS_TOKEN>",
                );
            }
            handle.render().into_response()
        }),
    );
    tracing::info!(port, "serving /metrics");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the metrics server stopped");
        }
    });
    Ok(())
}

/// A token for `dev` and `demo` when none is configured, printed for the person at the
/// terminal.
pub fn generated_api_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Runs the web ingress, the worker and the clock in this process (`woosync dev`) until
/// `shutdown`.
pub async fn run_all(
    services: &Services,
    listener: tokio::net::TcpListener,
    state: crate::api::ApiState,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut web_stopped = stopped.clone();
    let web = tokio::spawn(crate::api::serve(listener, state, async move {
        let _ = web_stopped.wait_for(|stop| *stop).await;
    }));
    let mut others_stopped = stopped;
    let others = run_worker_and_clock(services, async move {
        let _ = others_stopped.wait_for(|stop| *stop).await;
    });
    let signal = async {
        shutdown.await;
        let _ = stop.send(true);
    };
    let ((), result) = tokio::join!(signal, others);
    web.await??;
    result
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
