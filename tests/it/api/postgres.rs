//! The API's own SQL on Postgres (the other tests run it on SQLite): reads, filters,
//! inventory, the metrics' and the dashboard's summaries, and disconnecting a store.

use reqwest::{Method, StatusCode};
use sim::generate::Sizes;

use crate::support::app::{TOKEN, TestApp};
use crate::support::database::{Backend, TestDatabase};
use crate::support::pipeline::QueueKind;

#[tokio::test(flavor = "multi_thread")]
async fn reads_summaries_and_disconnecting_work_on_postgres() {
    let database = TestDatabase::migrated(Backend::Postgres).await;
    let pg_url = database.url.clone();
    let app = TestApp::start_with(
        QueueKind::Redis,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("DATABASE_URL", &pg_url),
        ],
    )
    .await;
    let (store, _worker) = app.synced_store().await;

    let (status, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let products = detail["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|summary| summary["resource"] == "products")
        .unwrap()
        .clone();
    assert!(products["records"].as_u64().unwrap() > 0, "{products}");
    assert!(products["last_synced_at"].is_string(), "{products}");
    for path in [
        format!("/api/stores/{store}/products?status=publish&per_page=5"),
        format!("/api/stores/{store}/orders?modified_after=2000-01-01T00:00:00Z"),
        format!("/api/stores/{store}/inventory?low_stock=true"),
        format!("/api/stores/{store}/inventory?per_page=3&page=2"),
        "/api/sync-runs/1".to_string(),
        "/api/jobs?state=done&per_page=5".to_string(),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, orders) = app
        .get(&format!(
            "/api/stores/{store}/orders?modified_after=2000-01-01T00:00:00Z"
        ))
        .await;
    assert!(orders["total"].as_u64().unwrap() > 0);
    // Postgres keeps each record's text as the store sent it (`json`, not `jsonb`).
    let (_, served) = app
        .get_text(&format!("/api/stores/{store}/orders?per_page=500"))
        .await;
    let orders = sim::store::read(&app.pipeline.sim.server.store.data)
        .collection((woosync::woo::Resource::Orders, 0))
        .to_vec();
    for order in orders {
        assert!(served.contains(&order.to_string()), "not as sent: {order}");
    }

    let metrics = app.scrape_metrics().await;
    assert!(metrics.contains("woosync_sync_lag_seconds{"), "{metrics}");

    // Signed in as a browser is: the cookie it gets holds no token, and the token itself
    // as a cookie is no session.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = no_redirects
        .post(format!("{}/dashboard/sign-in", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(!cookie.contains(TOKEN), "{cookie}");
    let forged = no_redirects
        .get(format!("{}/dashboard", app.url))
        .header("cookie", format!("woosync_session={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    let dashboard = no_redirects
        .get(format!("{}/dashboard", app.url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    let page = dashboard.text().await.unwrap();
    assert!(page.contains("tr class=\"store\""), "{page}");

    let (status, body) = app
        .call(Method::DELETE, &format!("/api/stores/{store}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["records_erased"].as_u64().unwrap() > 0);
}
