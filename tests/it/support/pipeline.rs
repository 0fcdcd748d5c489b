//! The whole pipeline under test: a simulated store, a real database, the Redis queue (on a
//! real redis-server) or the embedded one, the real `Services` as `woosync work` builds
//! them, and a worker in this process or in child processes.

use std::future::Future;
use std::time::Duration;

use entity::{stores, sync_runs};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use sim::generate::Sizes;
use sim::store::SimStore;
use tempfile::TempDir;
use woosync::config::Config;
use woosync::database;
use woosync::jobs::PollStore;
use woosync::jobs::poll_store::PollKind;
use woosync::pipeline::{SyncMode, start_sync};
use woosync::queue::storage::NewJob;
use woosync::queue::storage::QueueCounts;
use woosync::secrets::{Secret, SecretKey};
use woosync::services::Services;
use woosync::stores::{AuthMode, NewStore, save_store};
use woosync::sync::runs::RunStatus;
use woosync::sync::stored::stored_records;
use woosync::woo::Resource;
use woosync::woo::auth::oauth1::SignatureMethod;

use super::database::{Backend, TestDatabase};
use super::redis::RedisServer;
use super::sim::TestSim;

/// How the worker reaches the simulated store: plain HTTP with OAuth 1.0a signatures
/// (every request's query signed, as a real store checks it), or HTTPS with Basic auth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    OAuth1OverHttp,
    BasicOverHttps,
}

/// Which queue a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    Redis,
    /// Redis with its append-only file, as operators run it: it can restart and keep its
    /// data.
    RedisWithAof,
    Embedded,
}

pub struct TestPipeline {
    pub sim: TestSim,
    pub services: Services,
    /// The environment a `woosync` process needs to join this pipeline.
    pub env: Vec<(String, String)>,
    /// The Redis server of a pipeline on Redis, kept running as long as the pipeline.
    redis: Option<RedisServer>,
    pub dir: TempDir,
    transport: Transport,
    /// The Postgres database of a pipeline on Postgres (last: the services close first).
    database: Option<TestDatabase>,
}

