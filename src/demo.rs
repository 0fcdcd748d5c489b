//! `woosync demo`: the whole job on the embedded defaults, with nothing but Rust: a
//! simulated store with a realistic catalogue, connected, tested and backfilled with a
//! progress line per resource, then kept changing (orders placed and refunded, stock
//! moving, products edited and deleted) while its webhooks, delivered to woosync's own API,
//! and the clock's polls bring the changes in.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use entity::{stores, sync_runs};
use rand::{Rng, SeedableRng};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::api::ApiState;
use crate::bench::compare::{backfill_requests, difference};
use crate::config::Config;
use crate::jobs::WebhookDelivery;
use crate::pipeline::{SyncMode, start_sync};
use crate::progress::{Ended, follow, records_held};
use crate::queue::job::Job;
use crate::secrets::Secret;
use crate::services::Services;
use crate::startup::{generated_api_token, run_all};
use crate::stores::{AuthMode, NewStore, save_store};
use crate::sync::runs::{RunKind, RunStatus};
use crate::webhooks::registration::register_webhooks;
use crate::woo::Resource;
use crate::woo::auth::oauth1::SignatureMethod;
use crate::woo::client::WooClient;
use sim::data::StoreData;
use sim::generate::Sizes;
use sim::server::{SimOptions, SimServer};
use sim::store::{SimStore, read, write};

pub struct DemoOptions {
    /// Start from an empty data directory instead of the last run's.
    pub fresh: bool,
    /// Stop after the first catch-up, with the exit status saying whether the database
    /// equals the store.
    pub until_synced: bool,
    /// The queue on this Redis instead of the embedded one.
    pub redis: Option<String>,
    pub sizes: Sizes,
    /// Requests per second woosync may send the store.
    pub rate_limit: f64,
    /// Connect through the store's approval page (you approve in a browser) instead of
    /// with its keys.
    pub one_click: bool,
}

const STORE_NAME: &str = "woosync demo store";

pub async fn run(config: Config, options: DemoOptions) -> anyhow::Result<()> {
    let dir = config.data_dir.join("demo");
    if options.fresh && dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    println!("woosync demo: data in {}", dir.display());
    // The store keeps its address from run to run (its records link to it), unless the
    // port was taken meanwhile.
    let port_file = dir.join("sim-port");
    let earlier_port = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|text| text.trim().parse::<u16>().ok())
        .filter(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok());
    let server = SimServer::start(SimOptions {
        port: earlier_port.unwrap_or(0),
        tls: true,
        seed: 1,
        sizes: options.sizes.clone(),
        cert_dir: dir.join("sim"),
        // woosync serves plain HTTP on this machine; a real store would refuse to call it.
        http_callbacks: options.one_click,
    })
    .await?;
    // The store's records as the last run left them, changes included.
    let snapshot_file = dir.join("sim-store.json");
    if let Ok(text) = std::fs::read_to_string(&snapshot_file) {
        match StoreData::from_snapshot(&text) {
            Ok(data) => *write(&server.store.data) = data,
            Err(_) => println!("the last run's store could not be read: starting from a new one"),
        }
    }
    if let Some(port) = url::Url::parse(&server.info.url)
        .ok()
        .and_then(|url| url.port())
    {
        std::fs::write(&port_file, port.to_string())?;
    }
    println!(
        "simulated WooCommerce store at {} ({} products, {} orders, {} customers)",
        server.info.url, options.sizes.products, options.sizes.orders, options.sizes.customers
    );

    let config = Config {
        database_url: Some(format!(
            "sqlite://{}?mode=rwc",
            dir.join("woosync.db").display()
        )),
        data_dir: dir.clone(),
        redis_url: options.redis.clone().or(config.redis_url),
        extra_ca_cert: server.info.ca_cert.clone(),
        // Polls every 30 s, so changes show up while you watch.
        poll_cron: "*/30 * * * * *".parse()?,
        // The simulated store is on this machine.
        allow_private_stores: true,
        // The demo's own key, kept in its directory: no warning about production keys.
        secret_key: match config.secret_key {
            Some(key) => Some(key),
            None => Some(crate::secrets::SecretKey::load_or_generate(&dir)?.0),
        },
        ..config
    };
    let db = crate::database::connect(&config).await?;
    let applied = crate::database::migrate(&db).await?;
    db.close().await?;
    if applied > 0 {
        println!("database ready: applied {applied} migrations");
    }
    // PORT if it is free, else any free port.
    let listener = match tokio::net::TcpListener::bind((config.host, config.port)).await {
        Ok(listener) => listener,
        Err(_) => tokio::net::TcpListener::bind((config.host, 0)).await?,
    };
    let api_url = format!("http://{}", listener.local_addr()?);
    let token = config.api_token.clone().unwrap_or_else(generated_api_token);
    let services = Services::start(config).await?;
    println!("woosync API at {api_url}, token {token}");
    println!("dashboard: {api_url}/dashboard (sign in with the token)");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = ApiState::new(services.clone(), &token, &api_url);
    let processes = {
        let services = services.clone();
        let state = state.clone();
        tokio::spawn(async move {
            run_all(&services, listener, state, async move {
                let _ = stopped.await;
            })
            .await
        })
    };
    let store_id = if options.one_click {
        connect_in_one_click(&state, &server).await?
    } else {
        let store_id = connect(&services, &server, options.rate_limit).await?;
        let store = crate::stores::find_store(&services.db, store_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the demo store vanished"))?;
        let webhooks = register_webhooks(&services.context, &store, &api_url).await?;
        println!(
            "{} webhooks registered at the store (each answered its ping): changes arrive as they happen",
            webhooks.len()
        );
        store_id
    };

    let client = WooClient::new(
        services.context.http.clone(),
        crate::stores::connection(&services.db, &services.context.secret_key, store_id).await?,
        Arc::clone(&services.context.limiter),
    )
    .patient();
    let status = client.system_status().await?;
    crate::stores::learn_low_stock_amount(&services.db, store_id, &client).await?;
    println!(
        "connected as store {store_id}: WooCommerce {}, WordPress {}, {}",
        status.woocommerce_version, status.wordpress_version, status.currency
    );
    let watcher = Watcher {
        services,
        sim: Arc::clone(&server.store),
        store_id,
        rate_limit: options.rate_limit,
        snapshot_file,
    };
    let runs = watcher.start_runs().await?;
    let synced = watcher.show_progress(&runs).await?;
    let outcome = if options.until_synced {
        Ok(synced)
    } else {
        println!(
            "now the store keeps changing: webhooks bring each change in, and the clock polls every 30 s. Ctrl-C stops."
        );
        watcher.keep_changing().await;
        Ok(true)
    };
    watcher.save_store()?;
    let _ = stop.send(());
    processes.await??;
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => anyhow::bail!("the database does not equal the store"),
        Err(error) => Err(error),
    }
}

