//! Consumer endpoints: bad input refused with nothing stored; an endpoint that is down,
//! or whose worker is killed mid-delivery, gets every event once it is back, in order per
//! record; cursors past the retention are told so.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sim::store::read;
use woosync::feed::retention::prune_events;
use woosync::woo::Resource;

use super::{SETTLE, feed_after, feed_app, register, small_store};
use crate::support::app::{TestApp, code};
use crate::support::consumer::Consumer;
use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn bad_endpoints_types_and_cursors_are_refused_and_nothing_is_stored() {
    // Private endpoints refused, as by default.
    let app = TestApp::start(QueueKind::Embedded, small_store()).await;
    let consumer = Consumer::start().await;
    let refused = [
        (json!({"url": consumer.url}), "private_endpoint_address"),
        (
            json!({"url": "ftp://events.example.com/in"}),
            "invalid_endpoint_url",
        ),
        (json!({"url": "not a url"}), "invalid_endpoint_url"),
        (
            json!({"url": "https://user:pw@events.example.com/"}),
            "invalid_endpoint_url",
        ),
        (
            json!({"url": "https://events.example.com/", "types": ["order.paid"]}),
            "unknown_event_type",
        ),
    ];
    for (body, expected) in refused {
        let (status, answer) = app.post("/api/event-endpoints", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(code(&answer), expected, "{body}: {answer}");
    }
    let (status, answer) = app
        .post(
            "/api/event-endpoints",
            json!({"url": "https://x.example", "store_ids": [404]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (_, listed) = app.get("/api/event-endpoints").await;
    assert_eq!(listed["endpoints"], json!([]), "nothing stored");

    for (query, status, expected) in [
        ("after=abc", StatusCode::BAD_REQUEST, "invalid_cursor"),
        ("after=999999", StatusCode::BAD_REQUEST, "invalid_cursor"),
        (
            "types=nope",
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_event_type",
        ),
        ("limit=0", StatusCode::BAD_REQUEST, "invalid_limit"),
        ("wait=600", StatusCode::BAD_REQUEST, "invalid_wait"),
    ] {
        let (got, answer) = app.get(&format!("/api/events?{query}")).await;
        assert_eq!(got, status, "{query}: {answer}");
        assert_eq!(code(&answer), expected, "{query}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_refused_and_a_pruned_cursor_is_gone() {
    let (app, _database) = feed_app(QueueKind::Embedded, Backend::Sqlite).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/in", closed.local_addr().unwrap());
    drop(closed);
    let (status, answer) = app.post("/api/event-endpoints", json!({"url": url})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(code(&answer), "endpoint_unreachable", "{answer}");

    // One endpoint registered before the store's first copy and paused: its events will
    // be pruned before it takes them.
    let behind_consumer = Consumer::start().await;
    let behind = register(&app, &behind_consumer, None).await;
    let behind_path = format!("/api/event-endpoints/{}", behind["id"]);
    let (status, _) = app
        .call(
            Method::PATCH,
            &behind_path,
            Some(json!({"status": "paused"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_store, _worker) = app.synced_store().await;
    let consumer = Consumer::start().await;
    let endpoint = register(&app, &consumer, Some(json!(["orders.*", "inventory.*"]))).await;
    assert_eq!(endpoint["types"].as_array().unwrap().len(), 7, "{endpoint}");
    let (first, end) = feed_after(&app, "0").await;
    assert!(!first.is_empty());
    // Everything so far past its retention.
    let db = &app.pipeline.services.db;
    let pruned = prune_events(db, chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(pruned as usize, first.len());
    let (status, answer) = app.get("/api/events?after=0").await;
    assert_eq!(status, StatusCode::GONE, "{answer}");
    assert_eq!(answer["error"]["oldest_cursor"], json!(end), "{answer}");
    let (status, answer) = app
        .post(
            &format!("/api/event-endpoints/{}/replay", endpoint["id"]),
            json!({"after": "0"}),
        )
        .await;
    assert_eq!(status, StatusCode::GONE, "{answer}");
    // The feed goes on from where it was pruned.
    let (status, page) = app.get("/api/events").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["next_cursor"], json!(end));
    // The endpoint whose events were pruned unread is told so when resumed, not moved on.
    let (status, _) = app
        .call(
            Method::PATCH,
            &behind_path,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    wait_for(
        "the endpoint behind the retention to be disabled",
        SETTLE,
        || async { app.get(&behind_path).await.1["status"] == "disabled" },
    )
    .await;
    let (_, told) = app.get(&behind_path).await;
    let reason = told["status_reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("oldest cursor served is {end}")),
        "{reason}"
    );
    assert!(behind_consumer.events().is_empty());
    // Replayed from the oldest cursor: active again, from there.
    let (status, replayed) = app
        .post(&format!("{behind_path}/replay"), json!({"after": end}))
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(
        (replayed["status"].clone(), replayed["cursor"].clone()),
        (json!("active"), json!(end))
    );

    // Paused and resumed; the secret rotated; deleted.
    let path = format!("/api/event-endpoints/{}", endpoint["id"]);
    let (status, paused) = app
        .call(Method::PATCH, &path, Some(json!({"status": "paused"})))
        .await;
    assert_eq!(
        (status, paused["status"].clone()),
        (StatusCode::OK, json!("paused"))
    );
    let (_, rotated) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"rotate_secret": true, "status": "active"})),
        )
        .await;
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(rotated["secret"], endpoint["secret"]);
    let (status, _) = app.call(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Per record, the order in which events first arrived.
fn first_arrivals(events: &[Value]) -> HashMap<String, Vec<i64>> {
    let mut lanes: HashMap<String, Vec<i64>> = HashMap::new();
    for event in events {
        let lane = format!("{}/{}", event["resource"], event["record_id"]);
        lanes
            .entry(lane)
            .or_default()
            .push(event["id"].as_str().unwrap().parse().unwrap());
    }
    lanes
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_down_and_a_killed_worker_lose_nothing_and_keep_order_on_sqlite() {
    down_and_killed_lose_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_down_and_a_killed_worker_lose_nothing_and_keep_order_on_postgres() {
    down_and_killed_lose_nothing(Backend::Postgres).await;
}

/// Worker processes on Redis, the endpoint down for a while, then failing one delivery in
/// five while its worker is killed.
async fn down_and_killed_lose_nothing(backend: Backend) {
    let (app, _database) = feed_app(QueueKind::Redis, backend).await;
    let (store, worker) = app.synced_store().await;
    let (status, _) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, 200);
    drop(worker);
    let _clock = app.pipeline.spawn_clock();
    let mut process = app.pipeline.spawn_process(&["work"], &[]);
    let consumer = Consumer::start().await;
    let endpoint = register(&app, &consumer, None).await;
    let (_, start) = feed_after(&app, "0").await;

    // Down while the store changes: deliveries fail and are retried.
    consumer.set_down(true);
    let sim = &app.pipeline.sim.server.store;
    let products: Vec<i64> = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .take(12)
        .map(|product| product["id"].as_i64().unwrap())
        .collect();
    let change = |round: usize| {
        for id in &products {
            sim.update(
                Resource::Products,
                0,
                *id,
                json!({"name": format!("Round {round}")}),
            );
        }
    };
    change(1);
    let log = format!(
        "/api/event-endpoints/{}/deliveries?status=failing",
        endpoint["id"]
    );
    wait_for("deliveries to fail", SETTLE, || async {
        app.get(&log).await.1["failing"].as_u64().unwrap_or(0) > 0
    })
    .await;
    // The dashboard shows the endpoint and its failing deliveries.
    let page = app.dashboard_html().await;
    let section = &page[page.find("id=\"event-endpoints\"").unwrap()..];
    assert!(section.contains(&consumer.url), "{section}");
    assert!(
        section.contains("failing") && section.contains("503"),
        "{section}"
    );

    // Back, failing one delivery in five, and the worker killed while it delivers.
    consumer.fail_one_in(5);
    consumer.set_down(false);
    for round in 2..=4 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        change(round);
    }
    wait_for("some deliveries", SETTLE, || async {
        !consumer.events().is_empty()
    })
    .await;
    process.kill().unwrap();
    process.wait().unwrap();
    let mut process = app.pipeline.spawn_process(&["work"], &[]);

    // Every change is in once the database equals the store: events commit with them.
    wait_for("the changes to land", SETTLE, || async {
        app.pipeline.difference(store, sim).await.is_none()
    })
    .await;
    let (expected, _) = feed_after(&app, &start).await;
    assert!(expected.len() >= products.len() * 2, "{}", expected.len());
    wait_for("every event delivered", Duration::from_secs(90), || async {
        consumer.events().len() >= expected.len()
    })
    .await;
    process.kill().unwrap();
    process.wait().unwrap();
    let received = consumer.events();
    let ids = |events: &[Value]| -> Vec<String> {
        let mut ids: Vec<String> = events.iter().map(|event| event["id"].to_string()).collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(&received),
        ids(&expected),
        "every event, once by webhook-id"
    );
    let got = first_arrivals(&received);
    for (lane, order) in first_arrivals(&expected) {
        assert_eq!(got[&lane], order, "{lane} out of order");
    }
    assert_eq!(consumer.unverified(), 0);
    let duplicates = consumer.deliveries().len() - received.len();
    println!("{} events, {duplicates} delivered twice", received.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_failing_too_long_is_disabled_and_resumed_and_replayed_gets_everything() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        small_store(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_ENDPOINTS", "true"),
            ("WOOSYNC_EVENT_RETRY_FIRST_DELAY_S", "0.2"),
            ("WOOSYNC_EVENT_RETRY_FOR_S", "1"),
        ],
    )
    .await;
    let (store, _worker) = app.synced_store().await;
    let _clock = app.pipeline.spawn_clock();
    let consumer = Consumer::start().await;
    let endpoint = register(&app, &consumer, None).await;
    let path = format!("/api/event-endpoints/{}", endpoint["id"]);
    let (_, start) = feed_after(&app, "0").await;
    consumer.set_down(true);

    // Changes written as a webhook would bring them.
    let sim = &app.pipeline.sim.server.store;
    let products: Vec<Value> = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .take(3)
        .cloned()
        .collect();
    for product in &products {
        let id = product["id"].as_i64().unwrap();
        sim.update(
            Resource::Products,
            0,
            id,
            json!({"name": "Disabled meanwhile"}),
        );
    }
    app.pipeline
        .poll_and_wait(store, woosync::jobs::poll_store::PollKind::Changes)
        .await;
    let (expected, _) = feed_after(&app, &start).await;
    assert_eq!(expected.len(), products.len(), "{expected:#?}");

    wait_for("the endpoint to be disabled", SETTLE, || async {
        app.get(&path).await.1["status"] == "disabled"
    })
    .await;
    let (_, disabled) = app.get(&path).await;
    let reason = disabled["status_reason"].as_str().unwrap();
    assert!(
        reason.contains("failing since") && reason.contains("503"),
        "{reason}"
    );
    assert!(consumer.events().is_empty());

    // Back up and resumed: every event, once.
    consumer.set_down(false);
    let (status, resumed) = app
        .call(Method::PATCH, &path, Some(json!({"status": "active"})))
        .await;
    assert_eq!(
        (status, resumed["status"].clone()),
        (StatusCode::OK, json!("active"))
    );
    wait_for("the events after the resume", SETTLE, || async {
        consumer.events().len() == expected.len()
    })
    .await;
    wait_for("the endpoint's cursor at the end", SETTLE, || async {
        let (_, now) = app.get(&path).await;
        now["cursor"] == expected.last().unwrap()["id"] && now["failing_since"].is_null()
    })
    .await;

    // Replayed from where it started: each delivered again, with the same webhook-id.
    let (status, replayed) = app
        .post(&format!("{path}/replay"), json!({"after": start}))
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    wait_for("the replay", SETTLE, || async {
        consumer.deliveries().len() == 2 * expected.len()
    })
    .await;
    assert_eq!(consumer.events().len(), expected.len());
}