/// Waits for `done` with a deadline, failing with `what` and `detail()` when it passes.
pub async fn wait_for<F: Future<Output = bool>>(
    what: &str,
    deadline: Duration,
    mut done: impl FnMut() -> F,
) {
    let start = std::time::Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < deadline,
            "{what} did not happen within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestPipeline {
    pub async fn start(queue: QueueKind, sizes: Sizes) -> TestPipeline {
        TestPipeline::start_with(queue, sizes, &[]).await
    }

    /// With settings of its own over the test defaults, over plain HTTP with OAuth 1.0a.
    pub async fn start_with(
        queue: QueueKind,
        sizes: Sizes,
        settings: &[(&str, &str)],
    ) -> TestPipeline {
        TestPipeline::start_over(Transport::OAuth1OverHttp, queue, sizes, settings).await
    }

    pub async fn start_over(
        transport: Transport,
        queue: QueueKind,
        sizes: Sizes,
        settings: &[(&str, &str)],
    ) -> TestPipeline {
        let sim = TestSim::start(transport == Transport::BasicOverHttps, sizes).await;
        let redis = match queue {
            QueueKind::Redis => Some(tokio::task::block_in_place(RedisServer::start)),
            QueueKind::RedisWithAof => {
                Some(tokio::task::block_in_place(RedisServer::start_durable))
            }
            QueueKind::Embedded => None,
        };
        let dir = tempfile::Builder::new()
            .prefix("woosync-pipeline")
            .tempdir()
            .unwrap();
        let mut env = vec![
            (
                "DATABASE_URL".to_string(),
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("woosync.db").display()
                ),
            ),
            (
                "WOOSYNC_DATA_DIR".to_string(),
                dir.path().display().to_string(),
            ),
            (
                "WOOSYNC_SECRET_KEY".to_string(),
                SecretKey::generate().to_base64(),
            ),
            ("WOOSYNC_HEARTBEAT_S".to_string(), "0.3".to_string()),
            ("WOOSYNC_ORPHAN_AFTER_S".to_string(), "10".to_string()),
            ("WOOSYNC_WORKER_CONCURRENCY".to_string(), "16".to_string()),
            // The simulated store is on this machine.
            (
                "WOOSYNC_ALLOW_PRIVATE_STORES".to_string(),
                "true".to_string(),
            ),
        ];
        if let Some(ca_cert) = &sim.server.info.ca_cert {
            env.push((
                "WOOSYNC_EXTRA_CA_CERT".to_string(),
                ca_cert.display().to_string(),
            ));
        }
        if let Some(redis) = &redis {
            env.push(("REDIS_URL".to_string(), redis.url()));
        }
        for (name, value) in settings {
            env.retain(|(key, _)| key != name);
            env.push((name.to_string(), value.to_string()));
        }
        let config = config_from(&env);
        let db = database::connect(&config).await.unwrap();
        database::migrate(&db).await.unwrap();
        db.close().await.unwrap();
        let services = Services::start(config).await.unwrap();
        TestPipeline {
            sim,
            services,
            env,
            redis,
            dir,
            transport,
            database: None,
        }
    }

    /// A pipeline on `backend`: on Postgres, a database of its own on the test Postgres
    /// server.
    pub async fn start_on(
        backend: Backend,
        queue: QueueKind,
        sizes: Sizes,
        settings: &[(&str, &str)],
    ) -> TestPipeline {
        let database = match backend {
            Backend::Postgres => Some(TestDatabase::empty(Backend::Postgres).await),
            Backend::Sqlite => None,
        };
        let mut all = settings.to_vec();
        if let Some(database) = &database {
            all.push(("DATABASE_URL", database.url.as_str()));
        }
        let mut pipeline =
            TestPipeline::start_over(Transport::OAuth1OverHttp, queue, sizes, &all).await;
        pipeline.database = database;
        pipeline
    }

    /// Connects the simulated store, with a rate limit of `per_second`, order notes
    /// backfilled so that every resource can be compared.
    pub async fn connect_store(&self, per_second: f64) -> i64 {
        let secret = self.sim.server.info.consumer_secret.clone();
        self.connect_store_with_secret(per_second, &secret).await
    }

    /// Connects (or reconnects) the store with a consumer secret of the test's choosing.
    pub async fn connect_store_with_secret(&self, per_second: f64, secret: &str) -> i64 {
        let info = &self.sim.server.info;
        let store_id = save_store(
            &self.services.db,
            &self.services.context.secret_key,
            NewStore {
                name: "simulated".into(),
                url: info.url.trim_end_matches('/').to_string(),
                auth_mode: match self.transport {
                    Transport::OAuth1OverHttp => AuthMode::OAuth1,
                    Transport::BasicOverHttps => AuthMode::Basic,
                },
                signature_method: SignatureMethod::HmacSha256,
                consumer_key: info.consumer_key.clone(),
                consumer_secret: Secret::new(secret.to_string()),
                rate_limit_per_s: per_second,
            },
        )
        .await
        .unwrap();
        stores::ActiveModel {
            id: Set(store_id),
            backfill_order_notes: Set(true),
            ..Default::default()
        }
        .update(&self.services.db)
        .await
        .unwrap();
        store_id
    }

    /// A pipeline whose store (unthrottled) is backfilled, with its worker still running.
    pub async fn synced(
        queue: QueueKind,
        sizes: Sizes,
    ) -> (TestPipeline, i64, tokio::sync::oneshot::Sender<()>) {
        TestPipeline::synced_on(Backend::Sqlite, queue, sizes).await
    }

    /// The same on `backend`.
    pub async fn synced_on(
        backend: Backend,
        queue: QueueKind,
        sizes: Sizes,
    ) -> (TestPipeline, i64, tokio::sync::oneshot::Sender<()>) {
        let pipeline = TestPipeline::start_on(backend, queue, sizes, &[]).await;
        let store = pipeline.connect_store(10_000.0).await;
        let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
        let worker = pipeline.spawn_worker();
        pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
        (pipeline, store, worker)
    }

    /// Enqueues what the clock would (a poll, or an ID sweep) and waits for its runs and
    /// their children.
    pub async fn poll_and_wait(&self, store_id: i64, kind: PollKind) {
        self.services
            .queue
            .enqueue(vec![NewJob::of(&PollStore { store_id, kind })])
            .await
            .unwrap();
        wait_for(
            "the poll's runs to finish",
            Duration::from_secs(60),
            || async { self.jobs_left().await == 0 && self.live_runs().await == 0 },
        )
        .await;
    }

    /// Starts a run of every resource of the store.
    pub async fn sync_all(&self, store_id: i64, mode: SyncMode) -> Vec<i64> {
        let mut runs = Vec::new();
        for resource in Resource::TOP_LEVEL {
            let started = start_sync(&self.services.context, store_id, resource, mode)
                .await
                .unwrap();
            runs.push(started.run.id);
        }
        runs
    }

    /// Kills the Redis server and starts it again empty (no append-only file): the queue is
    /// lost, the database is not.
    pub fn lose_redis(&mut self) {
        self.redis
            .as_mut()
            .expect("a pipeline on Redis")
            .crash_and_restart();
    }

    /// Kills Redis (SIGKILL) and starts it again on its files: every connection to it is
    /// dropped, and with its append-only file its data is back.
    pub fn restart_redis(&mut self) {
        self.redis
            .as_mut()
            .expect("a pipeline on Redis")
            .crash_and_restart();
    }

    /// The URL of the pipeline's Redis.
    pub fn redis_url(&self) -> String {
        self.redis.as_ref().expect("a pipeline on Redis").url()
    }

    /// Kills Redis for good.
    pub fn stop_redis(&mut self) {
        self.redis.as_mut().expect("a pipeline on Redis").kill();
    }

    /// The clock in this process until the returned sender is dropped or fired.
    pub fn spawn_clock(&self) -> tokio::sync::oneshot::Sender<()> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(self.services.clock().run(async move {
            let _ = stopped.await;
        }));
        stop
    }

    /// A worker in this process until the returned sender is dropped or fired.
    pub fn spawn_worker(&self) -> tokio::sync::oneshot::Sender<()> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(self.services.worker().run(async move {
            let _ = stopped.await;
        }));
        stop
    }

    /// Runs queued or running, of any store.
    pub async fn live_runs(&self) -> usize {
        sync_runs::Entity::find()
            .filter(sync_runs::Column::Status.is_in([RunStatus::Queued, RunStatus::Running]))
            .all(&self.services.db)
            .await
            .unwrap()
            .len()
    }

    /// Whether every run given has succeeded.
    pub async fn all_succeeded(&self, runs: &[i64]) -> bool {
        let finished = sync_runs::Entity::find()
            .filter(sync_runs::Column::Id.is_in(runs.iter().copied()))
            .filter(sync_runs::Column::Status.eq(RunStatus::Succeeded))
            .all(&self.services.db)
            .await
            .unwrap();
        finished.len() == runs.len()
    }

    /// Jobs of every pipeline queue not yet done: pending, scheduled or running. A queue
    /// that has just restarted is asked again for a few seconds.
    pub async fn jobs_left(&self) -> u64 {
        let mut left = 0;
        for queue in woosync::jobs::queues() {
            let mut tries = 0;
            let QueueCounts {
                pending,
                scheduled,
                running,
                ..
            } = loop {
                match self.services.queue.counts(queue).await {
                    Ok(counts) => break counts,
                    Err(error) if tries < 50 => {
                        tries += 1;
                        eprintln!("counting {queue} failed ({error}); asking again");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(error) => panic!("the queue cannot count {queue}: {error}"),
                }
            };
            left += pending + scheduled + running;
        }
        left
    }

    /// Waits until every run has succeeded and the queues are empty (children fetched).
    pub async fn wait_synced(&self, runs: &[i64], deadline: Duration) {
        wait_for("the sync to finish", deadline, || async {
            self.all_succeeded(runs).await && self.jobs_left().await == 0
        })
        .await;
    }

    /// Fails unless the database holds exactly what the store holds, resource by resource,
    /// every field of every record.
    pub async fn assert_database_equals_store(&self, store_id: i64) {
        if let Some(difference) = self.difference(store_id, &self.sim.server.store).await {
            panic!("{difference}");
        }
    }

    /// How the database's copy of a store differs from `sim`, if it does.
    pub async fn difference(&self, store_id: i64, sim: &SimStore) -> Option<String> {
        woosync::bench::compare::difference(&self.services.db, store_id, sim)
            .await
            .unwrap()
    }

    /// Fails if any row of the store is marked deleted: for syncs of a store where nothing
    /// was deleted, a row kept twice or a page misread would show here.
    pub async fn assert_nothing_marked_deleted(&self, store_id: i64) {
        for resource in Resource::ALL {
            let live = stored_records(&self.services.db, store_id, resource, false)
                .await
                .unwrap()
                .len();
            let all = stored_records(&self.services.db, store_id, resource, true)
                .await
                .unwrap()
                .len();
            assert_eq!(
                all, live,
                "{resource}: rows marked deleted though nothing was deleted"
            );
        }
    }

    /// A `woosync` process of this pipeline (`work`, say), its log in the test's directory.
    pub fn spawn_process(&self, args: &[&str], extra_env: &[(&str, &str)]) -> std::process::Child {
        let log_path = self.dir.path().join(format!(
            "{}-{}.log",
            args.join("-"),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let log = std::fs::File::create(&log_path).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_woosync"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(
                self.env
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )
            .envs(extra_env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the woosync binary starts")
    }

    /// The warnings and errors the `woosync` processes of this pipeline logged, for a
    /// failing assertion to show why.
    pub fn process_warnings(&self) -> String {
        let mut lines = String::new();
        for entry in std::fs::read_dir(self.dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|extension| extension == "log") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for line in text
                    .lines()
                    .filter(|line| line.contains("WARN") || line.contains("ERROR"))
                {
                    lines.push_str(line);
                    lines.push('\n');
                }
            }
        }
        lines
    }
}

pub fn config_from(env: &[(String, String)]) -> Config {
    Config::from_lookup(|name| {
        env.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    })
    .unwrap()
}
