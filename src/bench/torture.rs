//! The torture run (`woosync bench torture`): a backfill through a store that fails a
//! tenth of its requests, by two `woosync work` processes and a clock, with a worker
//! killed (SIGKILL) at random instants ten times and started again. What it reports is
//! whether the copy came out right: every run succeeded, nothing left in the failed set,
//! the database equal to the store; and how long after the last kill the last run ended.
//! It needs Redis (`REDIS_URL`: two worker processes share one queue), and runs on the
//! database of `DATABASE_URL` (a Postgres one gets a scratch database of its own, dropped
//! afterwards) or, without it, on SQLite.

use std::process::Command;
use std::time::{Duration, Instant};

use rand::Rng;
use sea_orm::ActiveModelTrait;
use sea_orm::ActiveValue::Set;
use serde::Serialize;

use super::sync::{finished, runs_succeeded, stop};
use crate::bench::compare::difference;
use crate::bench::deployment::Deployment;
use crate::config::Config;
use crate::jobs;
use crate::pipeline::{SyncMode, start_sync};
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
    anyhow::ensure!(
        config.redis_url.is_some(),
        "the torture run needs REDIS_URL: two worker processes share its queue"
    );
    let certs = tempfile::tempdir()?;
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
        cert_dir: certs.path().to_path_buf(),
        http_callbacks: false,
    })
    .await?;
    let error_rate = 0.1;
    server.set_faults(|faults| {
        faults.error_rate = error_rate;
        faults.latency_ms.insert("default".into(), 100);
    });
    let deployment = Deployment::start(
        config,
        "torture",
        server.info.ca_cert.as_deref(),
        &[
            ("WOOSYNC_WORKER_CONCURRENCY", "32"),
            ("WOOSYNC_HEARTBEAT_S", "1"),
            ("WOOSYNC_ORPHAN_AFTER_S", "5"),
            ("WOOSYNC_RETRY_FIRST_DELAY_S", "1"),
            ("WOOSYNC_RESUME_AFTER_S", "60"),
        ],
    )
    .await?;
    let services = &deployment.services;
    let store = deployment.connect(&server.info, RATE_LIMIT).await?;
    // Every resource is compared at the end, order notes too.
    entity::stores::ActiveModel {
        id: Set(store),
        backfill_order_notes: Set(true),
        ..Default::default()
    }
    .update(&services.db)
    .await?;

    let spawn = |command: &str, name: &str| deployment.spawn(command, name);
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
        if !finished(services, &runs).await? {
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
    while !(finished(services, &runs).await? && failed_jobs(services).await? == 0) {
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
    let runs_succeeded = runs_succeeded(services, &runs).await?;
    let figures = TortureFigures {
        database: deployment.database,
        kills: KILLS,
        kills_during_the_runs,
        error_rate,
        runs: runs.len(),
        runs_succeeded,
        jobs_failed: failed_jobs(services).await?,
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
    deployment.finish().await?;
    Ok(figures)
}

async fn failed_jobs(services: &Services) -> anyhow::Result<u64> {
    let mut failed = 0;
    for queue in jobs::queues() {
        failed += services.queue.counts(queue).await?.failed;
    }
    Ok(failed)
}
