//! `woosync bench writes`: 2,000 order creates through the queue against a simulated store
//! limited to 20 requests a second that loses a tenth of its answers (each committed, its
//! connection then dropped).
//!
//! - `writes_ratio`: the wall time over the time the rate limit alone allows for the
//!   requests the writes made (the products' check, the create, and for a lost answer the
//!   look-up and the read of what it found);
//! - `duplicates_created`, `writes_lost`: orders made twice for one write, and writes
//!   with no order at the store; `requests_per_write`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use entity::store_writes::WriteState;
use serde::Serialize;
use serde_json::json;

use crate::bench::deployment::Deployment;
use crate::config::Config;
use crate::woo::Resource;
use crate::writes::Operation;
use crate::writes::ledger::{self, NewWrite};
use crate::writes::operation::IDEMPOTENCY_META_KEY;
use sim::generate::Sizes;
use sim::server::{SimOptions, SimServer};
use sim::store::read;

const WRITES: usize = 2_000;
const RATE_LIMIT: f64 = 20.0;
const LOSE_RESPONSE_RATE: f64 = 0.1;
/// The longest the writes may take before the benchmark gives up.
const PATIENCE: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Serialize)]
pub struct WriteFigures {
    pub queue: &'static str,
    pub writes: usize,
    pub rate_limit_per_s: f64,
    pub lose_response_rate: f64,
    pub seconds: f64,
    /// Answered by the store (its 429s left out).
    pub requests: usize,
    pub requests_per_write: f64,
    pub answers_lost: u64,
    pub seconds_the_rate_limit_allows: f64,
    pub writes_ratio: f64,
    pub duplicates_created: usize,
    pub writes_lost: usize,
    pub writes_failed: i64,
}

pub async fn run(config: &Config) -> anyhow::Result<WriteFigures> {
    let scratch = tempfile::Builder::new()
        .prefix("woosync-writes")
        .tempdir()?;
    let server = SimServer::start(SimOptions {
        port: 0,
        tls: true,
        seed: 5,
        sizes: Sizes {
            products: 50,
            orders: 10,
            customers: 10,
            ..Sizes::default()
        },
        cert_dir: scratch.path().join("sim"),
        http_callbacks: false,
    })
    .await?;
    server.set_faults(|faults| {
        faults.rate_limit_per_s = Some(RATE_LIMIT);
        faults.lose_response_rate = LOSE_RESPONSE_RATE;
    });
    let deployment = Deployment::start(
        config,
        "writes",
        server.info.ca_cert.as_deref(),
        &[("WOOSYNC_RETRY_FIRST_DELAY_S", "1")],
    )
    .await?;
    let (services, queue) = (&deployment.services, deployment.queue);
    let store_id = deployment.connect(&server.info, RATE_LIMIT).await?;
    let product = read(&server.store.data)
        .collection((Resource::Products, 0))
        .iter()
        .find(|product| product["type"] == "simple")
        .and_then(|product| product["id"].as_i64())
        .ok_or_else(|| anyhow::anyhow!("the simulated store has no simple product"))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(services.worker().run(async move {
        let _ = stopped.await;
    }));

    eprintln!(
        "{WRITES} order creates at {RATE_LIMIT} requests/s, {:.0}% of answers lost, on the {queue} queue ...",
        LOSE_RESPONSE_RATE * 100.0
    );
    server.store.clear_requests();
    let started = Instant::now();
    for n in 0..WRITES {
        let write = NewWrite {
            store_id,
            operation: Operation::CreateOrder,
            record_id: None,
            parent_id: 0,
            idempotency_key: format!("bench-order-{n}"),
            body: json!({"billing": {"email": format!("buyer{n}@example.com")},
                         "line_items": [{"product_id": product, "quantity": 1}]}),
        };
        ledger::submit(&services.db, services.queue.as_ref(), write).await?;
    }
    loop {
        let counts = ledger::counts(&services.db).await?;
        let left: i64 = counts
            .iter()
            .filter(|(state, _)| matches!(state, WriteState::Queued | WriteState::Running))
            .map(|(_, count)| count)
            .sum();
        if left == 0 {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < PATIENCE,
            "{left} writes unfinished after {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = stop.send(());

    let requests = server
        .store
        .requests()
        .iter()
        .filter(|request| request.status != 429)
        .count();
    let made = orders_by_key(&server);
    let duplicates_created = made.values().map(|count| count.saturating_sub(1)).sum();
    let writes_lost = (0..WRITES)
        .filter(|n| !made.contains_key(&format!("bench-order-{n}")))
        .count();
    let writes_failed = ledger::counts(&services.db)
        .await?
        .into_iter()
        .filter(|(state, _)| *state == WriteState::Failed)
        .map(|(_, count)| count)
        .sum();
    let allowed = requests as f64 / RATE_LIMIT;
    let figures = WriteFigures {
        queue,
        writes: WRITES,
        rate_limit_per_s: RATE_LIMIT,
        lose_response_rate: LOSE_RESPONSE_RATE,
        seconds: round(seconds),
        requests,
        requests_per_write: round(requests as f64 / WRITES as f64),
        answers_lost: server.store.faults_served().lost,
        seconds_the_rate_limit_allows: round(allowed),
        writes_ratio: round(seconds / allowed),
        duplicates_created,
        writes_lost,
        writes_failed,
    };
    eprintln!(
        "  {:.1} s for {requests} requests ({:.2} a write), the rate limit allows {:.1} s: ratio {:.2}; \
         {} duplicates, {} lost, {} failed; {} answers lost",
        figures.seconds,
        figures.requests_per_write,
        figures.seconds_the_rate_limit_allows,
        figures.writes_ratio,
        figures.duplicates_created,
        figures.writes_lost,
        figures.writes_failed,
        figures.answers_lost
    );
    deployment.finish().await?;
    Ok(figures)
}

/// How many orders at the store carry each write's key.
fn orders_by_key(server: &SimServer) -> HashMap<String, usize> {
    let mut made = HashMap::new();
    for order in read(&server.store.data).collection((Resource::Orders, 0)) {
        let key = order["meta_data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|entry| entry["key"] == IDEMPOTENCY_META_KEY)
            .and_then(|entry| entry["value"].as_str().map(str::to_string));
        if let Some(key) = key {
            *made.entry(key).or_insert(0) += 1;
        }
    }
    made
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
