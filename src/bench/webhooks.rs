//! `woosync bench webhooks`: webhook ingress on loopback. 64 connections send signed
//! `product.updated` deliveries of a real product's size, each distinct (its own id and
//! modified date, so that de-duplication lets it through), to the real router; the queue
//! is counted afterwards to show that every accepted delivery was enqueued. No worker runs:
//! what is measured is the receiver and the queue under it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::bench::scratch::Scratch;
use crate::config::Config;
use crate::jobs::WebhookDelivery;
use crate::queue::job::Job;
use crate::woo::Resource;
use sim::auth::ApiKey;
use sim::generate::Sizes;
use sim::store::{SimStore, read};
use sim::webhooks::{delivery_id, signature};

const CONNECTIONS: usize = 64;
const WARM_UP: usize = 2_000;
const DELIVERIES: usize = 40_000;

#[derive(Debug, Serialize)]
pub struct WebhookFigures {
    pub queue: &'static str,
    pub webhook_sent: u64,
    pub webhook_accepted_per_s: f64,
    pub webhook_p50_ms: f64,
    pub webhook_p99_ms: f64,
    /// Deliveries in the queue afterwards: every accepted one.
    pub webhook_enqueued: u64,
    pub body_bytes: usize,
}

pub async fn run(config: &Config) -> anyhow::Result<WebhookFigures> {
    let scratch = Scratch::start(config, "webhooks", |config| Config {
        allow_private_stores: true,
        ..config
    })
    .await?;
    let (services, queue) = (&scratch.services, scratch.queue);
    let receiver = scratch.receiver().await?;
    let (url, secret) = (receiver.url.clone(), receiver.secret.clone());

    let template = product_template(None);
    let body_bytes = template.to_string().len();
    eprintln!(
        "webhook ingress on the {queue} queue: {CONNECTIONS} connections, {DELIVERIES} distinct signed product.updated deliveries of ~{body_bytes} bytes"
    );
    let deliveries = signed_deliveries(&template, secret.expose(), WARM_UP + DELIVERIES);
    let (warm_up, measured) = deliveries.split_at(WARM_UP);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()?;
    send_all(&http, &url, warm_up.to_vec()).await?;
    let started = Instant::now();
    let (accepted, mut latencies) = send_all(&http, &url, measured.to_vec()).await?;
    let wall = started.elapsed();

    let counts = services.queue.counts(WebhookDelivery::NAME).await?;
    let enqueued = counts.pending + counts.scheduled + counts.running + counts.done;
    latencies.sort();
    let percentile = |p: f64| {
        let at = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[at].as_secs_f64() * 1_000.0
    };
    let figures = WebhookFigures {
        queue,
        webhook_sent: measured.len() as u64,
        webhook_accepted_per_s: (accepted as f64 / wall.as_secs_f64()).round(),
        webhook_p50_ms: (percentile(0.50) * 100.0).round() / 100.0,
        webhook_p99_ms: (percentile(0.99) * 100.0).round() / 100.0,
        // The warm-up's deliveries are in the queue too.
        webhook_enqueued: enqueued.saturating_sub(WARM_UP as u64),
        body_bytes,
    };
    eprintln!(
        "  {} accepted of {} in {:.1} s: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms; {} in the queue",
        accepted,
        figures.webhook_sent,
        wall.as_secs_f64(),
        figures.webhook_accepted_per_s,
        figures.webhook_p50_ms,
        figures.webhook_p99_ms,
        figures.webhook_enqueued
    );
    receiver.stop().await?;
    scratch.forget().await?;
    Ok(figures)
}

/// The largest product (of a `kind`, `simple` or `variable`, if given) as a store sends
/// it, from the simulated store's catalogue.
pub fn product_template(kind: Option<&str>) -> Value {
    let sim = SimStore::new(
        "https://bench.example",
        1,
        &Sizes {
            products: 20,
            ..Sizes::default()
        },
        ApiKey {
            consumer_key: "ck".into(),
            consumer_secret: "cs".into(),
            permissions: "read".into(),
            manage_woocommerce: true,
        },
    );
    let data = read(&sim.data);
    data.collection((Resource::Products, 0))
        .iter()
        .filter(|product| kind.is_none_or(|kind| product["type"] == kind))
        .max_by_key(|product| product.to_string().len())
        .cloned()
        .unwrap_or_default()
}

/// Bodies and their headers, made before the clock starts.
fn signed_deliveries(
    template: &Value,
    secret: &str,
    count: usize,
) -> Vec<(Arc<[u8]>, String, String)> {
    let start = chrono::Utc::now().timestamp();
    (0..count)
        .map(|n| {
            let mut product = template.clone();
            product["id"] = Value::from(1_000_000 + n as i64);
            let modified = chrono::DateTime::from_timestamp(start - (n as i64 % 86_400), 0)
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string();
            product["date_modified_gmt"] = Value::from(modified.clone());
            product["date_modified"] = Value::from(modified);
            let body = product.to_string().into_bytes();
            let signed = signature(secret, &body);
            (Arc::from(body), signed, delivery_id(1, start + n as i64))
        })
        .collect()
}

/// Sends every delivery over `CONNECTIONS` connections; returns how many were accepted and
/// the latency of each.
async fn send_all(
    http: &reqwest::Client,
    url: &str,
    deliveries: Vec<(Arc<[u8]>, String, String)>,
) -> anyhow::Result<(usize, Vec<Duration>)> {
    let shared = Arc::new(std::sync::Mutex::new(deliveries));
    let mut senders = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let http = http.clone();
        let url = url.to_string();
        let shared = Arc::clone(&shared);
        senders.push(tokio::spawn(async move {
            let mut accepted = 0;
            let mut latencies = Vec::new();
            loop {
                let next = shared
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?
                    .pop();
                let Some((body, signed, delivery)) = next else {
                    break;
                };
                let sent = Instant::now();
                let response = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-wc-webhook-topic", "product.updated")
                    .header("x-wc-webhook-signature", signed)
                    .header("x-wc-webhook-delivery-id", delivery)
                    .body(body.to_vec())
                    .send()
                    .await?;
                let ok = response.status().is_success()
                    && response.text().await?.contains("\"accepted\"");
                latencies.push(sent.elapsed());
                accepted += usize::from(ok);
            }
            anyhow::Ok((accepted, latencies))
        }));
    }
    let mut accepted = 0;
    let mut latencies = Vec::new();
    for sender in senders {
        let (some, times) = sender.await??;
        accepted += some;
        latencies.extend(times);
    }
    Ok((accepted, latencies))
}

/// Removes the bench's keys from Redis.
pub async fn forget_prefix(url: &str, prefix: &str) -> anyhow::Result<()> {
    let (mut redis, keys) = keys_under(url, prefix).await?;
    for chunk in keys.chunks(1_000) {
        redis::cmd("UNLINK")
            .arg(chunk)
            .query_async::<()>(&mut redis)
            .await?;
    }
    Ok(())
}

/// A connection to the Redis at `url`, and the keys there that start with `prefix`.
pub async fn keys_under(
    url: &str,
    prefix: &str,
) -> anyhow::Result<(redis::aio::MultiplexedConnection, Vec<String>)> {
    let mut redis = crate::queue::redis::client(url)?
        .get_multiplexed_async_connection()
        .await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut redis)
        .await?;
    Ok((redis, keys))
}
