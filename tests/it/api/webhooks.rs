//! Webhooks end to end: `webhooks/setup` registers them at the simulated store (its ping
//! passes), the store's signed deliveries land as records, and a tampered body, a wrong
//! secret and a replay are refused or de-duplicated with nothing written for them.

use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use sim::generate::Sizes;
use sim::store::{lock, read, write};
use sim::webhooks::{delivery_id, signature};
use woosync::woo::Resource;

use crate::support::app::{TestApp, answer, code};
use crate::support::pipeline::{QueueKind, wait_for};

const HANDLE: &str = "/api/integrations/woocommerce/webhooks/handle";

async fn set_up(app: &TestApp, store: i64) -> Value {
    let (status, body) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stores_deliveries_land_as_records() {
    let app = TestApp::start(QueueKind::Redis, Sizes::default()).await;
    let (store, _worker) = app.synced_store().await;

    let first = set_up(&app, store).await;
    let webhooks = first["webhooks"].as_array().unwrap();
    assert_eq!(webhooks.len(), 15);
    assert!(
        webhooks.iter().all(|webhook| webhook["status"] == "active"),
        "{first}"
    );
    let at_store = lock(&app.pipeline.sim.server.store.webhooks).clone();
    assert_eq!(
        at_store.len(),
        15,
        "each created once, after its ping passed"
    );
    assert!(
        at_store
            .iter()
            .all(|webhook| webhook.delivery_url == first["delivery_url"])
    );
    // Again: the same webhooks, none added.
    let second = set_up(&app, store).await;
    assert_eq!(first["webhooks"], second["webhooks"]);
    assert_eq!(lock(&app.pipeline.sim.server.store.webhooks).len(), 15);

    let sim = &app.pipeline.sim.server.store;
    let product = read(&sim.data).collection((Resource::Products, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.update(
        Resource::Products,
        0,
        product,
        json!({"name": "Renamed by the shop", "stock_quantity": 3}),
    );
    sim.create(Resource::Orders, 0, json!({"status": "pending"}));
    let order = read(&sim.data).collection((Resource::Orders, 0))[1]["id"]
        .as_i64()
        .unwrap();
    sim.refund(order, "5.00", "damaged");
    let customer = read(&sim.data).collection((Resource::Customers, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.delete(Resource::Customers, 0, customer);
    let coupon = read(&sim.data).collection((Resource::Coupons, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.update(Resource::Coupons, 0, coupon, json!({"amount": "15.00"}));

    let landed = || async {
        app.pipeline.jobs_left().await == 0 && app.pipeline.difference(store, sim).await.is_none()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !landed().await {
        assert!(
            std::time::Instant::now() < deadline,
            "the webhooks' records did not land within 30 s: {:?}; deliveries {:?}",
            app.pipeline.difference(store, sim).await,
            lock(&sim.deliveries)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Each delivery is noted in the audit, once.
    let audit = entity::webhook_deliveries::Entity::find()
        .all(&app.pipeline.services.db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 5, "{audit:?}");
    assert!(
        audit
            .iter()
            .all(|delivery| delivery.delivery_id.is_some() && delivery.store_id == store)
    );
    // The coupon's amount is meta, saved without moving its date: the same date with other
    // content is settled by asking the store.
    let mut outcomes: Vec<(&str, &str)> = audit
        .iter()
        .map(|delivery| (delivery.topic.as_str(), delivery.outcome.as_str()))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("coupon.updated", "applied as the store has it now"),
            ("customer.deleted", "applied"),
            ("order.created", "applied"),
            ("order.updated", "applied"),
            ("product.updated", "applied"),
        ]
    );
    let stats = lock(&sim.deliveries).clone();
    assert_eq!(
        (stats.sent, stats.failed),
        (5, 0),
        "every delivery answered 200"
    );
    let (_, product_row) = app
        .get(&format!("/api/stores/{store}/products?per_page=500"))
        .await;
    assert!(product_row.to_string().contains("Renamed by the shop"));
}

/// A delivery signed as the store signs it, for the test to send by hand.
fn delivery(topic: &str, body: &[u8], secret: &str, second: i64) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".into()),
        ("x-wc-webhook-topic", topic.into()),
        ("x-wc-webhook-signature", signature(secret, body)),
        ("x-wc-webhook-delivery-id", delivery_id(3, second)),
        ("x-wc-webhook-source", "https://ignored.example/".into()),
    ]
}

async fn send(
    app: &TestApp,
    store: i64,
    headers: &[(&str, String)],
    body: &[u8],
) -> (StatusCode, Value) {
    // A connection of its own: one the server closed after refusing a body unread must
    // not be picked from a pool for the next delivery.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut request = http
        .post(format!("{}{HANDLE}?store={store}", app.url))
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    answer(request.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_replayed_deliveries_are_refused_or_taken_once() {
    // Bodies over 64 KiB refused (small, so that the refused body fits in the socket's
    // buffer and the client reads the answer rather than a closed pipe).
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("WOOSYNC_WEBHOOK_MAX_BYTES", "65536"),
        ],
    )
    .await;
    let store = app.connect_sim().await;
    set_up(&app, store).await;
    let secret = lock(&app.pipeline.sim.server.store.webhooks)[0]
        .secret
        .clone();
    let now = Utc::now().timestamp();
    let product =
        read(&app.pipeline.sim.server.store.data).collection((Resource::Products, 0))[0].clone();
    let body = product.to_string().into_bytes();
    let queued = || app.deliveries_queued();

    let (status, taken) = send(
        &app,
        store,
        &delivery("product.updated", &body, &secret, now),
        &body,
    )
    .await;
    assert_eq!(
        (status, taken["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{taken}"
    );
    // The same delivery again, or the same content in a later second: a duplicate.
    for second in [now, now + 7] {
        let (status, again) = send(
            &app,
            store,
            &delivery("product.updated", &body, &secret, second),
            &body,
        )
        .await;
        assert_eq!(
            (status, again["status"].as_str()),
            (StatusCode::OK, Some("duplicate"))
        );
    }
    let mut tampered = body.clone();
    let at = tampered
        .iter()
        .position(|byte| byte.is_ascii_digit())
        .unwrap();
    tampered[at] = if tampered[at] == b'9' {
        b'1'
    } else {
        tampered[at] + 1
    };
    let (status, refused) = send(
        &app,
        store,
        &delivery("product.updated", &body, &secret, now),
        &tampered,
    )
    .await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );
    let (status, refused) = send(
        &app,
        store,
        &delivery("product.updated", &tampered, "whsec_guess", now),
        &tampered,
    )
    .await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );
    let mut unsigned = delivery("product.updated", &tampered, &secret, now);
    unsigned.retain(|(name, _)| *name != "x-wc-webhook-signature");
    let (status, _) = send(&app, store, &unsigned, &tampered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(queued().await, 1, "nothing refused reached the queue");

    // Delete, restore, delete again: three events, though the two deletions have one body.
    let gone = json!({"id": product["id"]}).to_string().into_bytes();
    let restored = body.clone();
    let events = [
        ("product.deleted", &gone, now),
        ("product.restored", &restored, now + 1),
        ("product.deleted", &gone, now + 2),
    ];
    for (topic, event, second) in events {
        let (status, taken) =
            send(&app, store, &delivery(topic, event, &secret, second), event).await;
        assert_eq!(
            (status, taken["status"].as_str()),
            (StatusCode::OK, Some("accepted")),
            "{topic}"
        );
    }
    assert_eq!(queued().await, 4);

    // The ping, a topic woosync does not use, and bodies it cannot take.
    let ping = app
        .http
        .post(format!("{}{HANDLE}?store={store}", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("webhook_id=12")
        .send()
        .await
        .unwrap();
    let (status, body_of_ping) = answer(ping).await;
    assert_eq!(
        (status, body_of_ping["status"].as_str()),
        (StatusCode::OK, Some("ping"))
    );
    let action = br#"{"action":"woocommerce_x","arg":1}"#;
    let (status, ignored) = send(
        &app,
        store,
        &delivery("action.woocommerce_x", action, &secret, now),
        action,
    )
    .await;
    assert_eq!(
        (status, ignored["status"].as_str()),
        (StatusCode::OK, Some("ignored"))
    );
    let broken = b"{\"id\": 1,";
    let (status, refused) = send(
        &app,
        store,
        &delivery("product.updated", broken, &secret, now),
        broken,
    )
    .await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let huge = vec![b' '; 70_000];
    let (status, refused) = send(
        &app,
        store,
        &delivery("product.updated", &huge, &secret, now),
        &huge,
    )
    .await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    let (status, refused) = send(
        &app,
        777,
        &delivery("product.updated", &body, &secret, now + 9),
        &body,
    )
    .await;
    // An unknown store is answered as a bad signature is: which stores exist is not told.
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );
    assert_eq!(queued().await, 4, "nothing else was queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_the_store_disabled_is_enabled_again_its_gap_synced_and_a_second_one_removed() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    set_up(&app, store).await;
    {
        let mut webhooks = lock(&app.pipeline.sim.server.store.webhooks);
        let order_updated = webhooks
            .iter_mut()
            .find(|webhook| webhook.topic == "order.updated")
            .unwrap();
        order_updated.status = "disabled".into();
        // What a second setup run at the same time leaves: another webhook of ours for a
        // topic.
        let mut second = webhooks
            .iter()
            .find(|webhook| webhook.topic == "product.created")
            .unwrap()
            .clone();
        second.id = 9_999;
        webhooks.push(second);
    }
    let services = &app.pipeline.services;
    let model = woosync::stores::find_store(&services.db, store)
        .await
        .unwrap()
        .unwrap();
    let repaired = woosync::webhooks::registration::check_webhooks(&services.context, &model)
        .await
        .unwrap();
    assert_eq!(repaired, vec!["order.updated".to_string()]);
    let at_store = lock(&app.pipeline.sim.server.store.webhooks).clone();
    assert!(at_store.iter().all(|webhook| webhook.status == "active"));
    assert!(
        at_store.iter().all(|webhook| webhook.id != 9_999),
        "the second product.created webhook is removed"
    );
    assert_eq!(at_store.len(), 15, "one webhook per topic");
    let live = app.pipeline.live_runs().await;
    assert_eq!(
        live, 1,
        "an orders run catches up with what the webhook missed"
    );
    let again = woosync::webhooks::registration::check_webhooks(&services.context, &model)
        .await
        .unwrap();
    assert!(again.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_says_why_it_cannot_register() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let (status, body) = app
        .integration("webhooks/setup", json!({"store_id": 31}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "store_not_found")
    );
    lock(&app.pipeline.sim.server.store.auth).keys[0].permissions = "read".into();
    let (status, body) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "missing_scope"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_says_when_the_store_cannot_reach_us() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("WOOSYNC_PUBLIC_URL", "http://127.0.0.1:1"),
        ],
    )
    .await;
    let store = app.connect_sim().await;
    let (status, body) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_GATEWAY, "delivery_url_unreachable"),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("WOOSYNC_PUBLIC_URL")
    );
    assert!(lock(&app.pipeline.sim.server.store.webhooks).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn deletions_no_webhook_reported_are_found_once_the_webhooks_are_put_right() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (store, _worker) = app.synced_store().await;
    set_up(&app, store).await;
    let sim = &app.pipeline.sim.server.store;
    for webhook in lock(&sim.webhooks).iter_mut() {
        if webhook.topic.ends_with(".deleted") {
            webhook.status = "disabled".into();
        }
    }
    let ids = |resource: Resource, count: usize| -> Vec<i64> {
        read(&sim.data)
            .collection((resource, 0))
            .iter()
            .take(count)
            .map(|record| record["id"].as_i64().unwrap())
            .collect()
    };
    // Trashed while their webhooks were down: the deliveries never left the store.
    for product in ids(Resource::Products, 2) {
        sim.delete(Resource::Products, 0, product);
    }
    for order in ids(Resource::Orders, 2) {
        sim.delete(Resource::Orders, 0, order);
    }
    // Deleted for good: WooCommerce sends no webhook at all, even while they are up.
    for webhook in lock(&sim.webhooks).iter_mut() {
        webhook.status = "active".into();
    }
    let sent_before = lock(&sim.deliveries).sent;
    let coupon = ids(Resource::Coupons, 1)[0];
    sim.delete_permanently(Resource::Coupons, 0, coupon);
    assert_eq!(lock(&sim.deliveries).sent, sent_before, "no webhook fired");
    for webhook in lock(&sim.webhooks).iter_mut() {
        if webhook.topic.ends_with(".deleted") {
            webhook.status = "disabled".into();
        }
    }

    let services = &app.pipeline.services;
    let model = woosync::stores::find_store(&services.db, store)
        .await
        .unwrap()
        .unwrap();
    let mut repaired = woosync::webhooks::registration::check_webhooks(&services.context, &model)
        .await
        .unwrap();
    repaired.sort();
    assert_eq!(
        repaired,
        [
            "coupon.deleted",
            "customer.deleted",
            "order.deleted",
            "product.deleted"
        ]
    );
    wait_for(
        "the catch-up sweeps to finish",
        Duration::from_secs(60),
        || async { app.pipeline.jobs_left().await == 0 && app.pipeline.live_runs().await == 0 },
    )
    .await;
    app.pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_does_only_what_its_signed_body_supports() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (store, _worker) = app.synced_store().await;
    set_up(&app, store).await;
    let sim = &app.pipeline.sim.server.store;
    let secret = lock(&sim.webhooks)[0].secret.clone();
    let product = read(&sim.data).collection((Resource::Products, 0))[0].clone();
    let id = product["id"].as_i64().unwrap();
    let signed_body = product.to_string().into_bytes();
    let deletion = json!({"id": id}).to_string().into_bytes();
    let now = Utc::now().timestamp();
    let mut second = now;
    let mut deliver = |topic: &'static str, body: Vec<u8>| {
        second += 1;
        let headers = delivery(topic, &body, &secret, second);
        let app = &app;
        async move {
            let (status, taken) = send(app, store, &headers, &body).await;
            assert_eq!(
                (status, taken["status"].as_str()),
                (StatusCode::OK, Some("accepted")),
                "{topic}: {taken}"
            );
        }
    };
    let settled = || async {
        app.pipeline.jobs_left().await == 0 && app.pipeline.difference(store, sim).await.is_none()
    };
    let outcomes = || async {
        let mut audit = entity::webhook_deliveries::Entity::find()
            .all(&app.pipeline.services.db)
            .await
            .unwrap();
        audit.sort_by_key(|delivery| delivery.id);
        audit
            .into_iter()
            .map(|delivery| delivery.outcome)
            .collect::<Vec<_>>()
    };

    // A record's body under another topic: it is the record, written by its own date
    // (the same as kept: nothing changes), never a deletion, never an order.
    deliver("product.deleted", signed_body.clone()).await;
    deliver("order.updated", signed_body.clone()).await;
    // An id alone under an update topic is no update; under a deletion topic the store is
    // asked, and it still has the product.
    deliver("product.updated", deletion.clone()).await;
    deliver("product.deleted", deletion.clone()).await;
    wait_for(
        "the deliveries to be applied",
        Duration::from_secs(30),
        settled,
    )
    .await;
    let mut first = outcomes().await;
    first.sort();
    assert_eq!(
        first,
        [
            "applied",
            "ignored: an id alone is only a deletion",
            "ignored: the body is not a record of its topic",
            "not deleted: the store still has it",
        ]
    );

    // Deleted at the store, restored, and the captured deletion replayed with a new
    // delivery id: the store has the product, so it stays.
    sim.delete(Resource::Products, 0, id);
    wait_for("the deletion to land", Duration::from_secs(30), settled).await;
    write(&sim.data).upsert((Resource::Products, 0), product.clone());
    sim.update(Resource::Products, 0, id, json!({}));
    wait_for("the restore to land", Duration::from_secs(30), settled).await;
    deliver("product.deleted", deletion).await;
    wait_for("the replay to be checked", Duration::from_secs(30), settled).await;
    assert_eq!(
        outcomes().await.last().map(String::as_str),
        Some("not deleted: the store still has it")
    );
    app.pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivered_record_is_kept_and_served_as_the_store_sent_it() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (store, _worker) = app.synced_store().await;
    set_up(&app, store).await;
    let sim = &app.pipeline.sim.server.store;
    let secret = lock(&sim.webhooks)[0].secret.clone();
    let mut product = read(&sim.data).collection((Resource::Products, 0))[0].clone();
    let id = product["id"].as_i64().unwrap();
    // A newer version, its keys in WooCommerce's order (id and name first), not sorted.
    let fields = product.as_object_mut().unwrap();
    fields.remove("id");
    fields.remove("name");
    fields.insert("date_modified_gmt".into(), json!("2030-01-01T00:00:00"));
    let rest = serde_json::to_string(&product).unwrap();
    let sent = format!(
        "{{\"id\":{id},\"name\":\"Kept as sent\",{}",
        rest.strip_prefix('{').unwrap()
    );
    let headers = delivery(
        "product.updated",
        sent.as_bytes(),
        &secret,
        Utc::now().timestamp(),
    );
    let (status, taken) = send(&app, store, &headers, sent.as_bytes()).await;
    assert_eq!(
        (status, taken["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    wait_for(
        "the delivery to be applied",
        Duration::from_secs(30),
        || async { app.pipeline.jobs_left().await == 0 },
    )
    .await;
    let (status, served) = app
        .get_text(&format!("/api/stores/{store}/products?per_page=500"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(served.contains(&sent), "not served as sent: {sent}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_requests_after_a_redis_restart_succeed() {
    let mut app = TestApp::start(QueueKind::RedisWithAof, Sizes::default()).await;
    let store = app.connect_sim().await;
    set_up(&app, store).await;
    let secret = lock(&app.pipeline.sim.server.store.webhooks)[0]
        .secret
        .clone();
    let (status, _) = app.get("/api/queues").await;
    assert_eq!(status, StatusCode::OK);

    app.pipeline.restart_redis();
    // Every pooled connection is dead; none of these may fail for it.
    let (status, queues) = app.get("/api/queues").await;
    assert_eq!(status, StatusCode::OK, "{queues}");
    let product =
        read(&app.pipeline.sim.server.store.data).collection((Resource::Products, 0))[0].clone();
    let body = product.to_string().into_bytes();
    let (status, taken) = send(
        &app,
        store,
        &delivery("product.updated", &body, &secret, Utc::now().timestamp()),
        &body,
    )
    .await;
    assert_eq!(
        (status, taken["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{taken}"
    );
    let (status, started) = app
        .integration("sync/orders", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let (status, again) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
}
