//! Records a store sends that cannot be parsed or stored are set aside alone, on SQLite and
//! on Postgres, and shown: per store and resource in the API and on the dashboard, counted
//! in their run and in `/metrics`, and fetched again once fixed.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use sim::generate::Sizes;
use sim::store::read;
use woosync::jobs::poll_store::PollKind;
use woosync::woo::Resource;

use crate::support::app::TestApp;
use crate::support::database::{Backend, TestDatabase};
use crate::support::pipeline::QueueKind;

async fn bad_records_are_set_aside_shown_and_fetched_again(app: &TestApp, postgres: bool) {
    let sim = &app.pipeline.sim.server.store;
    let ids: Vec<i64> = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .take(3)
        .map(|product| product["id"].as_i64().unwrap())
        .collect();
    let originals: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            read(&sim.data)
                .find((Resource::Products, 0), *id)
                .unwrap()
                .clone()
        })
        .collect();
    // A field no parser takes; and, what only Postgres refuses, a NUL in a name and an
    // amount beyond what a numeric column holds.
    sim.update(Resource::Products, 0, ids[0], json!({"price": "cheap"}));
    sim.update(
        Resource::Products,
        0,
        ids[1],
        json!({"name": "Bad\u{0}Name"}),
    );
    sim.update(
        Resource::Products,
        0,
        ids[2],
        json!({"regular_price": "123456789012345678"}),
    );
    let expected: &[i64] = if postgres { &ids } else { &ids[..1] };

    let (store, _worker) = app.synced_store().await;
    let (status, page) = app.get(&format!("/api/stores/{store}/quarantine")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut set_aside: Vec<i64> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["woo_id"].as_str().unwrap().parse().unwrap())
        .collect();
    set_aside.sort_unstable();
    assert_eq!(set_aside, expected, "{page}");
    let first = &page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["woo_id"] == ids[0].to_string().as_str())
        .unwrap();
    assert!(
        first["reason"].as_str().unwrap().starts_with("price: "),
        "{first}"
    );
    assert!(first["raw"].as_str().unwrap().contains("\"cheap\""));
    // The rest of the page landed.
    let (_, products) = app
        .get(&format!("/api/stores/{store}/products?per_page=500"))
        .await;
    assert_eq!(
        products["total"].as_u64().unwrap() as usize,
        read(&sim.data).collection((Resource::Products, 0)).len() - expected.len()
    );
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    let summary = detail["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|summary| summary["resource"] == "products")
        .unwrap();
    assert_eq!(summary["quarantined"], expected.len(), "{summary}");
    let products_run = entity::sync_runs::Entity::find()
        .filter(entity::sync_runs::Column::Resource.eq("products"))
        .one(&app.pipeline.services.db)
        .await
        .unwrap()
        .unwrap();
    let (_, run) = app
        .get(&format!("/api/sync-runs/{}", products_run.id))
        .await;
    assert_eq!(run["quarantined"], expected.len(), "{run}");
    let metrics = app.scrape_metrics().await;
    assert!(
        metrics.contains("woosync_records_quarantined_total{resource=\"products\"}"),
        "{metrics}"
    );
    let dashboard = app.dashboard_html().await;
    assert!(
        dashboard.contains("tr class=\"quarantined\""),
        "shown on the dashboard"
    );

    // The store is fixed; the operator fetches each record again.
    for (id, original) in ids.iter().zip(&originals) {
        sim.update(Resource::Products, 0, *id, original.clone());
    }
    for entry in page["records"].as_array().unwrap() {
        let (status, outcome) = app
            .post(&format!("/api/quarantine/{}/retry", entry["id"]), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{outcome}");
        assert_eq!(outcome["outcome"], "written", "{outcome}");
    }
    let (_, page) = app.get(&format!("/api/stores/{store}/quarantine")).await;
    assert_eq!(page["total"], 0, "{page}");
    // The records that were kept as they were (SQLite holds them) come with the next poll.
    app.pipeline.poll_and_wait(store, PollKind::Changes).await;
    app.pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_records_are_set_aside_alone_on_sqlite() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    bad_records_are_set_aside_shown_and_fetched_again(&app, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_records_are_set_aside_alone_on_postgres() {
    let database = TestDatabase::migrated(Backend::Postgres).await;
    let app = TestApp::start_with(
        QueueKind::Redis,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("DATABASE_URL", &database.url),
        ],
    )
    .await;
    bad_records_are_set_aside_shown_and_fetched_again(&app, true).await;
}
