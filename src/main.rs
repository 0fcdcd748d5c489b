use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use std::sync::Arc;

use sim::generate::Sizes;
use sim::server::{SimOptions, SimServer};
use woosync::api::ApiState;
use woosync::config::Config;
use woosync::pipeline::{SyncMode, resources_named, start_sync};
use woosync::queue::redis::RedisStorage;
use woosync::queue::sqlite::SqliteStorage;
use woosync::queue::storage::Storage;
use woosync::services::Services;
use woosync::startup::{bind_web, generated_api_token, run_all, serve_metrics, shutdown_signal};
use woosync::stores::{ConnectPolicy, ConnectRequest, connect_store};
use woosync::{database, progress, telemetry};

/// A worker allocates and frees many small values per record (JSON maps, strings);
/// mimalloc does that much faster than the system allocator under several threads. It is
/// built without its transparent huge pages (`no_thp`): a page's bound values grow
/// buffers of hundreds of kilobytes, and each fresh huge page behind them was faulted in
/// and zeroed 2 MB at a time, for memory the worker then held.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps a faithful, always-fresh copy of WooCommerce stores in a SQL database.
#[derive(Parser)]
#[command(name = "woosync", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the database migrations (the release step); safe to run twice.
    Migrate,
    /// Run workers for every job type until SIGTERM (any number of these may run).
    Work,
    /// Run the clock: scheduled polls and sweeps of every active store, and resuming runs
    /// that lost their jobs (two running do no double work).
    Schedule,
    /// The web ingress: integration API, webhook receiver, read API, health, metrics
    /// (needs WOOSYNC_API_TOKEN; any number may run).
    Serve,
    /// Web, worker and clock in one process, for a laptop (makes an API token when none
    /// is set, and prints it).
    Dev,
    /// The whole job with nothing but Rust: a simulated store, connected, backfilled with a
    /// progress line per resource, then kept changing while polls bring the changes in.
    Demo(DemoArgs),
    /// Connect a store (or give a connected one new keys); prints its id.
    Connect(ConnectArgs),
    /// Start a sync of a connected store: every resource, or one.
    Sync(SyncArgs),
    /// Run a simulated WooCommerce store until stopped. Its first line on stdout is JSON:
    /// {"url", "consumer_key", "consumer_secret", "ca_cert"}.
    Sim(SimArgs),
    /// Run a benchmark and print its figures (on Redis when REDIS_URL is set, else on the
    /// embedded SQLite queue in a temporary directory).
    Bench(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
    /// Without one: the sync benchmark (rate-limited backfill, ingest, worker memory).
    #[command(subcommand)]
    which: Option<Benchmark>,
    /// Print the figures last as one JSON object.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Benchmark {
    /// No-op jobs through one worker at backlogs of 1,000 and 200,000, and crash recovery.
    Queue,
    /// Signed webhook deliveries over 64 connections: accepted per second, latency, and
    /// the queue counted afterwards.
    Webhooks,
    /// Only the unthrottled part of the sync benchmark: ingest rate and worker memory.
    Ingest,
    /// The change feed to a consumer endpoint on loopback: events per second at
    /// saturation, latency from a store's webhook to the consumer, losses and duplicates
    /// with the endpoint failing a fifth of deliveries, and the ingest rate beside.
    Events,
    /// 2,000 order creates through the queue against a store limited to 20 requests/s
    /// that loses a tenth of its answers: time over what the rate limit allows,
    /// duplicates and losses.
    Writes,
    /// One deployment with many stores: 1,000 stores' ingest beside one store's, small
    /// stores beside a store of 100,000 orders, poll lag at 1,000 stores, one worker
    /// process against two (`DATABASE_URL` and `REDIS_URL` choose the database and queue).
    Scale,
    /// Two workers and a clock backfilling a store that fails a tenth of its requests,
    /// a worker killed at random ten times: whether every run ends right (needs REDIS_URL;
    /// a Postgres DATABASE_URL gets a scratch database).
    Torture,
    /// The worker process `bench queue` starts and kills.
    #[command(hide = true)]
    HoldWorker {
        #[arg(long)]
        scratch: std::path::PathBuf,
        #[arg(long)]
        prefix: String,
    },
}

