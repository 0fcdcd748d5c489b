//! `/metrics` after a sync and some webhooks: the counters moved by what happened.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;
use sim::generate::Sizes;
use sim::store::{lock, read};
use sim::webhooks::{delivery_id, signature};
use woosync::woo::Resource;

use crate::support::app::TestApp;
use woosync::pipeline::SyncMode;

use crate::support::pipeline::{QueueKind, TestPipeline, wait_for};
use crate::support::process::free_port;

/// Every sample of a scrape, by its name and labels as printed.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// The sum of a metric's samples whose labels contain every one of `labels`.
fn sum(samples: &HashMap<String, f64>, name: &str, labels: &[&str]) -> f64 {
    samples
        .iter()
        .filter(|(series, _)| {
            series.split('{').next() == Some(name)
                && labels.iter().all(|label| series.contains(label))
        })
        .map(|(_, value)| value)
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn counters_move_by_what_a_sync_and_its_webhooks_did() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (store, _worker) = app.synced_store().await;
    let (status, _) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::OK);

    // Two orders changed at the store, delivered by hand; one forged delivery.
    let secret = lock(&app.pipeline.sim.server.store.webhooks)[0]
        .secret
        .clone();
    let orders = read(&app.pipeline.sim.server.store.data)
        .collection((Resource::Orders, 0))
        .to_vec();
    let later = (Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let handle = format!(
        "{}/api/integrations/woocommerce/webhooks/handle?store={store}",
        app.url
    );
    for (n, order) in orders.iter().take(3).enumerate() {
        let mut changed = order.clone();
        changed["customer_note"] = json!(format!("changed {n}"));
        changed["date_modified_gmt"] = json!(later);
        let body = changed.to_string().into_bytes();
        let key = if n < 2 { secret.as_str() } else { "forged" };
        let response = app
            .http
            .post(&handle)
            .header("x-wc-webhook-topic", "order.updated")
            .header("x-wc-webhook-signature", signature(key, &body))
            .header("x-wc-webhook-delivery-id", delivery_id(1, n as i64))
            .body(body)
            .send()
            .await
            .unwrap();
        let expected = if n < 2 {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(response.status(), expected);
    }
    wait_for(
        "the deliveries to be applied",
        Duration::from_secs(30),
        || async { app.pipeline.jobs_left().await == 0 },
    )
    .await;

    let scrape = app.scrape_metrics().await;
    let samples = samples(&scrape);
    let sim = &app.pipeline.sim.server.store;
    let count = |resource: Resource| {
        let data = read(&sim.data);
        data.parents(resource)
            .into_iter()
            .map(|parent| data.collection((resource, parent)).len())
            .sum::<usize>() as f64
    };
    for resource in [
        Resource::Products,
        Resource::ProductVariations,
        Resource::Customers,
    ] {
        assert_eq!(
            sum(
                &samples,
                "woosync_records_written_total",
                &[&format!("resource=\"{}\"", resource.name())]
            ),
            count(resource),
            "{resource}"
        );
    }
    assert_eq!(
        sum(
            &samples,
            "woosync_records_written_total",
            &["resource=\"orders\""]
        ),
        count(Resource::Orders) + 2.0,
        "every order once, and the two delivered again"
    );
    let webhooks = |outcome: &str| {
        sum(
            &samples,
            "woosync_webhook_deliveries_total",
            &[&format!("outcome=\"{outcome}\"")],
        )
    };
    assert_eq!(webhooks("accepted"), 2.0);
    assert_eq!(webhooks("bad_signature"), 1.0);
    assert_eq!(webhooks("ping"), 15.0, "one ping per webhook created");
    assert_eq!(
        sum(
            &samples,
            "woosync_jobs_total",
            &["job=\"webhook_delivery\"", "outcome=\"done\""]
        ),
        2.0
    );
    let store_label = format!("store=\"{store}\"");
    let requests = sum(&samples, "woosync_woo_requests_total", &[&store_label]);
    assert_eq!(
        requests,
        sim.requests().len() as f64,
        "every request the store served"
    );
    assert_eq!(
        sum(
            &samples,
            "woosync_woo_request_duration_seconds_count",
            &[&store_label]
        ),
        requests
    );
    assert_eq!(
        sum(&samples, "woosync_queue_jobs", &["state=\"pending\""]),
        0.0
    );
    assert!(
        sum(
            &samples,
            "woosync_queue_jobs",
            &["job=\"backfill_page\"", "state=\"done\""]
        ) > 0.0
    );
    let lag: Vec<f64> = samples
        .iter()
        .filter(|(series, _)| {
            series.starts_with("woosync_sync_lag_seconds{")
                && series.contains(&store_label)
                && series.contains("resource=\"products\"")
        })
        .map(|(_, value)| *value)
        .collect();
    assert!(
        lag.len() == 1 && (0.0..600.0).contains(&lag[0]),
        "the products lag: {lag:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_process_serves_its_own_metrics() {
    let pipeline = TestPipeline::start(QueueKind::Redis, Sizes::default()).await;
    let store = pipeline.connect_store(10_000.0).await;
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let port = free_port().to_string();
    let mut worker = pipeline.spawn_process(&["work"], &[("WOOSYNC_METRICS_PORT", &port)]);
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
    let scrape = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let _ = worker.kill();
    let _ = worker.wait();
    let samples = samples(&scrape);
    assert!(
        sum(
            &samples,
            "woosync_jobs_total",
            &["job=\"backfill_page\"", "outcome=\"done\""]
        ) >= 1.0,
        "{scrape}"
    );
    assert!(sum(&samples, "woosync_records_written_total", &[]) > 0.0);
}
