//! The torture run (`woosync bench torture`): a backfill through a store that fails a
//! tenth of its requests, by two `woosync work` processes and a clock, with a worker
//! killed (SIGKILL) at random instants ten times and started again. What it reports is
//! whether the copy came out right: every run succeeded, nothing left in the failed set,
//! the database equal to the store; and how long after the last kill the last run ended.
//! It needs Redis (`REDIS_URL`: two worker processes share one queue), and runs on the
//! database of `DATABASE_URL` (a Postgres one gets a scratch database of its own, dropped
//! afterwards) or, without it, on SQLite.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait};
use serde::Serialize;

use super::sync::{finished, stop};
use crate::bench::compare::difference;
use crate::bench::scratch::services_with_store;
use crate::config::Config;
use crate::database;
use crate::jobs;
use crate::pipeline::{SyncMode, start_sync};
use crate::secrets::SecretKey;
use crate::services::Services;
use crate::woo::Resource;
use sim::generate::Sizes;
use sim::server::{SimOptions, SimServer};

const KILLS: usize = 10;
/// Requests a second the store takes: slow enough that the kills fall in the backfill.
const RATE_LIMIT: f64 = 20.0;

#[derive(Debug, Clone, Serialize)]
pub struct TortureFigures {
    pub database: &'static str,
    pub kills: usize,
    /// Kills that fell before every run had ended.
    pub kills_during_the_runs: usize,
    pub error_rate: f64,
    pub runs: usize,
    pub runs_succeeded: usize,
    pub jobs_failed: u64,
    pub database_equals_store: bool,
    /// From the last kill to the end of the last run.
    pub seconds_from_last_kill_to_end: f64,
    pub seconds_in_all: f64,
    pub requests_made: usize,
    pub faults_served: u64,
}

