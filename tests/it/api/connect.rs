//! `POST connect`: a store saved with its secret encrypted, the same store connected again
//! keeping its id, and each kind of bad input refused with its own code.

use entity::stores::{self, AuthMode};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use sim::generate::Sizes;

use crate::support::app::{TestApp, code};
use crate::support::pipeline::QueueKind;

fn request(app: &TestApp) -> Value {
    let info = &app.pipeline.sim.server.info;
    json!({
        "store_url": format!("{}/wp-json/", info.url),
        "consumer_key": info.consumer_key,
        "consumer_secret": info.consumer_secret,
        "name": "Sim shop",
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_is_saved_once_with_its_secret_sealed() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (status, body) = app.integration("connect", request(&app)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let store_id = body["store_id"].as_i64().unwrap();
    let mut again = request(&app);
    again["consumer_secret"] = json!("cs_new_secret");
    again["rate_limit"] = json!(3.5);
    let (status, body) = app.integration("connect", again).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["store_id"].as_i64(),
        Some(store_id),
        "the same store, not a second"
    );
    let saved = stores::Entity::find()
        .all(&app.pipeline.services.db)
        .await
        .unwrap();
    assert_eq!(saved.len(), 1);
    let store = &saved[0];
    assert_eq!(
        store.url, app.pipeline.sim.server.info.url,
        "/wp-json/ is dropped"
    );
    assert_eq!(store.name, "Sim shop");
    assert_eq!(store.rate_limit_per_s, 3.5);
    assert_eq!(store.auth_mode, AuthMode::Basic);
    assert!(
        !store.consumer_secret_enc.contains("cs_new_secret"),
        "sealed at rest"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_its_reason() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let with = |field: &str, value: Value| {
        let mut body = request(&app);
        body[field] = value;
        body
    };
    let cases = [
        (
            with("store_url", json!("not a url")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_store_url",
        ),
        (
            with("store_url", json!("https://ck:cs@shop.example")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_store_url",
        ),
        (
            with("store_url", json!("https://shop.example/#top")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_store_url",
        ),
        (
            with("store_url", json!("http://shop.example")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "https_required",
        ),
        (
            with("consumer_key", json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_keys",
        ),
        (
            with("consumer_secret", json!("cs with spaces")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_keys",
        ),
        (
            with("rate_limit", json!(0)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_rate_limit",
        ),
        (
            with("rate_limit", json!(1e9)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_rate_limit",
        ),
        (
            with("auth_mode", json!("kerberos")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_auth_mode",
        ),
        (
            with("rate_limit", json!("fast")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            with("surprise", json!(1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"store_url": "https://shop.example"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, expected_status, expected_code) in cases {
        let (status, answer) = app.integration("connect", body.clone()).await;
        assert_eq!(
            (status, code(&answer)),
            (expected_status, expected_code),
            "{body}"
        );
    }
    let raw = app
        .http
        .post(format!("{}/api/integrations/woocommerce/connect", app.url))
        .bearer_auth(crate::support::app::TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, answer) = crate::support::app::answer(raw).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let form = app
        .http
        .post(format!("{}/api/integrations/woocommerce/connect", app.url))
        .bearer_auth(crate::support::app::TOKEN)
        .body("store_url=x")
        .send()
        .await
        .unwrap();
    let (status, answer) = crate::support::app::answer(form).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected_json")
    );
    let stored = stores::Entity::find()
        .all(&app.pipeline.services.db)
        .await
        .unwrap();
    assert!(stored.is_empty(), "nothing refused was saved");
}

#[tokio::test(flavor = "multi_thread")]
async fn stores_on_private_networks_are_refused_unless_allowed() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[("WOOSYNC_ALLOW_PRIVATE_STORES", "false")],
    )
    .await;
    let (status, body) = app.integration("connect", request(&app)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "private_address"),
        "{body}"
    );
    // Every way of writing a private or loopback address, IPv4 carried in IPv6 included.
    for url in [
        "https://10.1.2.3",
        "https://[::127.0.0.1]",
        "https://[::ffff:127.0.0.1]",
        "https://[::ffff:0:10.0.0.1]",
        "https://[64:ff9b::7f00:1]",
        "https://[2002:7f00:1::1]",
        "https://[2001:0:7f00:1::]",
        "https://[::1]",
        "https://0x7f000001",
        "https://2130706433",
        "https://127.1",
    ] {
        let mut private = request(&app);
        private["store_url"] = json!(url);
        let (status, body) = app.integration("connect", private).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, "private_address"),
            "{url}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_stores_use_oauth_where_allowed() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("WOOSYNC_ALLOW_HTTP_STORES", "true"),
        ],
    )
    .await;
    let mut plain = request(&app);
    plain["store_url"] = json!("http://shop.example");
    let (status, body) = app.integration("connect", plain.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let store = stores::Entity::find_by_id(body["store_id"].as_i64().unwrap())
        .one(&app.pipeline.services.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.auth_mode, AuthMode::OAuth1);
    plain["auth_mode"] = json!("basic");
    let (status, body) = app.integration("connect", plain).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "https_required")
    );
}
