//! `woosync bench scale`: one deployment with many stores, as production runs it, on the
//! database `DATABASE_URL` names (a scratch database on its Postgres server) or SQLite,
//! and on Redis (`REDIS_URL`) or the embedded queue. Every store is a site of one
//! simulated process.
//!
//! - `stores_ingest_records_per_s`: 1,000 stores of 50 products (a quarter variable) and
//!   100 orders, unthrottled, backfilled together by one worker process, beside one
//!   store's `ingest_records_per_s` measured in the same run, just before and just after
//!   (the mean of the two); the worker's peak RSS.
//! - `small_store_delay_ratio`: the time 100 small stores take to finish their first
//!   backfill while a store of 100,000 orders backfills, over the time 100 others take
//!   alone.
//! - `poll_lag_p99_s`: the 1,000 stores polled every minute by the clock, no webhooks:
//!   the time from a change at a random store to its row in the database.
//! - `worker_processes_speedup`: stores answering a page a second, backfilled by one
//!   `woosync work` of 8 slots, then by two; with each store's busiest second against
//!   its limit.

use std::time::{Duration, Instant};

use rand::Rng;
use rand::seq::IndexedRandom;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use serde_json::json;

use super::deployment::{Deployment, RedisFootprint};
use super::sync::{ingest_records_per_s, runs_succeeded, stop, watch};
use crate::bench::compare::difference_in;
use crate::config::Config;
use crate::pipeline::{SyncMode, start_sync};
use crate::stores::DEFAULT_RATE_LIMIT_PER_S;
use crate::woo::Resource;
use sim::generate::Sizes;
use sim::server::{SimOptions, SimServer, SimSite};
use sim::store::read;

#[derive(Debug, Clone, Serialize)]
pub struct ScaleFigures {
    pub queue: &'static str,
    pub database: &'static str,
    /// One store's 20,000 records, the mean of the runs before and after the 1,000 stores'.
    pub ingest_records_per_s: f64,
    pub stores: usize,
    pub stores_ingest_records_per_s: f64,
    /// `stores_ingest_records_per_s` over `ingest_records_per_s`.
    pub stores_ingest_share: f64,
    pub peak_rss_mb_1000_stores: f64,
    pub small_stores_alone_s: f64,
    pub small_stores_beside_large_s: f64,
    pub small_store_delay_ratio: f64,
    pub poll_changes: usize,
    /// Changes not in the database two minutes after the last was made.
    pub poll_changes_unseen: usize,
    pub poll_lag_p50_s: f64,
    pub poll_lag_p99_s: f64,
    pub one_process_s: f64,
    pub two_processes_s: f64,
    pub worker_processes_speedup: f64,
    /// Requests in a store's busiest second over its limit, the most of any store.
    pub max_store_second_over_limit: i64,
    /// What Redis holds for each of the 1,000 stores once their backfills are done, and
    /// for each job queued (their 2,000 runs' first jobs, less what it held before);
    /// none on the embedded queue.
    pub redis_keys_per_store: Option<f64>,
    pub redis_bytes_per_store: Option<f64>,
    pub redis_bytes_per_queued_job: Option<f64>,
}

const STORES: usize = 1_000;
/// Worker slots of the 1,000 stores' ingest: those of the single-store ingest beside it.
const INGEST_CONCURRENCY: &str = "96";
/// How long the clock's polls are watched, and how often a store changes meanwhile.
const POLL_WATCH: Duration = Duration::from_secs(180);
const CHANGE_EVERY: Duration = Duration::from_millis(500);

