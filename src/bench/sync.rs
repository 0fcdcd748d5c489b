//! The sync benchmark (`woosync bench`): backfills of a simulated store by a real
//! `woosync work` process, on Redis when `REDIS_URL` is set, else on the embedded queue.
//!
//! - Rate-limited: 5,000 products (a quarter variable, 3 variations each) and 10,000
//!   orders, the store limited to 20 requests/s and as slow as a real one (1 s a page of
//!   products, 3 s a page of orders, 0.3 s a list of variations or refunds). The verdict is
//!   a ratio measured in the same run: wall time over the time the rate limit alone
//!   allows for the requests the design needs.
//! - Unthrottled ingest: products with variations and orders from a store that answers at
//!   once, into the deployment's database: records written per second, and that over the
//!   pace at which the same database takes the same records alone, measured in the same
//!   run (a busy or slow machine moves both).
//! - Peak RSS of the worker process during unthrottled runs of 20,000 and 100,000 records.

use std::collections::HashMap;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::bench::compare::{backfill_requests, difference_in};
use crate::bench::database_bound::database_records_per_s;
use crate::bench::deployment::Deployment;
use crate::config::Config;
use crate::pipeline::{SyncMode, start_sync};
use crate::services::Services;
use crate::sync::runs::RunStatus;
use crate::woo::Resource;
use sim::generate::Sizes;
use sim::server::{SimInfo, SimOptions, SimServer};
use sim::store::{SimStore, read};

#[derive(Debug, Clone, Serialize)]
pub struct SyncFigures {
    pub queue: &'static str,
    pub rate_limited_ratio: f64,
    pub requests_made: u64,
    pub requests_minimum: u64,
    /// The most requests the simulated store answered within one second of the
    /// rate-limited run (it answers 429 past its limit).
    pub max_requests_in_a_second: usize,
    pub ingest_records_per_s: f64,
    pub ingest_100k_records_per_s: f64,
    pub peak_rss_mb_20k: f64,
    pub peak_rss_mb_100k: f64,
    pub worker_cpu_ms_per_1k_records: f64,
}

/// One backfill to measure.
struct Scenario {
    sizes: Sizes,
    resources: Vec<Resource>,
    rate_limit_per_s: f64,
    latency_ms: HashMap<String, u64>,
}

/// What a backfill took.
struct Outcome {
    wall: Duration,
    requests_made: u64,
    peak_rss_mb: f64,
    /// CPU time the worker process used, user and system.
    worker_cpu: Duration,
    sim: Arc<SimStore>,
    sim_info: SimInfo,
}

/// The worker's settings in every scenario: enough slots for the slowest store's pages in
/// flight at its rate limit (20 requests/s of 3 s pages is 60 at once).
const WORKER_CONCURRENCY: &str = "96";

pub async fn run(config: &Config) -> anyhow::Result<SyncFigures> {
    let queue = queue_name(config);
    eprintln!("sync benchmark on the {queue} queue, one `woosync work` process");
    let limited = rate_limited(config).await?;
    let ingest = ingest(config).await?;
    Ok(SyncFigures {
        queue,
        rate_limited_ratio: limited.ratio,
        requests_made: limited.requests_made,
        requests_minimum: limited.requests_minimum,
        max_requests_in_a_second: limited.max_requests_in_a_second,
        ingest_records_per_s: ingest.ingest_records_per_s,
        ingest_100k_records_per_s: ingest.ingest_100k_records_per_s,
        peak_rss_mb_20k: ingest.peak_rss_mb_20k,
        peak_rss_mb_100k: ingest.peak_rss_mb_100k,
        worker_cpu_ms_per_1k_records: ingest.worker_cpu_ms_per_1k_records,
    })
}

fn queue_name(config: &Config) -> &'static str {
    if config.redis_url.is_some() {
        "redis"
    } else {
        "sqlite"
    }
}

/// What the rate-limited backfill measured.
struct RateLimited {
    ratio: f64,
    requests_made: u64,
    requests_minimum: u64,
    max_requests_in_a_second: usize,
}

