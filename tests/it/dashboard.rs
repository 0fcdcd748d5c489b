//! The dashboard in a real browser: a sync fails on bad keys, shows in the failed list; the
//! keys are fixed, Retry is pressed, the run finishes and the store turns active; then a
//! resource is synced and the store paused and resumed from its row.

use std::time::Duration;

use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sim::generate::Sizes;
use sim::store::{lock, read};
use woosync::jobs::BackfillPage;
use woosync::queue::job::Job;

use crate::support::app::{TOKEN, TestApp};
use crate::support::browser::Browser;
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_sync_is_retried_from_the_dashboard() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let secret = app.pipeline.sim.server.info.consumer_secret.clone();
    lock(&app.pipeline.sim.server.store.auth).keys[0].consumer_secret = "cs_revoked".into();
    let (status, started) = app
        .integration("sync/products", json!({"store_id": store}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let run = started["run_id"].as_i64().unwrap();
    let _worker = app.pipeline.spawn_worker();
    let queue = &app.pipeline.services.queue;
    wait_for("the page job to fail", Duration::from_secs(30), || async {
        queue.counts(BackfillPage::NAME).await.unwrap().failed == 1
    })
    .await;

    let browser = Browser::start().await;
    let page = &browser.client;
    page.goto(&format!("{}/dashboard", app.url)).await.unwrap();
    assert!(
        page.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/sign-in")
    );
    page.find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    browser.click("#sign-in").await;
    let failed = browser.wait_for("tr.failed-job", 10).await;
    let row = failed.text().await.unwrap();
    assert!(
        row.contains("backfill_page") && row.contains("products"),
        "{row}"
    );
    assert!(row.to_lowercase().contains("credentials"), "{row}");
    let status_cell = browser.wait_for("td.store-status", 1).await;
    assert!(status_cell.text().await.unwrap().contains("auth_failed"));

    // The keys are fixed at the store; the operator presses Retry.
    lock(&app.pipeline.sim.server.store.auth).keys[0].consumer_secret = secret;
    failed
        .find(Locator::Css("button.retry"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("#notice", 10).await;
    // The page refreshes itself: the run turns succeeded and the store active.
    browser
        .wait_for(
            &format!("tr.run[data-id=\"{run}\"][data-status=\"succeeded\"]"),
            60,
        )
        .await;
    // Its earlier error is history now, not its state.
    let succeeded = format!("tr.run[data-id=\"{run}\"]");
    let row = browser.wait_for(&succeeded, 1).await;
    assert!(
        row.find(Locator::Css("td.error")).await.is_err(),
        "a succeeded run shows no error as its state: {}",
        row.html(false).await.unwrap()
    );
    let history = row.find(Locator::Css("td.history")).await.unwrap();
    assert!(
        history.text().await.unwrap().contains("earlier error"),
        "{}",
        history.text().await.unwrap()
    );
    let status_cell = browser.wait_for("td.store-status", 1).await;
    assert!(
        status_cell.text().await.unwrap().contains("active"),
        "{}",
        status_cell.text().await.unwrap()
    );
    assert!(
        page.find(Locator::Css("tr.failed-job")).await.is_err(),
        "nothing is left failed"
    );

    // Sync one resource, then pause and resume the store, from its row.
    page.find(Locator::Css("tr.store select[name=resource]"))
        .await
        .unwrap()
        .select_by_value("orders")
        .await
        .unwrap();
    browser.click("tr.store button.sync").await;
    browser
        .wait_for(
            "tr.run[data-resource=\"orders\"][data-status=\"succeeded\"]",
            60,
        )
        .await;
    browser.click("tr.store button.pause").await;
    let paused = browser.wait_for("tr.store button.resume", 10).await;
    let status_cell = browser.wait_for("td.store-status", 1).await;
    assert!(status_cell.text().await.unwrap().contains("paused"));
    paused.click().await.unwrap();
    browser.wait_for("tr.store button.pause", 10).await;

    let screenshot = page.screenshot().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    std::fs::write(&path, screenshot).unwrap();
    eprintln!("dashboard screenshot: {}", path.display());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_on_another_port_cannot_post_the_dashboards_forms() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    // A page of the same site (127.0.0.1), on another port, that posts the pause form as
    // soon as it loads.
    let hostile = format!(
        "<!doctype html><form method=post action=\"{}/dashboard/stores/{store}/pause\">\
         <input name=csrf value=guessed></form><script>document.forms[0].submit()</script>",
        app.url
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hostile_url = format!("http://{}/", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(hostile) }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });

    let browser = Browser::start().await;
    let page = &browser.client;
    page.goto(&format!("{}/dashboard/sign-in", app.url))
        .await
        .unwrap();
    page.find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    browser.click("#sign-in").await;
    browser.wait_for("tr.store", 10).await;

    page.goto(&hostile_url).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let url = page.current_url().await.unwrap();
        if url.path().ends_with("/pause") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the form was not posted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer = page.source().await.unwrap();
    assert!(answer.contains("another site"), "{answer}");
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["status"], "active", "the store was not paused");

    // The dashboard's own button still works.
    page.goto(&format!("{}/dashboard", app.url)).await.unwrap();
    browser.click("tr.store button.pause").await;
    browser.wait_for("tr.store button.resume", 10).await;
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["status"], "paused");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_write_is_retried_and_another_discarded_from_the_dashboard() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.pipeline.connect_store(1_000.0).await;
    let _worker = app.pipeline.spawn_worker();
    let sim = &app.pipeline.sim.server.store;
    lock(&sim.auth).keys[0].permissions = "read".into();
    let products = format!("/api/stores/{store}/products");
    let mug = crate::writes::accepted(&app, Method::POST, &products, &json!({"name": "Mug"})).await;
    let cup = crate::writes::accepted(&app, Method::POST, &products, &json!({"name": "Cup"})).await;
    for write in [mug, cup] {
        let failed = crate::writes::finished(&app, write).await;
        assert_eq!(failed["state"], "failed", "{failed}");
    }
    lock(&sim.auth).keys[0].permissions = "read_write".into();

    let browser = Browser::start().await;
    let page = &browser.client;
    browser.sign_in(&app.url, TOKEN).await;
    let row = browser
        .wait_for(&format!("tr.write[data-id=\"{mug}\"]"), 10)
        .await;
    let text = row.text().await.unwrap();
    assert!(
        text.contains("create_product") && text.contains("write permissions"),
        "{text}"
    );
    row.find(Locator::Css("button.retry"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("#notice", 10).await;
    let retried = crate::writes::finished(&app, mug).await;
    assert_eq!(retried["state"], "succeeded", "{retried}");

    browser
        .wait_for(&format!("tr.write[data-id=\"{cup}\"] button.discard"), 10)
        .await
        .click()
        .await
        .unwrap();
    wait_for(
        "the write to be discarded",
        Duration::from_secs(10),
        || async {
            let (_, discarded) = app.get(&format!("/api/writes/{cup}")).await;
            discarded["error"]["code"] == "discarded"
        },
    )
    .await;
    wait_for(
        "the written and discarded rows to go",
        Duration::from_secs(10),
        || async { page.find(Locator::Css("tr.write")).await.is_err() },
    )
    .await;
    assert_eq!(
        read(&sim.data)
            .collection((woosync::woo::Resource::Products, 0))
            .iter()
            .filter(|product| product["name"] == "Mug" || product["name"] == "Cup")
            .count(),
        1,
        "the retried write made its product, the discarded one none"
    );
    browser.close().await;
}
