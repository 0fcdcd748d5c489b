//! The read API over a synced store: stores without their secrets, records as the store
//! sent them a page at a time with filters, inventory; and disconnecting a store.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sim::generate::Sizes;
use sim::store::{lock, read};
use woosync::sync::tombstone::tombstone_ids;
use woosync::woo::Resource;

use crate::support::app::{TestApp, code};
use crate::support::pipeline::{QueueKind, wait_for};

async fn synced_app() -> (TestApp, i64) {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (store, worker) = app.synced_store().await;
    drop(worker);
    (app, store)
}

fn sim_records(app: &TestApp, resource: Resource) -> Vec<Value> {
    let data = read(&app.pipeline.sim.server.store.data);
    data.parents(resource)
        .into_iter()
        .flat_map(|parent| data.collection((resource, parent)).to_vec())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn synced_records_are_read_back_as_the_store_sent_them() {
    let (app, store) = synced_app().await;
    let secret = app.pipeline.sim.server.info.consumer_secret.clone();

    let (status, stores) = app.get("/api/stores").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stores.as_array().unwrap().len(), 1);
    assert!(!stores.to_string().contains(&secret), "never a secret");
    let (status, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!detail.to_string().contains(&secret));
    assert_eq!(detail["status"], "active");
    for summary in detail["resources"].as_array().unwrap() {
        let resource: Resource = summary["resource"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            summary["records"].as_u64(),
            Some(sim_records(&app, resource).len() as u64),
            "{summary}"
        );
    }

    // Every product, page by page, equal to the store's.
    let products = sim_records(&app, Resource::Products);
    let mut read_back = Vec::new();
    let mut page = 1;
    loop {
        let (status, body) = app
            .get(&format!(
                "/api/stores/{store}/products?per_page=7&page={page}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"].as_u64(), Some(products.len() as u64));
        assert_eq!(
            body["total_pages"].as_u64(),
            Some(products.len().div_ceil(7) as u64)
        );
        let records = body["records"].as_array().unwrap().clone();
        if records.is_empty() {
            break;
        }
        read_back.extend(records);
        page += 1;
    }
    let mut expected = products.clone();
    expected.sort_by_key(|record| record["id"].as_i64());
    assert_eq!(read_back, expected);

    // Filters.
    let sku = products
        .iter()
        .find_map(|p| p["sku"].as_str().filter(|s| !s.is_empty()))
        .unwrap();
    let (_, by_sku) = app
        .get(&format!("/api/stores/{store}/products?sku={sku}"))
        .await;
    assert_eq!(by_sku["total"], 1, "{by_sku}");
    assert_eq!(by_sku["records"][0]["sku"], sku);
    let orders = sim_records(&app, Resource::Orders);
    let (_, completed) = app
        .get(&format!(
            "/api/stores/{store}/orders?status=completed&per_page=500"
        ))
        .await;
    let completed_in_store = orders.iter().filter(|o| o["status"] == "completed").count();
    assert_eq!(completed["total"].as_u64(), Some(completed_in_store as u64));
    assert!(
        completed["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "completed")
    );
    let (_, future) = app
        .get(&format!(
            "/api/stores/{store}/orders?modified_after=2100-01-01T00:00:00Z"
        ))
        .await;
    assert_eq!(future["total"], 0);

    // Inventory: a row per product and variation, low stock as the store counts it.
    let variations = sim_records(&app, Resource::ProductVariations);
    let (status, inventory) = app
        .get(&format!("/api/stores/{store}/inventory?per_page=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{inventory}");
    assert_eq!(
        inventory["total"].as_u64(),
        Some((products.len() + variations.len()) as u64)
    );
    let (_, low) = app
        .get(&format!(
            "/api/stores/{store}/inventory?low_stock=true&per_page=500"
        ))
        .await;
    assert!(
        low["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["low_stock"] == true)
    );

    // Bad reads.
    let cases = [
        (
            format!("/api/stores/{store}/gadgets"),
            StatusCode::NOT_FOUND,
            "unknown_resource",
        ),
        (
            "/api/stores/99/products".to_string(),
            StatusCode::NOT_FOUND,
            "store_not_found",
        ),
        (
            "/api/stores/99".to_string(),
            StatusCode::NOT_FOUND,
            "store_not_found",
        ),
        (
            format!("/api/stores/{store}/customers?sku=x"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_filter",
        ),
        (
            format!("/api/stores/{store}/products?per_page=5000"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("/api/stores/{store}/products?page=0"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("/api/stores/{store}/products?page=4611686018427387905&per_page=2"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("/api/stores/{store}/products?page=-1"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("/api/stores/{store}/orders?modified_after=yesterday"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("/api/stores/{store}/orders?colour=red"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/stores/abc".to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
    ];
    for (path, expected_status, expected_code) in cases {
        let (status, body) = app.get(&path).await;
        assert_eq!(
            (status, code(&body)),
            (expected_status, expected_code),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_are_served_byte_for_byte_and_deleted_ones_say_when() {
    let (app, store) = synced_app().await;
    let orders = sim_records(&app, Resource::Orders);
    let texts: Vec<String> = orders.iter().map(Value::to_string).collect();
    // A line item's price such as 51.199999999999996 (a PHP float division) is not given
    // back by a JSON parser that rounds on the way: the case this guards.
    let reprinted = |text: &String| serde_json::from_str::<Value>(text).unwrap().to_string();
    assert!(
        texts.iter().any(|text| reprinted(text) != *text),
        "the store has a number a parse and print would change"
    );
    let mut served = String::new();
    for page in 1..=orders.len().div_ceil(500) {
        let (status, body) = app
            .get_text(&format!(
                "/api/stores/{store}/orders?per_page=500&page={page}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        served.push_str(&body);
    }
    for text in &texts {
        assert!(served.contains(text.as_str()), "not served as sent: {text}");
    }

    // A record deleted upstream is listed only when asked for, with when it was deleted.
    let product = sim_records(&app, Resource::Products)[0].clone();
    let id = product["id"].as_i64().unwrap();
    let before = chrono::Utc::now();
    tombstone_ids(
        &app.pipeline.services.db,
        store,
        Resource::Products,
        &[id],
        true,
    )
    .await
    .unwrap();
    let (_, live) = app
        .get(&format!("/api/stores/{store}/products?per_page=500"))
        .await;
    assert!(
        live["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|record| record["id"] != id)
    );
    let (_, all) = app
        .get(&format!(
            "/api/stores/{store}/products?per_page=500&include_deleted=true"
        ))
        .await;
    let records = all["records"].as_array().unwrap();
    let deleted = records.iter().find(|record| record["id"] == id).unwrap();
    let stamp: chrono::DateTime<chrono::Utc> =
        deleted["deleted_at"].as_str().unwrap().parse().unwrap();
    assert!(stamp >= before - chrono::Duration::seconds(1) && stamp <= chrono::Utc::now());
    let mut without_stamp = deleted.clone();
    without_stamp.as_object_mut().unwrap().remove("deleted_at");
    assert_eq!(without_stamp, product);
    assert!(
        records
            .iter()
            .filter(|record| record["id"] != id)
            .all(|record| record.get("deleted_at").is_none())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disconnected_store_leaves_no_webhook_and_no_data() {
    let (app, store) = synced_app().await;
    let (status, body) = app
        .integration("webhooks/setup", serde_json::json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(lock(&app.pipeline.sim.server.store.webhooks).len(), 15);

    let (status, body) = app
        .call(Method::DELETE, &format!("/api/stores/{store}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["webhooks_removed"], 15);
    assert!(body["records_erased"].as_u64().unwrap() > 0);
    assert!(lock(&app.pipeline.sim.server.store.webhooks).is_empty());
    let (status, _) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    wait_for(
        "nothing of the store left",
        Duration::from_secs(5),
        || async {
            let db = &app.pipeline.services.db;
            let mut left = 0;
            for resource in Resource::ALL {
                left += woosync::sync::stored::stored_records(db, store, resource, true)
                    .await
                    .unwrap()
                    .len();
            }
            left == 0
        },
    )
    .await;
    let (status, body) = app
        .call(Method::DELETE, &format!("/api/stores/{store}"), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "store_not_found")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_refuses_us_is_still_disconnected() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let (status, _) = app
        .integration("webhooks/setup", serde_json::json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::OK);
    lock(&app.pipeline.sim.server.store.auth).keys[0].consumer_secret = "cs_revoked".into();
    let (status, body) = app
        .call(Method::DELETE, &format!("/api/stores/{store}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["webhooks_removed"], 0);
    assert!(
        body["warning"]
            .as_str()
            .unwrap()
            .contains("could not be removed"),
        "{body}"
    );
    let (status, _) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// (product, variation, low in stock) of every inventory item, in that order.
async fn inventory_flags(app: &TestApp, store: i64) -> Vec<(i64, i64, bool)> {
    let (_, body) = app
        .get(&format!("/api/stores/{store}/inventory?per_page=500"))
        .await;
    let mut items: Vec<(i64, i64, bool)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["product_id"].as_i64().unwrap(),
                item["variation_id"].as_i64().unwrap(),
                item["low_stock"].as_bool().unwrap(),
            )
        })
        .collect();
    items.sort_unstable();
    items
}

/// Whether WooCommerce counts a product or variation as low in stock: it manages stock and
/// holds no more than its own threshold, its product's, or the store's.
fn low_in_stock(record: &Value, product: Option<&Value>, store_threshold: i64) -> bool {
    let own = |record: &Value| record["low_stock_amount"].as_i64();
    let threshold = own(record)
        .or_else(|| product.and_then(own))
        .unwrap_or(store_threshold);
    record["manage_stock"] == true
        && record["stock_quantity"]
            .as_i64()
            .is_some_and(|quantity| quantity <= threshold)
}

#[tokio::test(flavor = "multi_thread")]
async fn low_stock_is_counted_against_the_stores_own_threshold() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    lock(&app.pipeline.sim.server.store.settings)
        .insert("woocommerce_notify_low_stock_amount".into(), "20".into());
    let (store, _worker) = app.synced_store().await;
    let (status, tested) = app
        .integration("test", serde_json::json!({"store_id": store}))
        .await;
    assert_eq!(
        (status, tested["ok"].clone()),
        (StatusCode::OK, Value::Bool(true))
    );
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["low_stock_amount"], 20, "{detail}");
    assert_eq!(detail["low_stock_amount_note"], Value::Null);

    let products = sim_records(&app, Resource::Products);
    let variations = sim_records(&app, Resource::ProductVariations);
    let expected = |threshold: i64| -> Vec<(i64, i64, bool)> {
        let mut items: Vec<(i64, i64, bool)> = products
            .iter()
            .map(|p| {
                (
                    p["id"].as_i64().unwrap(),
                    0,
                    low_in_stock(p, None, threshold),
                )
            })
            .chain(variations.iter().map(|v| {
                let parent = v["parent_id"].as_i64().unwrap();
                let product = products.iter().find(|p| p["id"] == parent);
                (
                    parent,
                    v["id"].as_i64().unwrap(),
                    low_in_stock(v, product, threshold),
                )
            }))
            .collect();
        items.sort_unstable();
        items
    };
    assert_ne!(
        expected(20),
        expected(2),
        "the store has items a threshold of 20 flags and one of 2 does not"
    );
    assert_eq!(inventory_flags(&app, store).await, expected(20));

    // A key whose user cannot manage WooCommerce is refused the setting: WooCommerce's
    // default is used, and the store says why.
    lock(&app.pipeline.sim.server.store.auth).keys[0].manage_woocommerce = false;
    let (_, tested) = app
        .integration("test", serde_json::json!({"store_id": store}))
        .await;
    assert_eq!(tested["ok"], true, "{tested}");
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["low_stock_amount"], 2, "{detail}");
    assert!(
        detail["low_stock_amount_note"]
            .as_str()
            .is_some_and(|note| note.contains("default of 2")),
        "{detail}"
    );
    assert_eq!(inventory_flags(&app, store).await, expected(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_record_and_an_order_by_its_number_are_looked_up() {
    let (app, store) = synced_app().await;
    let (refunded, refunds, notes) = {
        let data = read(&app.pipeline.sim.server.store.data);
        let refunded = data.parents(Resource::OrderRefunds)[0];
        (
            refunded,
            data.collection((Resource::OrderRefunds, refunded)).len(),
            data.collection((Resource::OrderNotes, refunded)).len(),
        )
    };
    let order = sim_records(&app, Resource::Orders)
        .into_iter()
        .find(|order| order["id"] == refunded)
        .unwrap();

    let (status, held) = app
        .get(&format!("/api/stores/{store}/orders/{refunded}"))
        .await;
    assert_eq!((status, held), (StatusCode::OK, order.clone()));
    let variation = sim_records(&app, Resource::ProductVariations)[0].clone();
    let (status, held) = app
        .get(&format!(
            "/api/stores/{store}/product_variations/{}",
            variation["id"]
        ))
        .await;
    assert_eq!((status, held), (StatusCode::OK, variation));

    let number = order["number"].as_str().unwrap();
    let (status, found) = app
        .get(&format!("/api/stores/{store}/orders/by-number/{number}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["order"], order);
    assert!(refunds > 0);
    assert_eq!(found["refunds"].as_array().unwrap().len(), refunds);
    assert_eq!(found["notes"].as_array().unwrap().len(), notes);

    for path in [
        format!("/api/stores/{store}/orders/by-number/no-such-number"),
        format!("/api/stores/{store}/orders/999999999"),
        format!("/api/stores/{store}/orders/not-an-id"),
        format!("/api/stores/{store}/no_such_resource/1"),
        "/api/stores/424242/orders/1".to_string(),
    ] {
        let (status, answer) = app.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {answer}");
    }
}