async fn rate_limited(config: &Config) -> anyhow::Result<RateLimited> {
    let rate = 20.0;
    let limited = Scenario {
        sizes: Sizes {
            products: 5_000,
            variable_share: 0.25,
            variations_per_product: 3,
            orders: 10_000,
            notes_per_order: 0,
            ..Sizes::default()
        },
        resources: Resource::TOP_LEVEL.to_vec(),
        rate_limit_per_s: rate,
        latency_ms: HashMap::from([
            ("products".to_string(), 1_000),
            ("orders".to_string(), 3_000),
            ("product_variations".to_string(), 300),
            ("order_refunds".to_string(), 300),
        ]),
    };
    eprintln!("rate-limited backfill: 5,000 products, 10,000 orders, {rate} requests/s ...");
    let outcome = backfill(config, &limited).await?;
    let minimum = backfill_requests(&outcome.sim, &limited.resources);
    let bound = minimum as f64 / rate;
    let ratio = outcome.wall.as_secs_f64() / bound;
    let busiest = outcome.sim.busiest_second();
    eprintln!(
        "  {:.1} s for {} requests (the store's data needs {minimum}: {:.1} s at {rate}/s): \
         ratio {ratio:.3}; at most {busiest} requests answered in a second",
        outcome.wall.as_secs_f64(),
        outcome.requests_made,
        bound
    );
    Ok(RateLimited {
        ratio: round(ratio, 3),
        requests_made: outcome.requests_made,
        requests_minimum: minimum,
        max_requests_in_a_second: busiest,
    })
}

/// The unthrottled part of the sync benchmark (`woosync bench ingest`).
#[derive(Debug, Clone, Serialize)]
pub struct IngestFigures {
    pub queue: &'static str,
    pub ingest_records_per_s: f64,
    /// The database's own pace for the same records, measured after the ingest (see
    /// [`database_bound`](super::database_bound)), and the ingest's share of it.
    pub database_records_per_s: f64,
    pub ingest_share_of_database: f64,
    /// The same of the 100,000 run, whose start and end weigh less in its time.
    pub ingest_100k_records_per_s: f64,
    pub database_100k_records_per_s: f64,
    pub ingest_100k_share_of_database: f64,
    pub peak_rss_mb_20k: f64,
    pub peak_rss_mb_100k: f64,
    /// The worker's CPU time (user and system) per 1,000 records of the 100,000 run: less
    /// moved by a busy machine than the wall time.
    pub worker_cpu_ms_per_1k_records: f64,
}

pub async fn ingest(config: &Config) -> anyhow::Result<IngestFigures> {
    eprintln!("unthrottled ingest of 20,000 products, variations and orders ...");
    let scenario = ingest_scenario(20_000);
    let small = backfill(config, &scenario).await?;
    let records = stored_count(&small.sim);
    let per_second = records as f64 / small.wall.as_secs_f64();
    eprintln!(
        "  {records} records in {:.1} s: {per_second:.0} records/s; worker peak RSS {:.0} MB",
        small.wall.as_secs_f64(),
        small.peak_rss_mb
    );
    let bound = own_pace(config, &small, &scenario).await?;
    eprintln!("unthrottled ingest of 100,000 records ...");
    let scenario = ingest_scenario(100_000);
    let large = backfill(config, &scenario).await?;
    let large_records = stored_count(&large.sim);
    let cpu_per_1k = large.worker_cpu.as_secs_f64() * 1e6 / large_records as f64;
    let large_per_second = large_records as f64 / large.wall.as_secs_f64();
    eprintln!(
        "  {large_records} records in {:.1} s: {large_per_second:.0} records/s; \
         worker peak RSS {:.0} MB; worker CPU {:.1} s, {cpu_per_1k:.0} ms per 1,000 records",
        large.wall.as_secs_f64(),
        large.peak_rss_mb,
        large.worker_cpu.as_secs_f64()
    );
    let large_bound = own_pace(config, &large, &scenario).await?;
    Ok(IngestFigures {
        queue: queue_name(config),
        ingest_records_per_s: per_second.round(),
        database_records_per_s: bound.round(),
        ingest_share_of_database: round(per_second / bound, 3),
        ingest_100k_records_per_s: large_per_second.round(),
        database_100k_records_per_s: large_bound.round(),
        ingest_100k_share_of_database: round(large_per_second / large_bound, 3),
        peak_rss_mb_20k: round(small.peak_rss_mb, 1),
        peak_rss_mb_100k: round(large.peak_rss_mb, 1),
        worker_cpu_ms_per_1k_records: round(cpu_per_1k, 1),
    })
}

