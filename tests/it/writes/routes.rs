//! Each write route creates or updates at the store what it says, the write's view holds
//! the store's record, and the copy equals the store afterwards.

use std::time::Duration;

use entity::webhook_deliveries;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sim::store::{SimStore, read};
use woosync::jobs::poll_store::PollKind;
use woosync::woo::Resource;

use super::{succeeds, write_app};
use crate::feed::{feed_after, feed_end};
use crate::support::app::TestApp;
use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn every_route_writes_what_it_says_on_the_embedded_queue_and_sqlite() {
    every_route_writes_what_it_says(QueueKind::Embedded, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_writes_what_it_says_on_redis_and_postgres() {
    every_route_writes_what_it_says(QueueKind::Redis, Backend::Postgres).await;
}

fn held(sim: &SimStore, resource: Resource, parent: i64, id: i64) -> Value {
    read(&sim.data)
        .find((resource, parent), id)
        .cloned()
        .unwrap_or_else(|| panic!("the store has no {resource} {id}"))
}

/// The copy's record equals the store's.
async fn copied(app: &TestApp, store: i64, path: &str, at_store: &Value) {
    let (status, copy) = app.get(&format!("/api/stores/{store}/{path}")).await;
    assert_eq!(status, 200, "{copy}");
    assert_eq!(&copy, at_store, "{path}: the copy differs from the store");
}

async fn every_route_writes_what_it_says(queue: QueueKind, backend: Backend) {
    let (app, _database) = write_app(queue, backend).await;
    let (store, _worker) = app.synced_store().await;
    let sim = &app.pipeline.sim.server.store;
    let at = |path: &str| format!("/api/stores/{store}/{path}");

    // A product, created and changed.
    let write = succeeds(
        &app,
        Method::POST,
        &at("products"),
        &json!({"name": "Captured Mug", "type": "simple", "sku": "WS-MUG-1",
                "regular_price": "12.50", "manage_stock": true, "stock_quantity": 10}),
    )
    .await;
    let product = write["record_id"].as_i64().unwrap();
    let at_store = held(sim, Resource::Products, 0, product);
    assert_eq!(at_store["sku"], "WS-MUG-1");
    assert_eq!(at_store["stock_quantity"], 10);
    assert_eq!(
        at_store["meta_data"][0]["value"], write["idempotency_key"],
        "a create carries its key"
    );
    assert_eq!(
        write["record"], at_store,
        "the write shows the store's record"
    );
    copied(&app, store, &format!("products/{product}"), &at_store).await;
    succeeds(
        &app,
        Method::PUT,
        &at(&format!("products/{product}")),
        &json!({"regular_price": "13.00"}),
    )
    .await;
    let at_store = held(sim, Resource::Products, 0, product);
    assert_eq!(at_store["price"], "13.00");
    copied(&app, store, &format!("products/{product}"), &at_store).await;

    // A variation's stock.
    let (parent, variation) = {
        let data = read(&sim.data);
        let parent = data.parents(Resource::ProductVariations)[0];
        let variation = data.collection((Resource::ProductVariations, parent))[0]["id"]
            .as_i64()
            .unwrap();
        (parent, variation)
    };
    succeeds(
        &app,
        Method::PUT,
        &at(&format!("products/{parent}/variations/{variation}")),
        &json!({"manage_stock": true, "stock_quantity": 3}),
    )
    .await;
    let at_store = held(sim, Resource::ProductVariations, parent, variation);
    assert_eq!(at_store["stock_quantity"], 3);
    copied(
        &app,
        store,
        &format!("product_variations/{variation}"),
        &at_store,
    )
    .await;

    // A customer, created and changed.
    let write = succeeds(
        &app,
        Method::POST,
        &at("customers"),
        &json!({"email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"}),
    )
    .await;
    let customer = write["record_id"].as_i64().unwrap();
    succeeds(
        &app,
        Method::PUT,
        &at(&format!("customers/{customer}")),
        &json!({"last_name": "Hopper-Murray"}),
    )
    .await;
    let at_store = held(sim, Resource::Customers, 0, customer);
    assert_eq!(at_store["email"], "grace@example.com");
    assert_eq!(at_store["last_name"], "Hopper-Murray");
    copied(&app, store, &format!("customers/{customer}"), &at_store).await;

    // An order of the new product, then completed with a note: the sale takes its stock.
    let write = succeeds(
        &app,
        Method::POST,
        &at("orders"),
        &json!({"status": "pending",
                "billing": {"first_name": "Ada", "email": "ada@example.com", "country": "GB"},
                "line_items": [{"product_id": product, "quantity": 2}]}),
    )
    .await;
    let order = write["record_id"].as_i64().unwrap();
    let at_store = held(sim, Resource::Orders, 0, order);
    assert_eq!(at_store["line_items"][0]["product_id"], product);
    assert_eq!(at_store["total"], "26.00");
    assert_eq!(at_store["billing"]["email"], "ada@example.com");
    succeeds(
        &app,
        Method::PUT,
        &at(&format!("orders/{order}")),
        &json!({"status": "completed", "notes": [{"note": "Packed by the warehouse"}]}),
    )
    .await;
    let at_store = held(sim, Resource::Orders, 0, order);
    assert_eq!(at_store["status"], "completed");
    let notes: Vec<Value> = read(&sim.data)
        .collection((Resource::OrderNotes, order))
        .to_vec();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["note"], "Packed by the warehouse");
    copied(&app, store, &format!("orders/{order}"), &at_store).await;
    assert_eq!(
        held(sim, Resource::Products, 0, product)["stock_quantity"],
        8
    );

    // Stock set, then compared and set, a product's and a variation's together.
    succeeds(
        &app,
        Method::POST,
        &at("inventory"),
        &json!({"items": [{"product_id": product, "stock_quantity": 42}]}),
    )
    .await;
    assert_eq!(
        held(sim, Resource::Products, 0, product)["stock_quantity"],
        42
    );
    let write = succeeds(
        &app,
        Method::POST,
        &at("inventory"),
        &json!({"items": [
            {"product_id": product, "stock_quantity": 40, "expected_quantity": 42},
            {"product_id": parent, "variation_id": variation, "stock_quantity": 5},
        ]}),
    )
    .await;
    assert_eq!(write["items"][0]["stock_quantity"], 40, "{write}");
    assert_eq!(write["items"][1]["stock_quantity"], 5, "{write}");
    let at_store = held(sim, Resource::Products, 0, product);
    assert_eq!(at_store["stock_quantity"], 40);
    copied(&app, store, &format!("products/{product}"), &at_store).await;
    assert_eq!(
        held(sim, Resource::ProductVariations, parent, variation)["stock_quantity"],
        5
    );

    // What the writes changed besides their own records (the sale's stock) comes with the
    // next poll; then the copy is the store.
    app.pipeline.poll_and_wait(store, PollKind::Changes).await;
    app.pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_writes_change_reaches_the_feed_once_though_the_store_sends_its_webhook_too() {
    let (app, _database) = write_app(QueueKind::Embedded, Backend::Sqlite).await;
    let (store, _worker) = app.synced_store().await;
    let (status, hooks) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, 200, "{hooks}");
    let product = read(&app.pipeline.sim.server.store.data)
        .collection((Resource::Products, 0))
        .iter()
        .find(|product| product["type"] == "simple")
        .and_then(|product| product["id"].as_i64())
        .unwrap();
    let cursor = feed_end(&app).await;

    succeeds(
        &app,
        Method::PUT,
        &format!("/api/stores/{store}/products/{product}"),
        &json!({"regular_price": "99.00"}),
    )
    .await;
    wait_for(
        "the store's webhook for the change to be applied",
        Duration::from_secs(30),
        || async {
            webhook_deliveries::Entity::find()
                .filter(webhook_deliveries::Column::WooId.eq(product))
                .filter(webhook_deliveries::Column::Topic.eq("product.updated"))
                .one(&app.pipeline.services.db)
                .await
                .unwrap()
                .is_some()
        },
    )
    .await;

    let (events, _) = feed_after(&app, &cursor).await;
    let changes: Vec<&Value> = events
        .iter()
        .filter(|event| event["record_id"] == product)
        .collect();
    let seen: Vec<(&Value, &Value)> = events
        .iter()
        .map(|event| (&event["type"], &event["record_id"]))
        .collect();
    assert_eq!(changes.len(), 1, "{seen:?}");
    assert_eq!(changes[0]["type"], "products.updated");
    assert_eq!(changes[0]["data"]["regular_price"], "99.00");
}
