//! Creates happen exactly once at the store though a third of the store's answers are
//! lost and the workers are killed at random instants, and the same requests sent again
//! under their keys make nothing more.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use entity::store_writes::WriteState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sim::store::read;
use woosync::woo::Resource;
use woosync::writes::ledger;
use woosync::writes::operation::IDEMPOTENCY_META_KEY;

use super::{send, write_app_with};
use crate::support::app::TestApp;
use crate::support::database::Backend;
use crate::support::pipeline::QueueKind;

const ORDERS: usize = 500;
const CUSTOMERS: usize = 100;
/// Workers killed before one is left to finish.
const KILLS: usize = 6;

#[tokio::test(flavor = "multi_thread")]
async fn creates_happen_exactly_once_on_the_embedded_queue() {
    creates_happen_exactly_once(QueueKind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn creates_happen_exactly_once_on_redis() {
    creates_happen_exactly_once(QueueKind::Redis).await;
}

/// The writes asked for: an order per key of a product the store has, and a customer per
/// key.
fn requests(store: i64, product: i64) -> Vec<(String, String, Value)> {
    let orders = (0..ORDERS).map(|i| {
        (
            format!("/api/stores/{store}/orders"),
            format!("order-{i}"),
            json!({"billing": {"email": format!("buyer{i}@example.com")},
                   "line_items": [{"product_id": product, "quantity": 1}]}),
        )
    });
    let customers = (0..CUSTOMERS).map(|i| {
        (
            format!("/api/stores/{store}/customers"),
            format!("customer-{i}"),
            json!({"email": format!("new-customer-{i}@example.com"), "first_name": "New"}),
        )
    });
    orders.chain(customers).collect()
}

async fn unfinished(app: &TestApp) -> i64 {
    ledger::counts(&app.pipeline.services.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|(state, _)| matches!(state, WriteState::Queued | WriteState::Running))
        .map(|(_, count)| count)
        .sum()
}

async fn creates_happen_exactly_once(queue: QueueKind) {
    let (app, _database) =
        write_app_with(queue, Backend::Sqlite, &[("WOOSYNC_ORPHAN_AFTER_S", "2")]).await;
    let store = app.pipeline.connect_store(10_000.0).await;
    let sim = &app.pipeline.sim.server.store;
    let product = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .find(|product| product["type"] == "simple")
        .and_then(|product| product["id"].as_i64())
        .unwrap();
    let orders_before = read(&sim.data).count(Resource::Orders);
    let customers_before = read(&sim.data).count(Resource::Customers);
    app.pipeline
        .sim
        .server
        .set_faults(|faults| faults.lose_response_rate = 0.3);

    let requests = requests(store, product);
    let mut write_ids = Vec::new();
    for (path, key, body) in &requests {
        let (status, write) = send(&app, Method::POST, path, body, Some(key)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{write}");
        write_ids.push(write["write_id"].as_i64().unwrap());
    }

    // Workers die at random instants; the last one is left to finish.
    let mut dice = StdRng::seed_from_u64(24);
    for _ in 0..KILLS {
        let mut worker = app.pipeline.spawn_process(&["work"], &[]);
        tokio::time::sleep(Duration::from_millis(dice.random_range(400..1500))).await;
        worker.kill().unwrap();
        worker.wait().unwrap();
    }
    let mut worker = app.pipeline.spawn_process(&["work"], &[]);
    let deadline = Instant::now() + Duration::from_secs(240);
    while unfinished(&app).await > 0 {
        assert!(
            Instant::now() < deadline,
            "{} writes unfinished",
            unfinished(&app).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = worker.kill();
    let _ = worker.wait();

    let failed = ledger::list(
        &app.pipeline.services.db,
        Some(store),
        Some(WriteState::Failed),
        5,
    )
    .await
    .unwrap();
    assert!(failed.is_empty(), "writes failed: {failed:?}");
    assert!(
        sim.faults_served().lost > 50,
        "answers were lost: {:?}",
        sim.faults_served()
    );

    // The same requests again are the first writes.
    for ((path, key, body), write_id) in requests.iter().zip(&write_ids).take(ORDERS) {
        let (status, write) = send(&app, Method::POST, path, body, Some(key)).await;
        assert_eq!(status, StatusCode::OK, "{write}");
        assert_eq!(write["write_id"], *write_id);
        assert_eq!(write["state"], "succeeded", "{write}");
    }

    // Exactly once at the store.
    let data = read(&sim.data);
    let keys: Vec<String> = data
        .collection((Resource::Orders, 0))
        .iter()
        .filter_map(|order| {
            order["meta_data"]
                .as_array()?
                .iter()
                .find(|entry| entry["key"] == IDEMPOTENCY_META_KEY)
                .and_then(|entry| entry["value"].as_str())
                .map(str::to_string)
        })
        .collect();
    let distinct: HashSet<&String> = keys.iter().collect();
    assert_eq!(keys.len(), ORDERS, "orders made for the writes");
    assert_eq!(distinct.len(), ORDERS, "one order per key");
    assert_eq!(data.count(Resource::Orders), orders_before + ORDERS);
    assert_eq!(
        data.count(Resource::Customers),
        customers_before + CUSTOMERS
    );
}