#[derive(Args)]
struct DemoArgs {
    /// Start from an empty data directory instead of the last run's.
    #[arg(long)]
    fresh: bool,
    /// Stop after the first catch-up; the exit status says whether the database equals
    /// the store.
    #[arg(long)]
    until_synced: bool,
    /// Run the queue on this Redis instead of the embedded one.
    #[arg(long)]
    redis: Option<String>,
    #[arg(long, default_value_t = 2_000)]
    products: usize,
    #[arg(long, default_value_t = 5_000)]
    orders: usize,
    #[arg(long, default_value_t = 1_000)]
    customers: usize,
    /// Requests per second woosync may send the simulated store.
    #[arg(long, default_value_t = 15.0)]
    rate_limit: f64,
    /// Connect the store through its own approval page, as a merchant would (one-click
    /// connect): prints the address to open, then waits for the approval.
    #[arg(long)]
    one_click: bool,
}

#[derive(Args)]
struct ConnectArgs {
    /// The site's address, such as https://shop.example.
    #[arg(long)]
    url: String,
    #[arg(long)]
    consumer_key: String,
    #[arg(long)]
    consumer_secret: String,
    /// A name for people; the host by default.
    #[arg(long)]
    name: Option<String>,
    /// Requests per second the store may take from woosync.
    #[arg(long, default_value_t = woosync::stores::DEFAULT_RATE_LIMIT_PER_S)]
    rate_limit: f64,
    /// `basic` (HTTPS), `query_string` (HTTPS, for hosts that drop the Authorization
    /// header) or `oauth1` (plain HTTP); by default basic over HTTPS, oauth1 over HTTP.
    #[arg(long)]
    auth: Option<String>,
    /// Backfill the notes of every order (a request per order); by default only orders
    /// changed since the store was connected have their notes fetched.
    #[arg(long)]
    backfill_order_notes: bool,
}

#[derive(Args)]
struct SyncArgs {
    /// The store's id.
    #[arg(long)]
    store: i64,
    /// A resource (`products`, `orders`, ...) or `all`.
    #[arg(long, default_value = "all")]
    resource: String,
    /// `backfill`, `incremental`, `sweep`, or `auto`: a backfill the first time,
    /// incremental after.
    #[arg(long, default_value = "auto")]
    mode: String,
    /// Wait for the runs (worked by `woosync work` or `dev`), showing their progress, and
    /// exit with their status: 0 when they all succeed.
    #[arg(long)]
    follow: bool,
}

