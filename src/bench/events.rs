//! `woosync bench events`: the change feed delivered to a consumer endpoint on loopback.
//!
//! - `events_per_s`: 20,000 events of distinct records, committed before the endpoint's
//!   deliveries start, delivered to one endpoint: events received per second.
//! - `event_latency_p99_ms`: signed `product.updated` webhooks sent to the real receiver
//!   at 100 a second for 10 s; from each delivery accepted to its event received.
//! - `events_lost`, `events_duplicated`: 5,000 events delivered to an endpoint failing one
//!   delivery in five.
//! - `ingest_records_per_s`: the ingest benchmark, run beside (first copies are quiet).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::bench::scratch::Scratch;
use crate::config::Config;
use crate::feed::endpoints::{EndpointPolicy, NewEndpoint, create_endpoint};
use crate::services::Services;
use crate::sync::outbox::{NewEvent, insert_events};
use crate::woo::Resource;
use sim::webhooks::{delivery_id, signature};

const SATURATION_EVENTS: usize = 20_000;
const FAILING_EVENTS: usize = 5_000;
const CHANGES_PER_S: u64 = 100;
const CHANGES: usize = 1_000;
/// The longest any part may take before the benchmark gives up on it.
const PATIENCE: Duration = Duration::from_secs(300);

#[derive(Debug, Serialize)]
pub struct EventFigures {
    pub queue: &'static str,
    pub events_per_s: f64,
    pub event_latency_p50_ms: f64,
    pub event_latency_p99_ms: f64,
    pub events_lost: u64,
    pub events_duplicated: u64,
    pub ingest_records_per_s: f64,
}

pub async fn run(config: &Config) -> anyhow::Result<EventFigures> {
    let scratch = Scratch::start(config, "events", |config| Config {
        allow_private_endpoints: true,
        event_retry_first_delay: Duration::from_millis(200),
        ..config
    })
    .await?;
    let (services, store_id, queue) = (&scratch.services, scratch.store_id, scratch.queue);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stopping = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    tokio::spawn(services.worker().run(stopping(stopped.clone())));
    tokio::spawn(services.clock().run(stopping(stopped.clone())));

    eprintln!("change feed on the {queue} queue: {SATURATION_EVENTS} events to one endpoint ...");
    let consumer = Consumer::start(0).await?;
    register(services, &consumer).await?;
    let started = Instant::now();
    commit_events(services, store_id, SATURATION_EVENTS).await?;
    consumer.wait_for(SATURATION_EVENTS).await?;
    let events_per_s = SATURATION_EVENTS as f64 / started.elapsed().as_secs_f64();
    eprintln!("  {events_per_s:.0} events/s");

    eprintln!("{FAILING_EVENTS} events to an endpoint failing one delivery in five ...");
    let failing = Consumer::start(5).await?;
    register(services, &failing).await?;
    commit_events(services, store_id, FAILING_EVENTS).await?;
    let outcome = failing.wait_for(FAILING_EVENTS).await;
    let (unique, total) = failing.counts();
    let events_lost = FAILING_EVENTS.saturating_sub(unique) as u64;
    let events_duplicated = total.saturating_sub(unique) as u64;
    eprintln!("  {events_lost} lost, {events_duplicated} delivered twice ({outcome:?})");

    eprintln!("{CHANGES} store webhooks at {CHANGES_PER_S}/s, each to its event at a consumer ...");
    let latencies = webhook_latencies(&scratch).await?;
    let percentile = |p: f64| {
        let at = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        (latencies[at].as_secs_f64() * 1e5).round() / 100.0
    };
    let (p50, p99) = (percentile(0.50), percentile(0.99));
    eprintln!("  event latency p50 {p50} ms, p99 {p99} ms");
    let _ = stop.send(true);

    scratch.forget().await?;
    let ingest = crate::bench::sync::ingest(config).await?;
    Ok(EventFigures {
        queue,
        events_per_s: events_per_s.round(),
        event_latency_p50_ms: p50,
        event_latency_p99_ms: p99,
        events_lost,
        events_duplicated,
        ingest_records_per_s: ingest.ingest_records_per_s,
    })
}

/// Registers `consumer` as an endpoint for every event.
async fn register(services: &Services, consumer: &Consumer) -> anyhow::Result<()> {
    let policy = EndpointPolicy {
        db: &services.db,
        key: &services.context.secret_key,
        http: &services.context.endpoint_http,
        allow_private: true,
    };
    create_endpoint(
        &policy,
        NewEndpoint {
            url: consumer.url.clone(),
            ..NewEndpoint::default()
        },
    )
    .await?;
    Ok(())
}