/// The database's own pace for the records of `outcome`'s backfill.
async fn own_pace(config: &Config, outcome: &Outcome, scenario: &Scenario) -> anyhow::Result<f64> {
    let per_second =
        database_records_per_s(config, &outcome.sim_info, &outcome.sim, &scenario.resources)
            .await?;
    eprintln!("  the database alone, the same records: {per_second:.0} records/s");
    Ok(per_second)
}

/// One store's unthrottled ingest of 20,000 records: records written a second.
pub(super) async fn ingest_records_per_s(config: &Config) -> anyhow::Result<f64> {
    let outcome = backfill(config, &ingest_scenario(20_000)).await?;
    Ok(stored_count(&outcome.sim) as f64 / outcome.wall.as_secs_f64())
}

/// Products (a quarter variable, 3 variations each) and orders, `records` in all, from a
/// store that answers at once and is not rate limited.
fn ingest_scenario(records: usize) -> Scenario {
    Scenario {
        sizes: Sizes {
            products: records / 10,
            variable_share: 0.25,
            variations_per_product: 3,
            orders: records - records / 10 - records / 10 * 3 / 4,
            refund_share: 0.0,
            notes_per_order: 0,
            ..Sizes::default()
        },
        resources: vec![Resource::Products, Resource::Orders],
        rate_limit_per_s: 1_000_000.0,
        latency_ms: HashMap::new(),
    }
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// Products, variations and orders the store holds.
fn stored_count(sim: &SimStore) -> usize {
    let data = read(&sim.data);
    [
        Resource::Products,
        Resource::ProductVariations,
        Resource::Orders,
    ]
    .into_iter()
    .map(|resource| data.count(resource))
    .sum()
}

/// Backfills a fresh simulated store with a `woosync work` child process; measures the
/// wall time from the start of the runs until every run has succeeded and no job is left.
async fn backfill(config: &Config, scenario: &Scenario) -> anyhow::Result<Outcome> {
    let certs = tempfile::tempdir()?;
    let server = SimServer::start(SimOptions {
        port: 0,
        tls: true,
        seed: 11,
        sizes: scenario.sizes.clone(),
        cert_dir: certs.path().to_path_buf(),
        http_callbacks: false,
    })
    .await?;
    // The store holds its own limit (429 past it), so that a figure cannot come from
    // sending more than a real store would take.
    server.set_faults(|faults| {
        faults.latency_ms = scenario.latency_ms.clone();
        faults.rate_limit_per_s = Some(scenario.rate_limit_per_s);
    });
    let deployment = Deployment::start(
        config,
        "sync",
        server.info.ca_cert.as_deref(),
        &[("WOOSYNC_WORKER_CONCURRENCY", WORKER_CONCURRENCY)],
    )
    .await?;
    let services = &deployment.services;
    let store = deployment
        .connect(&server.info, scenario.rate_limit_per_s)
        .await?;
    let mut worker = deployment.spawn("work", "worker")?;

    // The clock starts once the worker has synced something small: its start (connecting,
    // the first TLS handshake with the store) is not ingest.
    let warm_up = start_sync(
        &services.context,
        store,
        Resource::TaxClasses,
        SyncMode::Backfill,
    )
    .await?
    .run
    .id;
    watch(&deployment, &[warm_up], &mut worker).await?;
    let warm_up_requests = server.store.requests().len();

    let started = Instant::now();
    let mut runs = Vec::new();
    for resource in &scenario.resources {
        runs.push(
            start_sync(&services.context, store, *resource, SyncMode::Backfill)
                .await?
                .run
                .id,
        );
    }
    let peak_while_running = watch(&deployment, &runs, &mut worker).await?;
    let wall = started.elapsed();
    let peak_rss_mb = peak_while_running.max(peak_rss(&worker).unwrap_or_default());
    let worker_cpu = cpu_time(&worker).unwrap_or_default();
    stop(&mut worker);
    // A figure counts only for a copy that is right.
    let resources = [&[Resource::TaxClasses], scenario.resources.as_slice()].concat();
    if let Some(difference) = difference_in(&services.db, store, &server.store, &resources).await? {
        anyhow::bail!("the database does not equal the store, so no figure: {difference}");
    }
    deployment.finish().await?;
    Ok(Outcome {
        wall,
        requests_made: (server.store.requests().len() - warm_up_requests) as u64,
        peak_rss_mb,
        worker_cpu,
        sim: Arc::clone(&server.store),
        sim_info: server.info.clone(),
    })
}

/// Waits until `runs` have succeeded and no job is left; returns the worker's peak RSS
/// (MB) seen meanwhile.
pub(super) async fn watch(
    deployment: &Deployment,
    runs: &[i64],
    worker: &mut Child,
) -> anyhow::Result<f64> {
    let services = &deployment.services;
    let started = Instant::now();
    let mut peak_rss_mb = 0.0_f64;
    let mut last_report = Instant::now();
    loop {
        peak_rss_mb = peak_rss_mb.max(peak_rss(worker).unwrap_or_default());
        if finished(services, runs).await? {
            return Ok(peak_rss_mb.max(peak_rss(worker).unwrap_or_default()));
        }
        if let Ok(Some(exit)) = worker.try_wait() {
            anyhow::bail!(
                "the worker stopped ({exit}); its log:\n{}",
                deployment.log("worker")
            );
        }
        anyhow::ensure!(
            started.elapsed() < PATIENCE,
            "the runs did not finish within {PATIENCE:?}"
        );
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!(
                "  ... {:.0} s, {} of {} runs done",
                started.elapsed().as_secs_f64(),
                runs_succeeded(services, runs).await?,
                runs.len()
            );
            last_report = Instant::now();
        }
        // Often enough that the end of a run of a second or two is seen within a few
        // hundredths.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The longest a benchmark waits for its runs.
const PATIENCE: Duration = Duration::from_secs(1_800);

/// Every run succeeded and no job of the pipeline is left.
///
/// The queue is asked first: while jobs are left, counting a few thousand runs in the
/// database every 20 ms would take the database's time from the pipeline it measures.
pub(super) async fn finished(services: &Services, runs: &[i64]) -> anyhow::Result<bool> {
    for queue in crate::jobs::queues() {
        let counts = services.queue.counts(queue).await?;
        if counts.pending + counts.scheduled + counts.running > 0 {
            return Ok(false);
        }
    }
    Ok(runs_succeeded(services, runs).await? == runs.len())
}

/// How many of `runs` have succeeded.
pub(super) async fn runs_succeeded(services: &Services, runs: &[i64]) -> anyhow::Result<usize> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(entity::sync_runs::Entity::find()
        .filter(entity::sync_runs::Column::Id.is_in(runs.iter().copied()))
        .filter(entity::sync_runs::Column::Status.eq(RunStatus::Succeeded))
        .count(&services.db)
        .await? as usize)
}

/// The most memory the process has held, from `/proc` (Linux).
pub(super) fn peak_rss(child: &Child) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The CPU time a process has used, user and system, from `/proc` (Linux, whose clock
/// ticks there are 1/100 s).
fn cpu_time(child: &Child) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).ok()?;
    // Fields after the command's name, which is in parentheses and may hold spaces: the
    // state first, user time 12th, system time 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

pub(super) fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
