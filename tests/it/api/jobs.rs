//! `/api/jobs`, `/api/queues` and pausing a store: the failed set listed, shown, retried
//! and discarded over HTTP.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use sim::generate::Sizes;
use sim::store::lock;
use woosync::jobs::BackfillPage;
use woosync::queue::job::Job;

use crate::support::app::{TestApp, code};
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn failed_jobs_are_listed_shown_retried_and_discarded() {
    let app = TestApp::start(QueueKind::Redis, Sizes::default()).await;
    let store = app.connect_sim().await;
    let secret = app.pipeline.sim.server.info.consumer_secret.clone();
    lock(&app.pipeline.sim.server.store.auth).keys[0].consumer_secret = "cs_revoked".into();
    let mut runs = Vec::new();
    for resource in ["products", "orders"] {
        let (_, started) = app
            .integration(&format!("sync/{resource}"), json!({"store_id": store}))
            .await;
        runs.push(started["run_id"].as_i64().unwrap());
    }
    let _worker = app.pipeline.spawn_worker();
    let queue = &app.pipeline.services.queue;
    // A first page fails on the keys and stops the store; the other fails too, or finds
    // the store stopped and does nothing.
    wait_for("a page job to fail", Duration::from_secs(30), || async {
        queue.counts(BackfillPage::NAME).await.unwrap().failed >= 1
            && app.pipeline.jobs_left().await == 0
    })
    .await;
    let failed_count = queue.counts(BackfillPage::NAME).await.unwrap().failed;

    let (status, queues) = app.get("/api/queues").await;
    assert_eq!(status, StatusCode::OK);
    let pages = queues
        .as_array()
        .unwrap()
        .iter()
        .find(|queue| queue["job"] == "backfill_page")
        .unwrap();
    assert_eq!(pages["failed"], failed_count, "{queues}");

    let (status, listed) = app.get("/api/jobs?state=failed&job=backfill_page").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let jobs = listed["jobs"].as_array().unwrap();
    assert_eq!(jobs.len() as u64, failed_count, "{listed}");
    let failed = &jobs[0];
    assert_eq!(failed["store_id"], store);
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap()
            .contains("credentials"),
        "{failed}"
    );
    let id = failed["id"].as_str().unwrap().to_string();
    let (_, by_store) = app.get(&format!("/api/jobs?store_id={}", store + 1)).await;
    assert!(by_store["jobs"].as_array().unwrap().is_empty());
    let (status, shown) = app.get(&format!("/api/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["state"], "failed");
    assert!(!shown["history"].as_array().unwrap().is_empty(), "{shown}");

    // Refused: unknown things, and actions on a job in the wrong state.
    let cases = [
        (
            "/api/jobs?state=lost",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/jobs?job=mystery",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/jobs?per_page=0",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/jobs?page=18446744073709551615&per_page=200",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        ("/api/jobs/999999", StatusCode::NOT_FOUND, "job_not_found"),
    ];
    for (path, expected_status, expected_code) in cases {
        let (status, body) = app.get(path).await;
        assert_eq!(
            (status, code(&body)),
            (expected_status, expected_code),
            "{path}"
        );
    }
    let (status, body) = app.post("/api/jobs/999999/retry", json!({})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "job_not_found")
    );
    let (status, body) = app
        .post("/api/jobs/retry-failed", json!({"job": "mystery"}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );

    // Fixed keys; the retry makes the store active again and both runs finish.
    lock(&app.pipeline.sim.server.store.auth).keys[0].consumer_secret = secret;
    let (status, body) = app.post(&format!("/api/jobs/{id}/retry"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.post(&format!("/api/jobs/{id}/retry"), json!({})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "job_in_wrong_state")
    );
    let (status, retried) = app
        .post("/api/jobs/retry-failed", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(retried["retried"].as_u64(), Some(failed_count - 1));
    app.pipeline
        .wait_synced(&runs, Duration::from_secs(60))
        .await;
    assert_eq!(queue.counts(BackfillPage::NAME).await.unwrap().failed, 0);
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["status"], "active");

    // Pausing stops new syncs; resuming allows them again.
    let (status, paused) = app
        .post(&format!("/api/stores/{store}/pause"), json!({}))
        .await;
    assert_eq!(
        (status, paused["status"].as_str()),
        (StatusCode::OK, Some("paused"))
    );
    let (status, body) = app
        .integration("sync/orders", json!({"store_id": store}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "store_not_active")
    );
    let (status, resumed) = app
        .post(&format!("/api/stores/{store}/resume"), json!({}))
        .await;
    assert_eq!(
        (status, resumed["status"].as_str()),
        (StatusCode::OK, Some("active"))
    );
    let (status, _) = app
        .integration("sync/orders", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, body) = app.post("/api/stores/404/pause", json!({})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "store_not_found")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_job_can_be_discarded_and_all_failed_retried() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    lock(&app.pipeline.sim.server.store.auth).keys[0].consumer_secret = "cs_revoked".into();
    app.integration("sync/products", json!({"store_id": store}))
        .await;
    let _worker = app.pipeline.spawn_worker();
    let queue = &app.pipeline.services.queue;
    wait_for("a page job to fail", Duration::from_secs(30), || async {
        queue.counts(BackfillPage::NAME).await.unwrap().failed == 1
    })
    .await;
    let (_, listed) = app.get("/api/jobs").await;
    let id = listed["jobs"][0]["id"].as_str().unwrap().to_string();
    let (status, retried) = app
        .post("/api/jobs/retry-failed", json!({"store_id": store + 1}))
        .await;
    assert_eq!(
        (status, retried["retried"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    let (status, body) = app
        .post(&format!("/api/jobs/{id}/discard"), json!({}))
        .await;
    assert_eq!(
        (status, body["action"].as_str()),
        (StatusCode::OK, Some("discarded"))
    );
    let (status, _) = app.get(&format!("/api/jobs/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(queue.counts(BackfillPage::NAME).await.unwrap().failed, 0);
}
