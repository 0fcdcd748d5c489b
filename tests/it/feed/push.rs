//! A consumer endpoint receives exactly the events the store's changes imply, signed, in
//! order per record, and nothing for re-syncs that changed nothing.

use std::collections::HashMap;

use serde_json::{Value, json};
use sim::store::read;
use woosync::jobs::poll_store::PollKind;
use woosync::woo::Resource;

use super::{SETTLE, feed_after, feed_app, feed_end, register};
use crate::support::app::TestApp;
use crate::support::consumer::Consumer;
use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_gets_what_the_stores_changes_imply_on_the_embedded_queue_and_sqlite() {
    consumer_gets_what_changes_imply(QueueKind::Embedded, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_gets_what_the_stores_changes_imply_on_redis_and_postgres() {
    consumer_gets_what_changes_imply(QueueKind::Redis, Backend::Postgres).await;
}

/// Waits until the record woosync holds satisfies `done`.
async fn landed(
    app: &TestApp,
    store: i64,
    resource: &str,
    id: i64,
    what: &str,
    done: impl Fn(&Value) -> bool,
) {
    wait_for(what, SETTLE, || async {
        let (status, record) = app
            .get(&format!("/api/stores/{store}/{resource}/{id}"))
            .await;
        status == 200 && done(&record)
    })
    .await;
}

async fn consumer_gets_what_changes_imply(queue: QueueKind, backend: Backend) {
    let (app, _database) = feed_app(queue, backend).await;
    let (store, _worker) = app.synced_store().await;
    let (status, hooks) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, 200, "{hooks}");
    let _clock = app.pipeline.spawn_clock();
    let sim = &app.pipeline.sim.server.store;

    // The first copy is announced once per resource, not once per record.
    let (first_copy, _) = feed_after(&app, "0").await;
    assert!(
        first_copy
            .iter()
            .all(|event| event["type"] == "sync.backfill_completed"),
        "{first_copy:?}"
    );
    let announced: Vec<&str> = first_copy
        .iter()
        .map(|event| event["resource"].as_str().unwrap())
        .collect();
    for resource in [
        "orders",
        "order_refunds",
        "order_notes",
        "products",
        "product_variations",
        "customers",
    ] {
        assert_eq!(
            announced.iter().filter(|name| **name == resource).count(),
            1,
            "{resource}: {announced:?}"
        );
    }
    for event in &first_copy {
        assert_eq!(event["data"]["cursor"], event["id"], "{event}");
    }

    // A simple product with managed stock, well above its threshold, before the consumer
    // comes: what follows is all it hears of.
    let product = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .find(|product| product["type"] == "simple")
        .cloned()
        .unwrap();
    let product_id = product["id"].as_i64().unwrap();
    sim.update(
        Resource::Products,
        0,
        product_id,
        json!({"manage_stock": true, "stock_quantity": 50, "stock_status": "instock", "low_stock_amount": 5}),
    );
    landed(
        &app,
        store,
        "products",
        product_id,
        "stock at 50",
        |record| record["stock_quantity"] == 50,
    )
    .await;

    let consumer = Consumer::start().await;
    let endpoint = register(&app, &consumer, None).await;
    let start = feed_end(&app).await;

    // Orders placed, paid, refunded, cancelled.
    let order = sim
        .create(Resource::Orders, 0, json!({"status": "pending"}))
        .unwrap();
    let order_id = order["id"].as_i64().unwrap();
    landed(&app, store, "orders", order_id, "the new order", |_| true).await;
    sim.update(
        Resource::Orders,
        0,
        order_id,
        json!({"status": "processing"}),
    );
    landed(
        &app,
        store,
        "orders",
        order_id,
        "the order paid",
        |record| record["status"] == "processing",
    )
    .await;
    let refund = sim.refund(order_id, "1.00", "scratched").unwrap();
    let refund_id = refund["id"].as_i64().unwrap();
    landed(
        &app,
        store,
        "order_refunds",
        refund_id,
        "the refund",
        |_| true,
    )
    .await;
    sim.update(
        Resource::Orders,
        0,
        order_id,
        json!({"status": "cancelled"}),
    );
    landed(
        &app,
        store,
        "orders",
        order_id,
        "the order cancelled",
        |record| record["status"] == "cancelled",
    )
    .await;

    // Stock moved across the threshold, out, and back.
    for (quantity, status) in [(3, "instock"), (0, "outofstock"), (20, "instock")] {
        sim.update(
            Resource::Products,
            0,
            product_id,
            json!({"stock_quantity": quantity, "stock_status": status}),
        );
        landed(
            &app,
            store,
            "products",
            product_id,
            "the stock move",
            |record| record["stock_quantity"] == quantity,
        )
        .await;
    }

    // Deleted and restored.
    let removed = sim.delete(Resource::Products, 0, product_id).unwrap();
    landed(
        &app,
        store,
        "products",
        product_id,
        "the deletion",
        |record| record.get("deleted_at").is_some(),
    )
    .await;
    sim.restore(Resource::Products, 0, removed);
    landed(
        &app,
        store,
        "products",
        product_id,
        "the restore",
        |record| record.get("deleted_at").is_none(),
    )
    .await;

    // A customer edited.
    let customer_id = read(&sim.data).collection((Resource::Customers, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.update(
        Resource::Customers,
        0,
        customer_id,
        json!({"first_name": "Renée"}),
    );
    landed(
        &app,
        store,
        "customers",
        customer_id,
        "the customer edit",
        |record| record["first_name"] == "Renée",
    )
    .await;

    let order_key = ("orders".to_string(), order_id.to_string());
    let product_key = ("products".to_string(), product_id.to_string());
    let expected: Vec<((String, String), Vec<&str>)> = vec![
        (
            order_key.clone(),
            vec![
                "orders.created",
                "orders.updated",
                "order.status_changed",
                "orders.updated",
                "orders.updated",
                "order.status_changed",
            ],
        ),
        (
            ("order_refunds".into(), refund_id.to_string()),
            vec!["order_refunds.created"],
        ),
        (
            product_key.clone(),
            vec![
                "products.updated",
                "inventory.low_stock",
                "products.updated",
                "inventory.out_of_stock",
                "products.updated",
                "inventory.back_in_stock",
                "products.deleted",
                "products.restored",
            ],
        ),
        (
            ("customers".into(), customer_id.to_string()),
            vec!["customers.updated"],
        ),
    ];
    let by_record = |events: &[Value]| -> HashMap<(String, String), Vec<String>> {
        let mut grouped: HashMap<(String, String), Vec<String>> = HashMap::new();
        for event in events {
            let key = (
                event["resource"].as_str().unwrap().to_string(),
                event["record_id"].to_string().trim_matches('"').to_string(),
            );
            grouped
                .entry(key)
                .or_default()
                .push(event["type"].as_str().unwrap().to_string());
        }
        grouped
    };
    let want: HashMap<(String, String), Vec<String>> = expected
        .iter()
        .map(|(key, types)| {
            (
                key.clone(),
                types.iter().map(|kind| kind.to_string()).collect(),
            )
        })
        .collect();
    let total: usize = want.values().map(Vec::len).sum();

    // The feed holds exactly these, and the consumer receives them in order per record.
    let (pulled, end) = feed_after(&app, &start).await;
    assert_eq!(by_record(&pulled), want, "{pulled:#?}");
    wait_for("the consumer to receive every event", SETTLE, || async {
        consumer.events().len() >= total
    })
    .await;
    let received = consumer.events();
    assert_eq!(by_record(&received), want, "{received:#?}");
    assert_eq!(consumer.unverified(), 0);
    let status_change = received
        .iter()
        .find(|event| event["type"] == "order.status_changed")
        .unwrap();
    assert_eq!(
        status_change["previous"],
        json!({"previous_status": "pending", "status": "processing"})
    );
    assert_eq!(status_change["data"]["id"], order_id);
    let restored = received
        .iter()
        .find(|event| event["type"] == "products.restored")
        .unwrap();
    assert_eq!(restored["store_id"], store);
    assert_eq!(restored["data"]["id"], product_id);

    // Re-syncs that find nothing changed make nothing.
    for kind in [PollKind::Changes, PollKind::IdSweep, PollKind::Refresh] {
        app.pipeline.poll_and_wait(store, kind).await;
    }
    let (after_resync, _) = feed_after(&app, &end).await;
    assert!(after_resync.is_empty(), "{after_resync:#?}");

    // The delivery log says how each went.
    let (_, log) = app
        .get(&format!(
            "/api/event-endpoints/{}/deliveries?status=delivered&limit=1000",
            endpoint["id"]
        ))
        .await;
    assert_eq!(log["deliveries"].as_array().unwrap().len(), total, "{log}");
    assert_eq!(log["failing"], 0);
}
