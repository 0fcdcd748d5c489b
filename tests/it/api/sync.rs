//! `POST sync/<resource>` and `GET /api/sync-runs/{id}`: a run started, not started twice,
//! followed to its end.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use sim::generate::Sizes;
use woosync::stores::{StoreStatus, set_status};

use crate::support::app::{TestApp, code};
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_runs_once_and_reports_its_progress() {
    let app = TestApp::start(QueueKind::Redis, Sizes::default()).await;
    let store = app.connect_sim().await;
    let (status, first) = app
        .integration("sync/products", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["new"], true);
    let run = first["run_id"].as_i64().unwrap();
    let (status, again) = app
        .integration(
            "sync/inventory",
            json!({"store_id": store, "mode": "backfill"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        (again["run_id"].as_i64(), again["new"].clone()),
        (Some(run), json!(false)),
        "inventory is the products run"
    );
    let (status, view) = app.get(&format!("/api/sync-runs/{run}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (view["status"].as_str(), view["kind"].as_str()),
        (Some("queued"), Some("backfill")),
        "{view}"
    );

    let _worker = app.pipeline.spawn_worker();
    wait_for("the run to succeed", Duration::from_secs(60), || async {
        app.get(&format!("/api/sync-runs/{run}")).await.1["status"] == "succeeded"
    })
    .await;
    let (_, view) = app.get(&format!("/api/sync-runs/{run}")).await;
    let products = sim::store::read(&app.pipeline.sim.server.store.data)
        .collection((woosync::woo::Resource::Products, 0))
        .len();
    assert_eq!(view["records"].as_u64(), Some(products as u64), "{view}");
    assert_eq!(view["pages_done"], view["pages_total"], "{view}");
    assert!(
        view["finished_at"].is_string() && view["eta_s"].is_null(),
        "{view}"
    );

    let (status, all) = app
        .integration("sync/all", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        all["run_ids"].as_array().unwrap().len(),
        woosync::woo::Resource::TOP_LEVEL.len()
    );
    let (_, view) = app
        .get(&format!("/api/sync-runs/{}", all["run_ids"][0]))
        .await;
    assert_eq!(
        (view["resource"].as_str(), view["kind"].as_str()),
        (Some("products"), Some("incremental")),
        "after a backfill, incremental by default"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_that_cannot_start_says_why() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let cases = [
        (
            "sync/gadgets",
            json!({"store_id": store}),
            StatusCode::NOT_FOUND,
            "unknown_resource",
        ),
        (
            "sync/product_variations",
            json!({"store_id": store}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "synced_with_parent",
        ),
        (
            "sync/orders",
            json!({"store_id": store, "mode": "everything"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_mode",
        ),
        (
            "sync/orders",
            json!({"store_id": 404}),
            StatusCode::NOT_FOUND,
            "store_not_found",
        ),
        (
            "sync/orders",
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (route, body, expected_status, expected_code) in cases {
        let (status, answer) = app.integration(route, body.clone()).await;
        assert_eq!(
            (status, code(&answer)),
            (expected_status, expected_code),
            "{route} {body}"
        );
    }
    set_status(
        &app.pipeline.services.db,
        store,
        StoreStatus::AuthFailed,
        Some("bad keys".into()),
    )
    .await
    .unwrap();
    let (status, answer) = app
        .integration("sync/orders", json!({"store_id": store}))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::CONFLICT, "store_not_active")
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bad keys")
    );
    let (status, answer) = app.get("/api/sync-runs/12345").await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::NOT_FOUND, "run_not_found")
    );
    let (status, answer) = app.get("/api/sync-runs/latest").await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "invalid_path")
    );
}