#[derive(Args)]
struct SimArgs {
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with a self-signed certificate (written to the data directory) and HTTP
    /// Basic auth; without it, plain HTTP and OAuth 1.0a, as WooCommerce requires.
    #[arg(long)]
    tls: bool,
    /// Seed of the generated data: the same seed makes the same store.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    products: Option<usize>,
    #[arg(long)]
    orders: Option<usize>,
    #[arg(long)]
    customers: Option<usize>,
    #[arg(long)]
    coupons: Option<usize>,
    #[arg(long)]
    categories: Option<usize>,
    #[arg(long)]
    reviews: Option<usize>,
    /// Added latency of every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Requests per second the store's host tolerates before answering 429.
    #[arg(long)]
    rate_limit: Option<f64>,
    /// Let app authentication (`/wc-auth/v1/authorize`) call back over plain HTTP, for a
    /// woosync on this machine without https; a real store refuses it.
    #[arg(long)]
    allow_http_callbacks: bool,
    /// Serve this many stores, each a site of its own under `/shop-N/` with its own keys,
    /// data (seed + N), rate limit and webhooks; the first line then lists them all.
    #[arg(long, default_value_t = 1)]
    stores: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("woosync: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    // The processes log what they do; a command a person runs says it on stdout.
    let level = match cli.command {
        Command::Work | Command::Schedule | Command::Serve | Command::Dev | Command::Sim(_) => {
            "info"
        }
        _ => "warn",
    };
    telemetry::init_logging(config.log_format, level);
    let result = match cli.command {
        Command::Migrate => migrate(&config).await,
        Command::Work => work(config).await,
        Command::Schedule => schedule(config).await,
        Command::Serve => serve(config).await,
        Command::Dev => dev(config).await,
        Command::Demo(args) => demo(config, args).await,
        Command::Connect(args) => connect(config, args).await,
        Command::Sync(args) => sync(config, args).await,
        Command::Sim(args) => sim(&config, args).await,
        Command::Bench(args) => bench(&config, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = database::database_url(config)?;
    let db = database::connect_url(&url).await?;
    let applied = database::migrate(&db).await?;
    println!(
        "database schema is up to date at {} (applied {applied} migrations)",
        database::redact_password(&url)
    );
    Ok(())
}

async fn work(config: Config) -> anyhow::Result<()> {
    serve_metrics(&config).await?;
    let services = Services::start(config).await?;
    services.worker().run(shutdown_signal()).await?;
    Ok(())
}

async fn schedule(config: Config) -> anyhow::Result<()> {
    serve_metrics(&config).await?;
    let services = Services::start(config).await?;
    services.clock().run(shutdown_signal()).await
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let Some(token) = config.api_token.clone() else {
        anyhow::bail!(
            "WOOSYNC_API_TOKEN is not set: serve will not run an API anyone can call (make one with `openssl rand -hex 32`)"
        );
    };
    let (listener, public_url) = bind_web(&config).await?;
    let services = Services::start(config).await?;
    tracing::info!(address = %listener.local_addr()?, %public_url, "serving");
    let state = ApiState::new(services, &token, &public_url);
    woosync::api::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

async fn dev(config: Config) -> anyhow::Result<()> {
    let token = match config.api_token.clone() {
        Some(token) => token,
        None => {
            let token = generated_api_token();
            println!("API token (WOOSYNC_API_TOKEN was not set): {token}");
            token
        }
    };
    let (listener, public_url) = bind_web(&config).await?;
    let services = Services::start(config).await?;
    println!("serving at {public_url}");
    let state = ApiState::new(services.clone(), &token, &public_url);
    run_all(&services, listener, state, shutdown_signal()).await
}

async fn demo(config: Config, args: DemoArgs) -> anyhow::Result<()> {
    let defaults = Sizes::default();
    // The rest of the catalogue in proportion to the products.
    let scale = |base: usize| (base * args.products / defaults.products).max(1);
    let sizes = Sizes {
        products: args.products,
        orders: args.orders,
        customers: args.customers,
        coupons: scale(defaults.coupons),
        categories: scale(defaults.categories).min(200),
        tags: scale(defaults.tags).min(200),
        reviews: scale(defaults.reviews),
        // Order notes are fetched only for orders changed since the store was connected
        // (see README): the demo store's history has none, so that it can be compared.
        notes_per_order: 0,
        ..defaults
    };
    if !(args.rate_limit.is_finite() && args.rate_limit > 0.0) {
        anyhow::bail!("--rate-limit must be a positive number of requests per second");
    }
    woosync::demo::run(
        config,
        woosync::demo::DemoOptions {
            fresh: args.fresh,
            until_synced: args.until_synced,
            redis: args.redis,
            sizes,
            rate_limit: args.rate_limit,
            one_click: args.one_click,
        },
    )
    .await
}

async fn connect(config: Config, args: ConnectArgs) -> anyhow::Result<()> {
    let policy = ConnectPolicy::of(&config);
    let services = Services::start(config).await?;
    let store_id = connect_store(
        &services.db,
        &services.context.secret_key,
        policy,
        ConnectRequest {
            store_url: args.url,
            consumer_key: args.consumer_key,
            consumer_secret: args.consumer_secret,
            name: args.name,
            rate_limit: Some(args.rate_limit),
            auth_mode: args.auth,
            backfill_order_notes: args.backfill_order_notes.then_some(true),
        },
    )
    .await?;
    // The store's own low-stock threshold, if it tells: the first word with the store.
    if let Some(store) = woosync::stores::find_store(&services.db, store_id).await?
        && let Ok(client) = services.context.client(&store)
    {
        woosync::stores::learn_low_stock_amount(&services.db, store_id, &client.patient()).await?;
    }
    println!("{store_id}");
    Ok(())
}

async fn sync(config: Config, args: SyncArgs) -> anyhow::Result<()> {
    let mode: SyncMode = args.mode.parse()?;
    let resources = resources_named(&args.resource)?;
    let services = Services::start(config).await?;
    if woosync::stores::find_store(&services.db, args.store)
        .await?
        .is_none()
    {
        anyhow::bail!("store {} does not exist", args.store);
    }
    let mut runs = Vec::new();
    for resource in resources {
        let started = start_sync(&services.context, args.store, resource, mode).await?;
        let verb = if started.new {
            "started"
        } else {
            "already under way:"
        };
        println!(
            "{resource}: {verb} run {} ({})",
            started.run.id, started.run.kind
        );
        runs.push(started.run.id);
    }
    if !args.follow {
        return Ok(());
    }
    let started = std::time::Instant::now();
    match progress::follow(&services, &runs).await? {
        progress::Ended::Succeeded => {
            println!(
                "synced in {:.0} s; {}",
                started.elapsed().as_secs_f64(),
                progress::records_held(&services, args.store).await?
            );
            Ok(())
        }
        progress::Ended::Failed(failed) => {
            for (resource, why) in &failed {
                println!("the {resource} run failed: {why}");
            }
            anyhow::bail!("{} of {} runs failed", failed.len(), runs.len())
        }
    }
}

async fn sim(config: &Config, args: SimArgs) -> anyhow::Result<()> {
    let defaults = Sizes::default();
    let sizes = Sizes {
        products: args.products.unwrap_or(defaults.products),
        orders: args.orders.unwrap_or(defaults.orders),
        customers: args.customers.unwrap_or(defaults.customers),
        coupons: args.coupons.unwrap_or(defaults.coupons),
        categories: args.categories.unwrap_or(defaults.categories),
        reviews: args.reviews.unwrap_or(defaults.reviews),
        ..defaults
    };
    let server = SimServer::start_many(
        SimOptions {
            port: args.port,
            tls: args.tls,
            seed: args.seed,
            sizes,
            cert_dir: config.data_dir.join("sim"),
            http_callbacks: args.allow_http_callbacks,
        },
        args.stores,
    )
    .await?;
    for site in &server.sites {
        let mut faults = sim::store::write(&site.store.faults);
        if args.latency_ms > 0 {
            faults.latency_ms.insert("default".into(), args.latency_ms);
        }
        faults.rate_limit_per_s = args.rate_limit;
    }
    if args.stores > 1 {
        let stores: Vec<serde_json::Value> = server
            .sites
            .iter()
            .map(|site| {
                serde_json::json!({
                    "url": site.info.url,
                    "consumer_key": site.info.consumer_key,
                    "consumer_secret": site.info.consumer_secret,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"stores": stores, "ca_cert": server.info.ca_cert})
        );
    } else {
        println!("{}", serde_json::to_string(&server.info)?);
    }
    tracing::info!(url = %server.info.url, stores = server.sites.len(), "simulated store serving; Ctrl-C stops it");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The queue a benchmark uses: Redis under a prefix of its own when `REDIS_URL` is set,
/// else the embedded queue in a SQLite file of its own.
async fn bench_storage(
    config: &Config,
    scratch: &std::path::Path,
    prefix: &str,
) -> anyhow::Result<(Arc<dyn Storage>, &'static str)> {
    Ok(match &config.redis_url {
        Some(url) => (Arc::new(RedisStorage::connect(url, prefix).await?), "redis"),
        None => {
            let url = format!("sqlite://{}?mode=rwc", scratch.join("bench.db").display());
            let db = database::connect_url(&url).await?;
            database::migrate(&db).await?;
            (Arc::new(SqliteStorage::new(db)?), "sqlite")
        }
    })
}

async fn bench(config: &Config, args: BenchArgs) -> anyhow::Result<()> {
    let figures = match args.which {
        None => serde_json::to_value(woosync::bench::sync::run(config).await?)?,
        Some(Benchmark::Queue) => {
            let scratch = tempfile::tempdir()?;
            let prefix = format!("woosync-bench-{}:", std::process::id());
            let (storage, name) = bench_storage(config, scratch.path(), &prefix).await?;
            let start_worker = || {
                std::process::Command::new(std::env::current_exe()?)
                    .args(["bench", "hold-worker", "--scratch"])
                    .arg(scratch.path())
                    .args(["--prefix", &prefix])
                    .spawn()
            };
            serde_json::to_value(woosync::bench::queue::run(storage, name, &start_worker).await?)?
        }
        Some(Benchmark::Ingest) => {
            serde_json::to_value(woosync::bench::sync::ingest(config).await?)?
        }
        Some(Benchmark::Events) => {
            serde_json::to_value(woosync::bench::events::run(config).await?)?
        }
        Some(Benchmark::Webhooks) => {
            serde_json::to_value(woosync::bench::webhooks::run(config).await?)?
        }
        Some(Benchmark::Writes) => {
            serde_json::to_value(woosync::bench::writes::run(config).await?)?
        }
        Some(Benchmark::Scale) => serde_json::to_value(woosync::bench::scale::run(config).await?)?,
        Some(Benchmark::Torture) => {
            serde_json::to_value(woosync::bench::torture::run(config).await?)?
        }
        Some(Benchmark::HoldWorker { scratch, prefix }) => {
            let (storage, _) = bench_storage(config, &scratch, &prefix).await?;
            woosync::bench::queue::hold_worker(storage).await?;
            return Ok(());
        }
    };
    if args.json {
        println!("{figures}");
    }
    Ok(())
}