/// Commits `count` events of distinct orders, 500 to a transaction, as writes would.
async fn commit_events(services: &Services, store_id: i64, count: usize) -> anyhow::Result<()> {
    let base = chrono::Utc::now().timestamp_micros();
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let events = chunk
            .iter()
            .map(|n| NewEvent {
                store_id,
                kind: "orders.updated".into(),
                resource: Some(Resource::Orders),
                record_id: Some(format!("{}", base + *n as i64)),
                parent_id: 0,
                data: format!(r#"{{"id":{},"status":"processing"}}"#, base + *n as i64),
                previous: None,
            })
            .collect();
        let txn = crate::database::begin_write(&services.db).await?;
        insert_events(&txn, events, chrono::Utc::now()).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Sends webhooks to the real receiver at [`CHANGES_PER_S`]; the time from each accepted
/// to its event's arrival at a consumer.
async fn webhook_latencies(scratch: &Scratch) -> anyhow::Result<Vec<Duration>> {
    let receiver = scratch.receiver().await?;
    let (url, secret) = (&receiver.url, &receiver.secret);
    let consumer = Consumer::start(0).await?;
    register(&scratch.services, &consumer).await?;
    let mut template = crate::bench::webhooks::product_template(Some("simple"));
    // Its links name the template's id; without them the topic says what it is.
    if let Some(product) = template.as_object_mut() {
        product.remove("_links");
    }
    let http = reqwest::Client::new();
    let mut accepted_at: HashMap<String, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1_000 / CHANGES_PER_S));
    let now = chrono::Utc::now();
    for n in 0..CHANGES {
        tick.tick().await;
        let mut product = template.clone();
        let id = 2_000_000 + n as i64;
        product["id"] = Value::from(id);
        let modified = now.format("%Y-%m-%dT%H:%M:%S").to_string();
        product["date_modified_gmt"] = Value::from(modified.clone());
        product["date_modified"] = Value::from(modified);
        let body = product.to_string().into_bytes();
        let response = http
            .post(url)
            .header("content-type", "application/json")
            .header("x-wc-webhook-topic", "product.updated")
            .header("x-wc-webhook-signature", signature(secret.expose(), &body))
            .header("x-wc-webhook-delivery-id", delivery_id(1, n as i64))
            .body(body)
            .send()
            .await?;
        if response.status().is_success() {
            accepted_at.insert(id.to_string(), Instant::now());
        }
    }
    consumer.wait_for(accepted_at.len()).await?;
    receiver.stop().await?;
    let arrivals = consumer.arrivals();
    let mut latencies: Vec<Duration> = accepted_at
        .iter()
        .filter_map(|(id, accepted)| {
            arrivals
                .get(id)
                .map(|arrived| arrived.saturating_duration_since(*accepted))
        })
        .collect();
    latencies.sort();
    Ok(latencies)
}

/// What a consumer received: each event's first arrival by its record, and the count of
/// deliveries taken, duplicates included.
#[derive(Default)]
struct Received {
    first: HashMap<String, Instant>,
    ids: std::collections::HashSet<String>,
    total: usize,
    seen: u64,
}

/// An endpoint on loopback that answers 204, or 500 to one delivery in `fail_one_in`.
struct Consumer {
    url: String,
    received: Arc<Mutex<Received>>,
}

impl Consumer {
    async fn start(fail_one_in: u64) -> anyhow::Result<Consumer> {
        let received = Arc::new(Mutex::new(Received::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/events", listener.local_addr()?);
        let shared = (Arc::clone(&received), fail_one_in);
        let app = axum::Router::new()
            .route("/events", axum::routing::post(receive))
            .with_state(Arc::new(shared));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Consumer { url, received })
    }

    fn counts(&self) -> (usize, usize) {
        let received = self.received.lock().unwrap_or_else(|e| e.into_inner());
        (received.ids.len(), received.total)
    }

    fn arrivals(&self) -> HashMap<String, Instant> {
        self.received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .first
            .clone()
    }

    /// Waits until `count` distinct events arrived, or gives up.
    async fn wait_for(&self, count: usize) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while self.counts().0 < count {
            if Instant::now() > deadline {
                anyhow::bail!(
                    "{} of {count} events arrived in {PATIENCE:?}",
                    self.counts().0
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

async fn receive(
    State(shared): State<Arc<(Arc<Mutex<Received>>, u64)>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let (received, fail_one_in) = (&shared.0, shared.1);
    let mut received = received.lock().unwrap_or_else(|e| e.into_inner());
    received.seen += 1;
    if fail_one_in > 0 && received.seen % fail_one_in == 0 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let Some(id) = headers.get("webhook-id").and_then(|id| id.to_str().ok()) else {
        return StatusCode::BAD_REQUEST;
    };
    received.total += 1;
    received.ids.insert(id.to_string());
    let record = serde_json::from_slice::<Value>(&body)
        .ok()
        .map(|event| event["record_id"].to_string());
    if let Some(record) = record {
        received.first.entry(record).or_insert_with(Instant::now);
    }
    StatusCode::NO_CONTENT
}