/// Sends the merchant (you) to the store's approval page and waits for the store's
/// callback to connect it: the store's id.
async fn connect_in_one_click(state: &ApiState, server: &SimServer) -> anyhow::Result<i64> {
    let attempt = crate::stores::one_click::NewAttempt {
        store_url: server.info.url.clone(),
        return_url: format!("{}/dashboard/connected", state.public_url),
        scope: None,
        name: Some(STORE_NAME.into()),
        rate_limit: None,
        backfill_order_notes: None,
    };
    let started = crate::api::one_click::start_attempt(state, attempt)
        .await
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    println!(
        "open this address in a browser, log in as {} with the password {}, and approve woosync:\n  {}",
        server.info.admin_user, server.info.admin_password, started.authorize_url
    );
    println!(
        "(the simulated store accepts your browser's visit over its self-signed certificate once you allow it)"
    );
    let user_id = url::Url::parse(&started.authorize_url)?
        .query_pairs()
        .find(|(name, _)| name == "user_id")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    loop {
        let attempt = crate::stores::one_click::attempt_of(&state.services.db, &user_id).await?;
        if let Some(store_id) = attempt.and_then(|attempt| attempt.store_id) {
            println!("the store approved: connected, webhooks registered, first sync started");
            return Ok(store_id);
        }
        anyhow::ensure!(
            Utc::now() < started.expires_at,
            "nobody approved woosync at the store within the hour"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Connects the simulated store, or points the demo store of an earlier run at it.
async fn connect(services: &Services, server: &SimServer, rate_limit: f64) -> anyhow::Result<i64> {
    let url = server.info.url.trim_end_matches('/').to_string();
    if let Some(earlier) = stores::Entity::find()
        .filter(stores::Column::Name.eq(STORE_NAME))
        .one(&services.db)
        .await?
    {
        stores::ActiveModel {
            id: Set(earlier.id),
            url: Set(url.clone()),
            ..Default::default()
        }
        .update(&services.db)
        .await?;
    }
    Ok(save_store(
        &services.db,
        &services.context.secret_key,
        NewStore {
            name: STORE_NAME.into(),
            url,
            auth_mode: AuthMode::Basic,
            signature_method: SignatureMethod::HmacSha256,
            consumer_key: server.info.consumer_key.clone(),
            consumer_secret: Secret::new(server.info.consumer_secret.clone()),
            rate_limit_per_s: rate_limit,
        },
    )
    .await?)
}

/// The demo's view of the pipeline: starting runs, showing their progress, changing the
/// store.
struct Watcher {
    services: Services,
    sim: Arc<SimStore>,
    store_id: i64,
    rate_limit: f64,
    /// Where the store's records are kept between runs.
    snapshot_file: PathBuf,
}

impl Watcher {
    fn save_store(&self) -> anyhow::Result<()> {
        let snapshot = read(&self.sim.data).to_snapshot();
        std::fs::write(&self.snapshot_file, snapshot)?;
        Ok(())
    }

    async fn start_runs(&self) -> anyhow::Result<Vec<sync_runs::Model>> {
        let mut runs = Vec::new();
        for resource in Resource::TOP_LEVEL {
            runs.push(
                start_sync(
                    &self.services.context,
                    self.store_id,
                    resource,
                    SyncMode::Auto,
                )
                .await?
                .run,
            );
        }
        let kind = if runs.iter().all(|run| run.kind == RunKind::Backfill) {
            "backfill"
        } else {
            "catch-up"
        };
        let requests = backfill_requests(&self.sim, &Resource::TOP_LEVEL);
        println!(
            "{kind} of every resource started: a backfill needs about {requests} requests, {:.0} s at the store's limit of {} requests/s",
            requests as f64 / self.rate_limit,
            self.rate_limit
        );
        Ok(runs)
    }

    /// Shows the runs' progress until every run is done and no job is left; then says
    /// what is held and whether the database equals the store.
    async fn show_progress(&self, runs: &[sync_runs::Model]) -> anyhow::Result<bool> {
        let started = Instant::now();
        let ids: Vec<i64> = runs.iter().map(|run| run.id).collect();
        if let Ended::Failed(failed) = follow(&self.services, &ids).await? {
            for (resource, why) in failed {
                println!("the {resource} run failed: {why}");
            }
            return Ok(false);
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!("{}", records_held(&self.services, self.store_id).await?);
        match difference(&self.services.db, self.store_id, &self.sim).await? {
            None => {
                println!(
                    "caught up in {elapsed:.0} s: the database equals the store, every record, every field"
                );
                Ok(true)
            }
            Some(difference) => {
                println!("caught up in {elapsed:.0} s, but the database differs: {difference}");
                Ok(false)
            }
        }
    }

    /// Changes the store every few seconds until Ctrl-C, and reports what the polls bring.
    async fn keep_changing(&self) {
        let mut dice = rand::rngs::StdRng::seed_from_u64(7);
        let mut reported = std::collections::HashSet::new();
        let mut deliveries_applied = self.deliveries_applied().await;
        let mut ticks = tokio::time::interval(Duration::from_secs(3));
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = ticks.tick() => {}
            }
            println!("store: {}", self.change_something(&mut dice));
            if let Err(error) = self.save_store() {
                println!("could not save the store's records: {error}");
            }
            let applied = self.deliveries_applied().await;
            if applied > deliveries_applied {
                let count = applied - deliveries_applied;
                let noun = if count == 1 { "delivery" } else { "deliveries" };
                println!("woosync: {count} webhook {noun} applied");
                deliveries_applied = applied;
            }
            if let Ok(finished) = sync_runs::Entity::find()
                .filter(sync_runs::Column::StoreId.eq(self.store_id))
                .filter(sync_runs::Column::Status.eq(RunStatus::Succeeded))
                .filter(sync_runs::Column::RecordsWritten.gt(0))
                .all(&self.services.db)
                .await
            {
                for run in finished {
                    if run.kind != RunKind::Backfill && reported.insert(run.id) {
                        println!(
                            "woosync: {} run {} brought in {} changed records",
                            run.resource, run.kind, run.records_written
                        );
                    }
                }
            }
        }
        println!("stopping: finishing the jobs in flight");
    }

    /// Webhook deliveries the workers have written so far.
    async fn deliveries_applied(&self) -> u64 {
        self.services
            .queue
            .counts(WebhookDelivery::NAME)
            .await
            .map_or(0, |counts| counts.done)
    }

    fn change_something(&self, dice: &mut rand::rngs::StdRng) -> String {
        let pick = |resource: Resource, dice: &mut rand::rngs::StdRng| -> Option<i64> {
            let data = read(&self.sim.data);
            let records = data.collection((resource, 0));
            (!records.is_empty())
                .then(|| records[dice.random_range(0..records.len())]["id"].as_i64())
                .flatten()
        };
        let sim = &self.sim;
        match dice.random_range(0..4) {
            0 => match sim.create(Resource::Orders, 0, json!({"status": "pending"})) {
                Some(order) => format!("order {} placed", order["id"]),
                None => "no order placed".into(),
            },
            1 => match pick(Resource::Orders, dice).and_then(|id| sim.refund(id, "5.00", "demo")) {
                Some(refund) => format!("refund {} made", refund["id"]),
                None => "no refund made".into(),
            },
            2 => {
                let stock = dice.random_range(0..50);
                match pick(Resource::Products, dice).and_then(|id| {
                    sim.update(Resource::Products, 0, id, json!({"stock_quantity": stock}))
                }) {
                    Some(product) => format!("product {} stock set to {stock}", product["id"]),
                    None => "no stock moved".into(),
                }
            }
            _ => match pick(Resource::Products, dice)
                .and_then(|id| sim.delete(Resource::Products, 0, id))
            {
                Some(product) => format!(
                    "product {} deleted",
                    product.get("id").unwrap_or(&Value::Null)
                ),
                None => "nothing deleted".into(),
            },
        }
    }
}
