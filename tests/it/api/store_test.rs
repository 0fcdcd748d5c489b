//! `POST test`: what the store says of itself, or the one reason it cannot be synced.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sim::auth::ApiKey;
use sim::generate::Sizes;
use sim::store::lock;
use woosync::secrets::Secret;
use woosync::stores::{AuthMode, NewStore, save_store};
use woosync::woo::auth::oauth1::SignatureMethod;

use crate::support::app::{TestApp, code};
use crate::support::pipeline::QueueKind;
use crate::support::sim::TestSim;

async fn test(app: &TestApp, store_id: i64) -> Value {
    let (status, body) = app.integration("test", json!({"store_id": store_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn set_permissions(app: &TestApp, permissions: &str) {
    let info = &app.pipeline.sim.server.info;
    lock(&app.pipeline.sim.server.store.auth).keys = vec![ApiKey {
        consumer_key: info.consumer_key.clone(),
        consumer_secret: info.consumer_secret.clone(),
        permissions: permissions.into(),
        manage_woocommerce: true,
    }];
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reachable_store_says_what_it_is() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let body = test(&app, store).await;
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["woocommerce_version"], "10.0.2");
    assert!(
        body["wordpress_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    assert!(body["currency"].as_str().is_some_and(|c| c.len() == 3));
    assert_eq!(body["modified_filters"], true);
    assert_eq!(body["can_write"], true);
    // A key that may only read passes, and says it cannot set up webhooks.
    set_permissions(&app, "read");
    let body = test(&app, store).await;
    assert_eq!(
        (body["ok"].clone(), body["can_write"].clone()),
        (json!(true), json!(false)),
        "{body}"
    );
    assert!(
        lock(&app.pipeline.sim.server.store.webhooks).is_empty(),
        "the write check created nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_failure_has_its_reason() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("WOOSYNC_REQUEST_TIMEOUT_S", "1"),
        ],
    )
    .await;
    let store = app.connect_sim().await;
    let reason = |body: &Value| body["reason"].as_str().unwrap_or("none").to_string();
    let sim = &app.pipeline.sim.server;

    set_permissions(&app, "write");
    assert_eq!(reason(&test(&app, store).await), "missing_scope");
    set_permissions(&app, "read_write");

    sim.set_faults(|faults| faults.rest_disabled = true);
    assert_eq!(reason(&test(&app, store).await), "rest_api_unavailable");
    sim.set_faults(|faults| faults.rest_disabled = false);

    sim.set_faults(|faults| faults.redirect_to = Some("https://www.shop.example/".into()));
    let body = test(&app, store).await;
    assert_eq!(reason(&body), "redirected", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("https://www.shop.example/"),
        "{body}"
    );
    sim.set_faults(|faults| faults.redirect_to = None);

    sim.set_faults(|faults| faults.login_page = true);
    assert_eq!(reason(&test(&app, store).await), "not_woocommerce");
    sim.set_faults(|faults| faults.login_page = false);

    sim.set_faults(|faults| {
        faults.latency_ms.insert("default".into(), 3_000);
    });
    assert_eq!(reason(&test(&app, store).await), "timeout");
    sim.set_faults(|faults| faults.latency_ms.clear());

    lock(&sim.store.auth).keys[0].consumer_secret = "cs_rotated".into();
    let body = test(&app, store).await;
    assert_eq!(
        (body["ok"].clone(), reason(&body)),
        (json!(false), "invalid_credentials".into()),
        "{body}"
    );

    let (_, nowhere) = app
        .integration(
            "connect",
            json!({"store_url": "https://127.0.0.1:1", "consumer_key": "ck_x", "consumer_secret": "cs_x"}),
        )
        .await;
    assert_eq!(
        reason(&test(&app, nowhere["store_id"].as_i64().unwrap()).await),
        "unreachable"
    );

    // A store whose certificate no one said to trust: the TLS failure, with its cause.
    let stranger = TestSim::start(true, Sizes::default()).await;
    let (_, connected) = app
        .integration(
            "connect",
            json!({
                "store_url": stranger.server.info.url,
                "consumer_key": stranger.server.info.consumer_key,
                "consumer_secret": stranger.server.info.consumer_secret,
            }),
        )
        .await;
    let body = test(&app, connected["store_id"].as_i64().unwrap()).await;
    assert_eq!(reason(&body), "tls_error", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("certificate"),
        "{body}"
    );

    // A plain-HTTP store saved while allowed, tested after it no longer is.
    let services = &app.pipeline.services;
    let plain = save_store(
        &services.db,
        &services.context.secret_key,
        NewStore {
            name: "old".into(),
            url: "http://old.example".into(),
            auth_mode: AuthMode::OAuth1,
            signature_method: SignatureMethod::HmacSha256,
            consumer_key: "ck_old".into(),
            consumer_secret: Secret::new("cs_old"),
            rate_limit_per_s: 5.0,
        },
    )
    .await
    .unwrap();
    assert_eq!(reason(&test(&app, plain).await), "https_required");

    let (status, body) = app.integration("test", json!({"store_id": 999})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "store_not_found")
    );
    let (status, body) = app.integration("test", json!({"store_id": "one"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );
}
