//! Bad input is a clear error in the API or in the write's result, never a retry storm,
//! and leaves nothing half-written in the copy; a compare-and-set of stock that races a
//! sale fails with `conflict` and leaves the sale's stock.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sim::store::{lock, read, write as write_lock};
use woosync::stores::{StoreStatus, set_status};
use woosync::woo::Resource;

use super::{fails, send, succeeds, write_app};
use crate::support::app::{TOKEN, TestApp, code};
use crate::support::database::Backend;
use crate::support::pipeline::QueueKind;

/// A simple product of the store with stock managed, and its stock.
fn stocked_product(app: &TestApp) -> (i64, i64) {
    let data = read(&app.pipeline.sim.server.store.data);
    data.collection((Resource::Products, 0))
        .iter()
        .find(|product| product["type"] == "simple" && product["manage_stock"] == true)
        .map(|product| {
            (
                product["id"].as_i64().unwrap(),
                product["stock_quantity"].as_i64().unwrap(),
            )
        })
        .expect("a simple product with managed stock")
}

fn store_count(app: &TestApp, resource: Resource) -> usize {
    read(&app.pipeline.sim.server.store.data).count(resource)
}

async fn copy_count(app: &TestApp, store: i64, resource: &str) -> u64 {
    let (status, page) = app
        .get(&format!("/api/stores/{store}/{resource}?per_page=1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["total"].as_u64().unwrap()
}

fn failed_with(write: &Value, expected: &str) {
    assert_eq!(write["error"]["code"], expected, "{write}");
    assert_eq!(write["attempts"], 1, "a refusal is not retried: {write}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_clearly_and_writes_nothing() {
    let (app, _database) = write_app(QueueKind::Embedded, Backend::Sqlite).await;
    let (store, _worker) = app.synced_store().await;
    let at = |path: &str| format!("/api/stores/{store}/{path}");
    let orders_before = store_count(&app, Resource::Orders);

    // Refused by the API at once.
    let (status, body) = send(
        &app,
        Method::POST,
        "/api/stores/999/orders",
        &json!({}),
        None,
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "store_not_found")
    );
    let not_json = app
        .http
        .post(format!("{}{}", app.url, at("orders")))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/json")
        .body("{\"line_items\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let (status, body) = send(
        &app,
        Method::POST,
        &at("products"),
        &json!({"name": "x", "regular_price": 12.5}),
        None,
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("regular_price"),
        "{body}"
    );
    let (status, body) = send(&app, Method::POST, &at("coupons"), &json!({}), None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, "not_writable")
    );

    // The same key: the same request is the first write, another request is refused.
    let order = json!({"line_items": [{"product_id": 999999, "quantity": 1}]});
    let (status, first) = send(
        &app,
        Method::POST,
        &at("orders"),
        &order,
        Some("order-key-1"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let (status, again) = send(
        &app,
        Method::POST,
        &at("orders"),
        &order,
        Some("order-key-1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["write_id"], first["write_id"]);
    let other = json!({"line_items": [{"product_id": 999998, "quantity": 1}]});
    let (status, body) = send(
        &app,
        Method::POST,
        &at("orders"),
        &other,
        Some("order-key-1"),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "idempotency_key_reused")
    );

    // Refused at the store or before it, in the write's result, without retries.
    let write = super::finished(&app, first["write_id"].as_i64().unwrap()).await;
    failed_with(&write, "unknown_products");
    assert!(
        write["error"]["message"]
            .as_str()
            .unwrap()
            .contains("999999"),
        "{write}"
    );
    assert_eq!(
        store_count(&app, Resource::Orders),
        orders_before,
        "no order was made"
    );

    let sku =
        read(&app.pipeline.sim.server.store.data).collection((Resource::Products, 0))[0]["sku"]
            .as_str()
            .unwrap()
            .to_string();
    let write = fails(
        &app,
        Method::POST,
        &at("products"),
        &json!({"name": "Again", "sku": sku}),
    )
    .await;
    failed_with(&write, "product_invalid_sku");
    let write = fails(
        &app,
        Method::PUT,
        &at("products/999999"),
        &json!({"regular_price": "1.00"}),
    )
    .await;
    failed_with(&write, "woocommerce_rest_product_invalid_id");
    let email =
        read(&app.pipeline.sim.server.store.data).collection((Resource::Customers, 0))[0]["email"]
            .as_str()
            .unwrap()
            .to_string();
    let write = fails(
        &app,
        Method::POST,
        &at("customers"),
        &json!({"email": email}),
    )
    .await;
    failed_with(&write, "registration-error-email-exists");

    // A read-only key: the write fails saying so, and the store, which still reads, is
    // not stopped for it.
    lock(&app.pipeline.sim.server.store.auth).keys[0].permissions = "read".into();
    let write = fails(
        &app,
        Method::POST,
        &at("products"),
        &json!({"name": "Nope"}),
    )
    .await;
    failed_with(&write, "woocommerce_rest_authentication_error");
    assert!(
        write["error"]["message"]
            .as_str()
            .unwrap()
            .contains("write permissions"),
        "{write}"
    );
    let (_, shown) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(shown["status"], "active", "{shown}");
    lock(&app.pipeline.sim.server.store.auth).keys[0].permissions = "read_write".into();

    // Nothing of the refused writes is in the copy.
    assert_eq!(
        copy_count(&app, store, "orders").await as usize,
        orders_before
    );

    // A store stopped by bad keys takes no writes.
    set_status(
        &app.pipeline.services.db,
        store,
        StoreStatus::AuthFailed,
        Some("bad keys".into()),
    )
    .await
    .unwrap();
    let (status, body) = send(&app, Method::POST, &at("orders"), &order, None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "store_not_active")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_compare_and_set_of_stock_that_races_a_sale_keeps_the_sale() {
    let (app, _database) = write_app(QueueKind::Redis, Backend::Sqlite).await;
    let (store, _worker) = app.synced_store().await;
    let inventory = format!("/api/stores/{store}/inventory");
    let sim = &app.pipeline.sim.server.store;
    let (product, stock) = stocked_product(&app);
    let stock_at_store = || {
        read(&sim.data)
            .find((Resource::Products, 0), product)
            .unwrap()["stock_quantity"]
            .as_i64()
            .unwrap()
    };

    // A quantity other than the expected one writes nothing.
    let write = fails(
        &app,
        Method::POST,
        &inventory,
        &json!({"items": [{"product_id": product, "stock_quantity": stock + 10, "expected_quantity": stock + 1}]}),
    )
    .await;
    failed_with(&write, "conflict");
    assert_eq!(write["items"][0]["found_quantity"], stock, "{write}");
    assert_eq!(stock_at_store(), stock);

    // A sale between woosync's read and its write: the write fails, the sale stays.
    write_lock(&sim.faults).sale_after_stock_read = Some(2);
    let write = fails(
        &app,
        Method::POST,
        &inventory,
        &json!({"items": [{"product_id": product, "stock_quantity": stock + 10, "expected_quantity": stock}]}),
    )
    .await;
    failed_with(&write, "conflict");
    assert_eq!(
        stock_at_store(),
        stock - 2,
        "the store's stock is the sale's"
    );
    assert_eq!(write["items"][0]["found_quantity"], stock - 2, "{write}");

    // Without a race it is set.
    succeeds(
        &app,
        Method::POST,
        &inventory,
        &json!({"items": [{"product_id": product, "stock_quantity": 5, "expected_quantity": stock - 2}]}),
    )
    .await;
    assert_eq!(stock_at_store(), 5);
}