pub async fn run(config: &Config) -> anyhow::Result<TortureFigures> {
    let Some(redis_url) = config.redis_url.clone() else {
        anyhow::bail!("the torture run needs REDIS_URL: two worker processes share its queue");
    };
    let scratch = tempfile::Builder::new()
        .prefix("woosync-torture")
        .tempdir()?;
    let (database_url, database, dropped) = scratch_database(config, scratch.path()).await?;
    let sizes = Sizes {
        products: 1_000,
        orders: 1_500,
        customers: 500,
        ..Sizes::default()
    };
    let (products, orders) = (sizes.products, sizes.orders);
    let server = SimServer::start(SimOptions {
        port: 0,
        tls: true,
        seed: 17,
        sizes,
        cert_dir: scratch.path().join("sim"),
        http_callbacks: false,
    })
    .await?;
    let error_rate = 0.1;
    server.set_faults(|faults| {
        faults.error_rate = error_rate;
        faults.latency_ms.insert("default".into(), 100);
    });
    let mut env: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url.clone()),
        ("REDIS_URL".into(), redis_url),
        (
            "WOOSYNC_REDIS_PREFIX".into(),
            format!("woosync-torture-{}:", std::process::id()),
        ),
        (
            "WOOSYNC_DATA_DIR".into(),
            scratch.path().display().to_string(),
        ),
        (
            "WOOSYNC_SECRET_KEY".into(),
            SecretKey::generate().to_base64(),
        ),
        ("WOOSYNC_WORKER_CONCURRENCY".into(), "32".into()),
        ("WOOSYNC_HEARTBEAT_S".into(), "1".into()),
        ("WOOSYNC_ORPHAN_AFTER_S".into(), "5".into()),
        ("WOOSYNC_RETRY_FIRST_DELAY_S".into(), "1".into()),
        ("WOOSYNC_RESUME_AFTER_S".into(), "60".into()),
        // The simulated store is on this machine.
        ("WOOSYNC_ALLOW_PRIVATE_STORES".into(), "true".into()),
        ("RUST_LOG".into(), "warn".into()),
    ];
    if let Some(ca_cert) = &server.info.ca_cert {
        env.push((
            "WOOSYNC_EXTRA_CA_CERT".into(),
            ca_cert.display().to_string(),
        ));
    }
    let (services, store) = services_with_store(&env, &server, "torture", RATE_LIMIT).await?;
    // Every resource is compared at the end, order notes too.
    entity::stores::ActiveModel {
        id: Set(store),
        backfill_order_notes: Set(true),
        ..Default::default()
    }
    .update(&services.db)
    .await?;

    let spawn = |command: &str, name: &str| -> anyhow::Result<Child> {
        let log = std::fs::File::create(scratch.path().join(format!("{name}.log")))?;
        Ok(Command::new(std::env::current_exe()?)
            .arg(command)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(
                env.iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?)
    };
    let started = Instant::now();
    let mut workers = vec![spawn("work", "worker-0")?, spawn("work", "worker-1")?];
    let mut clock = spawn("schedule", "clock")?;
    let mut runs = Vec::new();
    for resource in Resource::TOP_LEVEL {
        runs.push(
            start_sync(&services.context, store, resource, SyncMode::Backfill)
                .await?
                .run
                .id,
        );
    }
    eprintln!(
        "torture: backfill of {products} products and {orders} orders through a store \
         failing {:.0}% of requests, two workers, {KILLS} kills",
        error_rate * 100.0
    );
    let mut last_kill = Instant::now();
    let mut kills_during_the_runs = 0;
    for kill in 0..KILLS {
        let wait = rand::rng().random_range(1_000..5_000);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let victim = rand::rng().random_range(0..workers.len());
        let _ = Command::new("kill")
            .args(["-KILL", &workers[victim].id().to_string()])
            .status();
        let _ = workers[victim].wait();
        last_kill = Instant::now();
        if !finished(&services, &runs).await? {
            kills_during_the_runs += 1;
        }
        eprintln!(
            "  kill {} of {KILLS} at {:.1} s: worker {victim}",
            kill + 1,
            started.elapsed().as_secs_f64()
        );
        workers[victim] = spawn("work", &format!("worker-{victim}-{kill}"))?;
    }

    let deadline = Instant::now() + Duration::from_secs(900);
    while !(finished(&services, &runs).await? && failed_jobs(&services).await? == 0) {
        if Instant::now() > deadline {
            eprintln!("  not done within 15 minutes of the last kill");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let end = Instant::now();
    for worker in &mut workers {
        stop(worker);
    }
    stop(&mut clock);
    let difference = difference(&services.db, store, &server.store).await?;
    if let Some(difference) = &difference {
        eprintln!("  the database differs: {difference}");
    }
    let runs_succeeded = succeeded(&services, &runs).await?;
    let figures = TortureFigures {
        database,
        kills: KILLS,
        kills_during_the_runs,
        error_rate,
        runs: runs.len(),
        runs_succeeded,
        jobs_failed: failed_jobs(&services).await?,
        database_equals_store: difference.is_none(),
        seconds_from_last_kill_to_end: (end - last_kill).as_secs_f64(),
        seconds_in_all: (end - started).as_secs_f64(),
        requests_made: server.store.requests().len(),
        faults_served: server.store.faults_served().total(),
    };
    eprintln!(
        "  {runs_succeeded} of {} runs succeeded, {} jobs failed, database equals store: {}; \
         {:.1} s from the last kill to the end",
        figures.runs,
        figures.jobs_failed,
        figures.database_equals_store,
        figures.seconds_from_last_kill_to_end
    );
    services.db.close().await?;
    if let Some(drop) = dropped {
        drop.await?;
    }
    Ok(figures)
}

async fn failed_jobs(services: &Services) -> anyhow::Result<u64> {
    let mut failed = 0;
    for queue in jobs::queues() {
        failed += services.queue.counts(queue).await?.failed;
    }
    Ok(failed)
}

async fn succeeded(services: &Services, runs: &[i64]) -> anyhow::Result<usize> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(entity::sync_runs::Entity::find()
        .filter(entity::sync_runs::Column::Id.is_in(runs.iter().copied()))
        .filter(entity::sync_runs::Column::Status.eq(entity::sync_runs::RunStatus::Succeeded))
        .count(&services.db)
        .await? as usize)
}

type Dropping = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>>>>;

/// The database the run writes to: a scratch database on the Postgres server of
/// `DATABASE_URL` (dropped by the returned future), or a SQLite file in `scratch`.
async fn scratch_database(
    config: &Config,
    scratch: &std::path::Path,
) -> anyhow::Result<(String, &'static str, Option<Dropping>)> {
    let Some(url) = config
        .database_url
        .clone()
        .filter(|url| url.starts_with("postgres"))
    else {
        let url = format!("sqlite://{}?mode=rwc", scratch.join("torture.db").display());
        return Ok((url, "sqlite", None));
    };
    let name = format!("woosync_torture_{}", std::process::id());
    let admin = database::connect_url(&url).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let mut scratch_url = url::Url::parse(&url)?;
    scratch_url.set_path(&format!("/{name}"));
    let drop: Dropping = Box::pin(async move {
        admin
            .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await?;
        Ok(())
    });
    Ok((scratch_url.to_string(), "postgres", Some(drop)))
}