pub async fn run(config: &Config) -> anyhow::Result<ScaleFigures> {
    let processes = worker_processes(config).await?;
    let fairness = small_beside_large(config).await?;
    let before = ingest_records_per_s(config).await?;
    eprintln!("one store's ingest: {before:.0} records/s");
    let many = many_stores(config).await?;
    // One store's pace on both sides of the 1,000 stores' ingest: the machine's speed
    // drifts within minutes, and the share is against the mean.
    let single = (before + many.single_after) / 2.0;
    Ok(ScaleFigures {
        queue: many.queue,
        database: many.database,
        ingest_records_per_s: single.round(),
        stores: STORES,
        stores_ingest_records_per_s: many.records_per_s.round(),
        stores_ingest_share: round(many.records_per_s / single, 3),
        peak_rss_mb_1000_stores: round(many.peak_rss_mb, 1),
        small_stores_alone_s: round(fairness.alone.as_secs_f64(), 2),
        small_stores_beside_large_s: round(fairness.beside.as_secs_f64(), 2),
        small_store_delay_ratio: round(
            fairness.beside.as_secs_f64() / fairness.alone.as_secs_f64(),
            3,
        ),
        poll_changes: many.polls.lags.len(),
        poll_changes_unseen: many.polls.unseen,
        poll_lag_p50_s: round(percentile(&many.polls.lags, 0.5), 2),
        poll_lag_p99_s: round(percentile(&many.polls.lags, 0.99), 2),
        one_process_s: round(processes.one.as_secs_f64(), 2),
        two_processes_s: round(processes.two.as_secs_f64(), 2),
        worker_processes_speedup: round(
            processes.one.as_secs_f64() / processes.two.as_secs_f64(),
            3,
        ),
        max_store_second_over_limit: processes.over_limit,
        redis_keys_per_store: many
            .redis
            .map(|redis| round(redis.idle.keys as f64 / STORES as f64, 2)),
        redis_bytes_per_store: many
            .redis
            .map(|redis| (redis.idle.bytes as f64 / STORES as f64).round()),
        redis_bytes_per_queued_job: many.redis.map(|redis| {
            let added = redis.queued.bytes.saturating_sub(redis.before.bytes);
            (added as f64 / redis.jobs_queued.max(1) as f64).round()
        }),
    })
}

struct ManyStores {
    queue: &'static str,
    database: &'static str,
    records_per_s: f64,
    peak_rss_mb: f64,
    /// One store's ingest, measured right after the 1,000 stores'.
    single_after: f64,
    polls: PollLags,
    redis: Option<RedisUse>,
}

/// What Redis held with the stores connected, with their runs queued, and once the runs
/// were done.
#[derive(Clone, Copy)]
struct RedisUse {
    before: RedisFootprint,
    queued: RedisFootprint,
    jobs_queued: u64,
    idle: RedisFootprint,
}

/// The 1,000 stores' ingest, then their polls.
async fn many_stores(config: &Config) -> anyhow::Result<ManyStores> {
    let certs = tempfile::tempdir()?;
    let fleet = simulated(
        STORES,
        1_000,
        Sizes {
            products: 50,
            variable_share: 0.25,
            variations_per_product: 3,
            orders: 100,
            refund_share: 0.0,
            notes_per_order: 0,
            ..few_others()
        },
        true,
        certs.path(),
    )
    .await?;
    let deployment = Deployment::start(
        config,
        "scale",
        fleet.info.ca_cert.as_deref(),
        &[
            ("WOOSYNC_WORKER_CONCURRENCY", INGEST_CONCURRENCY),
            ("WOOSYNC_POLL_CRON", "0 * * * * *"),
        ],
    )
    .await?;
    let stores = connect_all(&deployment, &fleet.sites, 1_000_000.0).await?;
    let before = deployment.redis_footprint().await?;
    // The runs are queued before the worker starts, so that the figure is the worker's
    // and not the pace at which this process can start 2,000 runs; the worker's start
    // (a few hundred milliseconds) is in it.
    let resources = [Resource::Products, Resource::Orders];
    let runs = start_all(&deployment, &stores, &resources).await?;
    let queued = deployment.redis_footprint().await?;
    let mut jobs_queued = 0;
    for queue in crate::jobs::queues() {
        let counts = deployment.services.queue.counts(queue).await?;
        jobs_queued += counts.pending + counts.scheduled;
    }
    eprintln!(
        "{STORES} stores of 50 products and 100 orders, unthrottled, backfilled together ..."
    );
    let started = Instant::now();
    let mut worker = deployment.spawn("work", "worker")?;
    let peak_rss_mb = watch(&deployment, &runs, &mut worker).await?;
    let wall = started.elapsed();
    equal_to_stores(&deployment, &stores, &fleet.sites, &resources).await?;
    let records: usize = fleet
        .sites
        .iter()
        .map(|site| {
            let data = read(&site.store.data);
            [
                Resource::Products,
                Resource::ProductVariations,
                Resource::Orders,
            ]
            .into_iter()
            .map(|resource| data.count(resource))
            .sum::<usize>()
        })
        .sum();
    let records_per_s = records as f64 / wall.as_secs_f64();
    eprintln!(
        "  {records} records in {:.1} s: {records_per_s:.0} records/s; worker peak RSS {peak_rss_mb:.0} MB",
        wall.as_secs_f64()
    );

    let idle = deployment.redis_footprint().await?;
    let redis = match (before, queued, idle) {
        (Some(before), Some(queued), Some(idle)) => {
            eprintln!(
                "  Redis: {} keys, {} bytes with the stores connected; {} keys, {} bytes with {jobs_queued} jobs queued; {} keys, {} bytes once done",
                before.keys, before.bytes, queued.keys, queued.bytes, idle.keys, idle.bytes
            );
            Some(RedisUse {
                before,
                queued,
                jobs_queued,
                idle,
            })
        }
        _ => None,
    };
    stop(&mut worker);
    let single_after = ingest_records_per_s(config).await?;
    eprintln!("one store's ingest again: {single_after:.0} records/s");
    let mut worker = deployment.spawn("work", "worker")?;
    let polls = poll_lags(&deployment, &fleet.sites, &stores).await?;
    stop(&mut worker);
    let (queue, database) = (deployment.queue, deployment.database);
    deployment.finish().await?;
    Ok(ManyStores {
        queue,
        database,
        records_per_s,
        peak_rss_mb,
        single_after,
        polls,
        redis,
    })
}

/// With the clock polling every store each minute at the default rate limit, a change
/// at a random store every half second: the seconds from each change to its row.
async fn poll_lags(
    deployment: &Deployment,
    sites: &[SimSite],
    stores: &[i64],
) -> anyhow::Result<PollLags> {
    use entity::stores as store_rows;
    store_rows::Entity::update_many()
        .col_expr(
            store_rows::Column::RateLimitPerS,
            sea_orm::sea_query::Expr::value(DEFAULT_RATE_LIMIT_PER_S),
        )
        .exec(&deployment.services.db)
        .await?;
    for site in sites {
        sim::store::write(&site.store.faults).rate_limit_per_s = Some(DEFAULT_RATE_LIMIT_PER_S);
    }
    let mut clock = deployment.spawn("schedule", "clock")?;
    eprintln!(
        "polls of {} stores every minute, a change every {:?} for {:?} ...",
        stores.len(),
        CHANGE_EVERY,
        POLL_WATCH
    );
    let mut waiting: Vec<(i64, i64, String, Instant)> = Vec::new();
    let mut lags = Vec::new();
    let started = Instant::now();
    let mut next_change = Instant::now();
    let mut probe = 0;
    // Changes still not in the database two polls after the last count with the time
    // waited, a lag at least that long.
    while (started.elapsed() < POLL_WATCH || !waiting.is_empty())
        && started.elapsed() < POLL_WATCH + Duration::from_secs(120)
    {
        if started.elapsed() < POLL_WATCH && Instant::now() >= next_change {
            let at = rand::rng().random_range(0..sites.len());
            let site = &sites[at];
            // An order whose last change is still on its way would lose that change to
            // this one and count as never seen.
            let order = read(&site.store.data)
                .collection((Resource::Orders, 0))
                .iter()
                .filter_map(|order| order["id"].as_i64())
                .filter(|order| {
                    !waiting
                        .iter()
                        .any(|(store, waiting, ..)| *store == stores[at] && waiting == order)
                })
                .collect::<Vec<_>>()
                .choose(&mut rand::rng())
                .copied()
                .ok_or_else(|| anyhow::anyhow!("a simulated store has no orders"))?;
            probe += 1;
            let email = format!("probe-{probe}@example.com");
            site.store.update(
                Resource::Orders,
                0,
                order,
                json!({"billing": {"email": email}}),
            );
            waiting.push((stores[at], order, email, Instant::now()));
            next_change += CHANGE_EVERY;
        }
        let mut still = Vec::with_capacity(waiting.len());
        for (store, order, email, changed) in waiting {
            let found = entity::orders::Entity::find()
                .select_only()
                .column(entity::orders::Column::WooId)
                .filter(entity::orders::Column::StoreId.eq(store))
                .filter(entity::orders::Column::WooId.eq(order))
                .filter(entity::orders::Column::BillingEmail.eq(email.as_str()))
                .into_tuple::<i64>()
                .one(&deployment.services.db)
                .await?
                .is_some();
            if found {
                lags.push(changed.elapsed().as_secs_f64());
            } else {
                still.push((store, order, email, changed));
            }
        }
        waiting = still;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop(&mut clock);
    for (store, order, email, _) in &waiting {
        eprintln!(
            "  unseen: store {store} order {order} ({email}); {}",
            last_runs(deployment, *store).await?
        );
    }
    let unseen = waiting.len();
    lags.extend(
        waiting
            .iter()
            .map(|(.., changed)| changed.elapsed().as_secs_f64()),
    );
    eprintln!(
        "  {} changes: lag p50 {:.1} s, p99 {:.1} s; {unseen} not in the database when the watch ended",
        lags.len(),
        percentile(&lags, 0.5),
        percentile(&lags, 0.99)
    );
    Ok(PollLags { lags, unseen })
}

/// A store's last order runs, for a change that never came.
async fn last_runs(deployment: &Deployment, store: i64) -> anyhow::Result<String> {
    use entity::sync_runs;
    use sea_orm::QueryOrder;
    let runs = sync_runs::Entity::find()
        .filter(sync_runs::Column::StoreId.eq(store))
        .filter(sync_runs::Column::Resource.eq(Resource::Orders))
        .order_by_desc(sync_runs::Column::Id)
        .limit(3)
        .all(&deployment.services.db)
        .await?;
    Ok(runs
        .iter()
        .map(|run| {
            format!(
                "run {} {:?} {:?} created {} started {:?} finished {:?} error {:?}",
                run.id,
                run.kind,
                run.status,
                run.created_at,
                run.started_at,
                run.finished_at,
                run.last_error
            )
        })
        .collect::<Vec<_>>()
        .join("; "))
}

struct PollLags {
    /// Seconds from each change to its row.
    lags: Vec<f64>,
    /// Changes whose row had not come when the watch ended.
    unseen: usize,
}

struct Fairness {
    alone: Duration,
    beside: Duration,
}

/// 100 small stores alone, then 100 others beside a store of 100,000 orders, every store
/// at the default rate limit and answering a page in 300 ms.
async fn small_beside_large(config: &Config) -> anyhow::Result<Fairness> {
    let certs = tempfile::tempdir()?;
    let small = simulated(
        200,
        3_000,
        Sizes {
            products: 20,
            orders: 50,
            ..few_others()
        },
        true,
        &certs.path().join("small"),
    )
    .await?;
    // Over plain HTTP (OAuth 1.0a): the deployment trusts one certificate, the small
    // stores'.
    let large = simulated(
        1,
        4_000,
        Sizes {
            products: 100,
            orders: 100_000,
            refund_share: 0.0,
            notes_per_order: 0,
            ..few_others()
        },
        false,
        &certs.path().join("large"),
    )
    .await?;
    for site in small
        .sites
        .iter()
        .map(|site| &site.store)
        .chain([&large.store])
    {
        let mut faults = sim::store::write(&site.faults);
        faults.rate_limit_per_s = Some(DEFAULT_RATE_LIMIT_PER_S);
        faults.latency_ms.insert("default".into(), 300);
    }
    let deployment =
        Deployment::start(config, "fairness", small.info.ca_cert.as_deref(), &[]).await?;
    let stores = connect_all(&deployment, &small.sites, DEFAULT_RATE_LIMIT_PER_S).await?;
    let mut worker = deployment.spawn("work", "worker")?;
    let resources = [Resource::Products, Resource::Orders];
    let (first, second) = stores.split_at(100);

    eprintln!("100 small stores backfilled alone ...");
    let started = Instant::now();
    let runs = start_all(&deployment, first, &resources).await?;
    watch(&deployment, &runs, &mut worker).await?;
    let alone = started.elapsed();
    eprintln!("  {:.1} s", alone.as_secs_f64());

    let large_store = deployment
        .connect(&large.info, DEFAULT_RATE_LIMIT_PER_S)
        .await?;
    let large_run = start_all(&deployment, &[large_store], &[Resource::Orders]).await?;
    // Its first page has put the other 999 on the queue.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !pages_known(&deployment, large_run[0]).await? {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the large store's first page did not come in 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("100 other small stores beside a store of 100,000 orders ...");
    let started = Instant::now();
    let runs = start_all(&deployment, second, &resources).await?;
    while runs_succeeded(&deployment.services, &runs).await? < runs.len() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(1_800),
            "the small stores beside the large one did not finish in 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let beside = started.elapsed();
    eprintln!("  {:.1} s", beside.as_secs_f64());
    stop(&mut worker);
    equal_to_stores(&deployment, &stores, &small.sites, &resources).await?;
    deployment.finish().await?;
    Ok(Fairness { alone, beside })
}

struct Processes {
    one: Duration,
    two: Duration,
    over_limit: i64,
}

/// 40 stores of 400 orders answering a page a second, at the default rate limit:
/// backfilled by one worker process of 8 slots, then (a fresh deployment) by two. A
/// store's sweep lists its ids a page after another, so a store's own work is a chain of
/// seconds that more slots do not shorten: small stores keep it short beside the whole.
async fn worker_processes(config: &Config) -> anyhow::Result<Processes> {
    let certs = tempfile::tempdir()?;
    let fleet = simulated(
        40,
        5_000,
        Sizes {
            products: 10,
            orders: 400,
            refund_share: 0.0,
            notes_per_order: 0,
            ..few_others()
        },
        true,
        certs.path(),
    )
    .await?;
    for site in &fleet.sites {
        let mut faults = sim::store::write(&site.store.faults);
        faults.rate_limit_per_s = Some(DEFAULT_RATE_LIMIT_PER_S);
        faults.latency_ms.insert("default".into(), 1_000);
    }
    let mut took = Vec::new();
    let mut over_limit = i64::MIN;
    for processes in [1, 2] {
        for site in &fleet.sites {
            site.store.clear_requests();
        }
        let deployment = Deployment::start(
            config,
            &format!("processes{processes}"),
            fleet.info.ca_cert.as_deref(),
            &[("WOOSYNC_WORKER_CONCURRENCY", "8")],
        )
        .await?;
        let stores = connect_all(&deployment, &fleet.sites, DEFAULT_RATE_LIMIT_PER_S).await?;
        eprintln!(
            "40 stores of 400 orders at a page a second, {processes} worker process(es) of 8 slots ..."
        );
        let mut workers = (0..processes)
            .map(|n| deployment.spawn("work", if n == 0 { "worker" } else { "worker-1" }))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let started = Instant::now();
        let runs = start_all(&deployment, &stores, &[Resource::Orders]).await?;
        watch(&deployment, &runs, &mut workers[0]).await?;
        let wall = started.elapsed();
        for worker in &mut workers {
            stop(worker);
        }
        equal_to_stores(&deployment, &stores, &fleet.sites, &[Resource::Orders]).await?;
        for site in &fleet.sites {
            over_limit = over_limit
                .max(site.store.busiest_second() as i64 - DEFAULT_RATE_LIMIT_PER_S as i64);
        }
        eprintln!("  {:.1} s", wall.as_secs_f64());
        took.push(wall);
        deployment.finish().await?;
    }
    Ok(Processes {
        one: took[0],
        two: took[1],
        over_limit,
    })
}

/// Sizes of the resources the scale benchmark does not sync: small, so that a thousand
/// stores are quick to make.
fn few_others() -> Sizes {
    Sizes {
        customers: 5,
        coupons: 1,
        categories: 3,
        tags: 2,
        reviews: 1,
        // Order notes are not backfilled by default.
        notes_per_order: 0,
        ..Sizes::default()
    }
}

/// `stores` simulated stores of one process (sites `/shop-N/` past the first).
async fn simulated(
    stores: usize,
    seed: u64,
    sizes: Sizes,
    tls: bool,
    cert_dir: &std::path::Path,
) -> anyhow::Result<SimServer> {
    let options = SimOptions {
        port: 0,
        tls,
        seed,
        sizes,
        cert_dir: cert_dir.to_path_buf(),
        http_callbacks: false,
    };
    Ok(SimServer::start_many(options, stores).await?)
}

/// A figure counts only for copies equal to their stores.
async fn equal_to_stores(
    deployment: &Deployment,
    stores: &[i64],
    sites: &[SimSite],
    resources: &[Resource],
) -> anyhow::Result<()> {
    for (store, site) in stores.iter().zip(sites) {
        if let Some(difference) =
            difference_in(&deployment.services.db, *store, &site.store, resources).await?
        {
            anyhow::bail!(
                "{}: the database differs, so no figure: {difference}",
                site.info.url
            );
        }
    }
    Ok(())
}

async fn connect_all(
    deployment: &Deployment,
    sites: &[SimSite],
    rate_limit_per_s: f64,
) -> anyhow::Result<Vec<i64>> {
    let mut stores = Vec::with_capacity(sites.len());
    for site in sites {
        stores.push(deployment.connect(&site.info, rate_limit_per_s).await?);
    }
    Ok(stores)
}

async fn start_all(
    deployment: &Deployment,
    stores: &[i64],
    resources: &[Resource],
) -> anyhow::Result<Vec<i64>> {
    let mut runs = Vec::with_capacity(stores.len() * resources.len());
    for store in stores {
        for resource in resources {
            runs.push(
                start_sync(
                    &deployment.services.context,
                    *store,
                    *resource,
                    SyncMode::Backfill,
                )
                .await?
                .run
                .id,
            );
        }
    }
    Ok(runs)
}

async fn pages_known(deployment: &Deployment, run: i64) -> anyhow::Result<bool> {
    Ok(entity::sync_runs::Entity::find_by_id(run)
        .one(&deployment.services.db)
        .await?
        .is_some_and(|run| run.pages_total.is_some()))
}

fn percentile(values: &[f64], share: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = ((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at]
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}
