//! One-click connect: a merchant approves woosync at their store (WooCommerce's
//! `/wc-auth/v1/authorize`, played by the simulated store) and the store is connected,
//! subscribed to webhooks and backfilled; a refusal connects nothing; forged, reused and
//! expired callbacks are refused and store nothing, and the store then deletes its key.

use std::time::Duration;

use chrono::Utc;
use entity::{connect_attempts, stores, sync_runs};
use fantoccini::Locator;
use reqwest::StatusCode;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use sim::auth::ApiKey;
use sim::generate::Sizes;
use sim::store::lock;
use woosync::sync::runs::RunStatus;

use crate::support::app::{TOKEN, TestApp, answer, code};
use crate::support::browser::Browser;
use crate::support::pipeline::{QueueKind, wait_for};

/// A small store whose orders have no notes: a store connected in one click fetches the
/// notes of orders changed since, not of all (`backfill_order_notes`).
fn small_store() -> Sizes {
    Sizes {
        notes_per_order: 0,
        ..crate::feed::small_store()
    }
}

async fn stores_held(app: &TestApp) -> u64 {
    stores::Entity::find()
        .count(&app.pipeline.services.db)
        .await
        .unwrap()
}

/// Signs in to the dashboard and asks to connect the simulated store: the browser ends
/// on the store's login page.
async fn ask_to_connect(app: &TestApp, browser: &Browser) {
    let page = &browser.client;
    browser.sign_in(&app.url, TOKEN).await;
    browser
        .wait_for("#connect-store-url", 10)
        .await
        .send_keys(&app.pipeline.sim.server.info.url)
        .await
        .unwrap();
    browser.click("#connect-store").await;
    let info = &app.pipeline.sim.server.info;
    browser
        .wait_for("#username", 10)
        .await
        .send_keys(&info.admin_user)
        .await
        .unwrap();
    page.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(&info.admin_password)
        .await
        .unwrap();
    browser.click("#wp-submit").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_merchant_approves_at_the_store_and_it_is_connected_and_synced() {
    let app = TestApp::start(QueueKind::Embedded, small_store()).await;
    let _worker = app.pipeline.spawn_worker();
    let sim = &app.pipeline.sim.server.store;
    let browser = Browser::start().await;
    ask_to_connect(&app, &browser).await;

    // The approval page names the app and what it may do.
    let approve = browser.wait_for("a.wc-auth-approve", 10).await;
    let page_text = browser.client.source().await.unwrap();
    assert!(
        page_text.contains("woosync") && page_text.contains("Read/Write"),
        "{page_text}"
    );
    assert!(page_text.contains("View and manage orders"), "{page_text}");
    approve.click().await.unwrap();

    // Back on the dashboard, which says so and shows the store.
    let notice = browser.wait_for("#notice", 30).await.text().await.unwrap();
    assert!(notice.contains("connected"), "{notice}");
    browser.wait_for("tr.store", 10).await;
    let store = stores::Entity::find()
        .one(&app.pipeline.services.db)
        .await
        .unwrap()
        .expect("a store was connected");
    let key = lock(&sim.auth)
        .keys
        .iter()
        .find(|key| key.consumer_key == store.consumer_key)
        .cloned()
        .expect("the store holds the key the merchant approved");
    assert_eq!(key.permissions, "read_write");
    assert_ne!(key.consumer_key, app.pipeline.sim.server.info.consumer_key);
    let delivery_prefix = format!("{}/api/integrations/woocommerce/webhooks/handle", app.url);
    let subscribed = lock(&sim.webhooks)
        .iter()
        .filter(|webhook| webhook.delivery_url.starts_with(&delivery_prefix))
        .count();
    assert_eq!(
        subscribed,
        woosync::webhooks::TOPICS.len(),
        "webhooks at the store"
    );

    // Its first sync finishes with the database equal to the store.
    let db = &app.pipeline.services.db;
    wait_for(
        "the first sync to finish",
        Duration::from_secs(120),
        || async {
            let runs = sync_runs::Entity::find()
                .filter(sync_runs::Column::StoreId.eq(store.id))
                .all(db)
                .await
                .unwrap();
            !runs.is_empty()
                && runs.iter().all(|run| run.status == RunStatus::Succeeded)
                && app.pipeline.jobs_left().await == 0
        },
    )
    .await;
    app.pipeline.assert_database_equals_store(store.id).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_merchant_who_denies_connects_nothing() {
    let app = TestApp::start(QueueKind::Embedded, small_store()).await;
    let browser = Browser::start().await;
    ask_to_connect(&app, &browser).await;
    browser
        .wait_for("a.wc-auth-deny", 10)
        .await
        .click()
        .await
        .unwrap();
    let notice = browser.wait_for("#notice", 30).await.text().await.unwrap();
    assert!(notice.contains("refused"), "{notice}");
    assert_eq!(stores_held(&app).await, 0);
    assert_eq!(lock(&app.pipeline.sim.server.store.auth).keys.len(), 1);
    browser.close().await;
}

/// A simulated store of its own (its keys come from `seed`), calling back over https only,
/// with the directory of its certificate.
async fn store_of_its_own(seed: u64, tls: bool) -> (sim::server::SimServer, tempfile::TempDir) {
    let certs = tempfile::tempdir().unwrap();
    let server = sim::server::SimServer::start(sim::server::SimOptions {
        port: 0,
        tls,
        seed,
        sizes: Sizes::default(),
        cert_dir: certs.path().to_path_buf(),
        http_callbacks: false,
    })
    .await
    .unwrap();
    (server, certs)
}

/// Starts an attempt through the API; its `user_id`.
async fn attempt(app: &TestApp) -> String {
    let (status, started) = app
        .integration(
            "authorize",
            json!({"store_url": app.pipeline.sim.server.info.url, "return_url": "https://app.example/back"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let url = url::Url::parse(started["authorize_url"].as_str().unwrap()).unwrap();
    assert!(url.path().ends_with("/wc-auth/v1/authorize"), "{url}");
    url.query_pairs()
        .find(|(name, _)| name == "user_id")
        .map(|(_, value)| value.into_owned())
        .unwrap()
}

/// Puts the attempt of `user_id` past its hour.
async fn expire(app: &TestApp, user_id: &str) {
    let id: i64 = user_id.split_once('.').unwrap().0.parse().unwrap();
    connect_attempts::ActiveModel {
        id: Set(id),
        expires_at: Set(Utc::now() - chrono::Duration::seconds(1)),
        ..Default::default()
    }
    .update(&app.pipeline.services.db)
    .await
    .unwrap();
}

async fn call_back(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    answer(
        app.http
            .post(format!("{}/api/integrations/woocommerce/callback", app.url))
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn consumer_data(user_id: &str, key: &str, secret: &str, permissions: &str) -> Value {
    json!({"key_id": 7, "user_id": user_id, "consumer_key": key,
           "consumer_secret": secret, "key_permissions": permissions})
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_reused_and_expired_callbacks_are_refused_and_store_nothing() {
    let app = TestApp::start(QueueKind::Embedded, small_store()).await;
    let info = app.pipeline.sim.server.info.clone();
    let user_id = attempt(&app).await;
    let (id, _) = user_id.split_once('.').unwrap();

    let not_json = app
        .http
        .post(format!("{}/api/integrations/woocommerce/callback", app.url))
        .body("key_id=1&user_id=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let good = |user_id: &str| {
        consumer_data(
            user_id,
            &info.consumer_key,
            &info.consumer_secret,
            "read_write",
        )
    };
    for (forged, expected) in [
        (good("999.nothing"), "unknown_attempt"),
        (good(&format!("{id}.not-the-token")), "unknown_attempt"),
        (good("no-dot"), "unknown_attempt"),
        (
            consumer_data(&user_id, "ck_made_up", "cs_made_up", "read_write"),
            "keys_refused",
        ),
        (
            consumer_data(&user_id, &info.consumer_key, &info.consumer_secret, "read"),
            "wrong_scope",
        ),
    ] {
        let (status, body) = call_back(&app, &forged).await;
        assert!(status.is_client_error(), "{forged}: {status} {body}");
        assert_eq!(code(&body), expected, "{forged}");
    }
    // Keys of another store do not work at this one.
    let (other, _certs) = store_of_its_own(99, true).await;
    assert_ne!(other.info.consumer_key, info.consumer_key);
    let (status, body) = call_back(
        &app,
        &consumer_data(
            &user_id,
            &other.info.consumer_key,
            &other.info.consumer_secret,
            "read_write",
        ),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "keys_refused")
    );
    // A read-only key for an attempt that asked to write.
    lock(&app.pipeline.sim.server.store.auth).keys.push(ApiKey {
        consumer_key: "ck_read_only".into(),
        consumer_secret: "cs_read_only".into(),
        permissions: "read".into(),
        manage_woocommerce: true,
    });
    let (status, body) = call_back(
        &app,
        &consumer_data(&user_id, "ck_read_only", "cs_read_only", "read_write"),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "wrong_scope"),
        "{body}"
    );
    assert_eq!(
        stores_held(&app).await,
        0,
        "nothing stored for a refused callback"
    );

    // The right keys connect the store; the same callback again changes nothing.
    let (status, body) = call_back(&app, &good(&user_id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let store_id = body["store_id"].as_i64().unwrap();
    let (status, body) = call_back(
        &app,
        &consumer_data(&user_id, "ck_read_only", "cs_read_only", "read_write"),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "attempt_used")
    );
    let store = stores::Entity::find_by_id(store_id)
        .one(&app.pipeline.services.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.consumer_key, info.consumer_key);
    assert_eq!(stores_held(&app).await, 1);

    // Connected again this way, the store gets the new key.
    lock(&app.pipeline.sim.server.store.auth).keys.push(ApiKey {
        consumer_key: "ck_second".into(),
        consumer_secret: "cs_second".into(),
        permissions: "read_write".into(),
        manage_woocommerce: true,
    });
    let again = attempt(&app).await;
    let (status, body) = call_back(
        &app,
        &consumer_data(&again, "ck_second", "cs_second", "read_write"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["store_id"], store_id);
    let store = stores::Entity::find_by_id(store_id)
        .one(&app.pipeline.services.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.consumer_key, "ck_second");
    assert_eq!(stores_held(&app).await, 1);

    // An attempt past its hour.
    let late = attempt(&app).await;
    expire(&app, &late).await;
    let (status, body) = call_back(&app, &good(&late)).await;
    assert_eq!((status, code(&body)), (StatusCode::GONE, "attempt_expired"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_store_deletes_the_key_woosync_refused() {
    let app = TestApp::start(QueueKind::Embedded, small_store()).await;
    let user_id = attempt(&app).await;
    expire(&app, &user_id).await;

    // The merchant logs in and approves, without a browser.
    let info = &app.pipeline.sim.server.info;
    let authorize = {
        let mut url = url::Url::parse(&format!("{}/wc-auth/v1/authorize", info.url)).unwrap();
        url.query_pairs_mut()
            .append_pair("app_name", "woosync")
            .append_pair("scope", "read_write")
            .append_pair("user_id", &user_id)
            .append_pair("return_url", "https://app.example/back")
            .append_pair(
                "callback_url",
                &format!("{}/api/integrations/woocommerce/callback", app.url),
            );
        url.to_string()
    };
    let merchant = Merchant {
        user: info.admin_user.clone(),
        password: info.admin_password.clone(),
        ca_cert: info.ca_cert.clone(),
    };
    let granted = merchant.approve(&info.url, &authorize).await;
    assert_eq!(granted.status(), StatusCode::UNAUTHORIZED);
    assert!(
        granted
            .text()
            .await
            .unwrap()
            .contains("unable to send the consumer data")
    );
    assert_eq!(
        lock(&app.pipeline.sim.server.store.auth).keys.len(),
        1,
        "the key made for woosync was deleted"
    );
    assert_eq!(stores_held(&app).await, 0);
}

/// A merchant approving an app at their store with a plain HTTP client: logs in, opens
/// the approval page and follows its Approve link.
struct Merchant {
    user: String,
    password: String,
    ca_cert: Option<std::path::PathBuf>,
}

impl Merchant {
    /// The answer to following Approve on `authorize`'s page at the store `site`.
    async fn approve(&self, site: &str, authorize: &str) -> reqwest::Response {
        let http = woosync::woo::client::http_client(
            self.ca_cert.as_deref(),
            Duration::from_secs(60),
            woosync::woo::public_address::StoreAddresses::Any,
        )
        .unwrap()
        .reqwest()
        .clone();
        let login = http
            .post(format!("{site}/wp-login.php"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("log", &self.user)
                    .append_pair("pwd", &self.password)
                    .append_pair("redirect_to", authorize)
                    .finish(),
            )
            .send()
            .await
            .unwrap();
        let cookie = login
            .headers()
            .get("set-cookie")
            .expect("the login sets a session cookie")
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let page = http
            .get(authorize)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let approve = page
            .split("href=\"")
            .find(|part| part.contains("access_granted"))
            .and_then(|part| part.split('"').next())
            .unwrap_or_else(|| panic!("no Approve link: {page}"))
            .replace("&amp;", "&");
        http.get(&approve)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_connects_its_store_in_one_click() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_woosync"))
        .args([
            "demo",
            "--one-click",
            "--until-synced",
            "--products",
            "60",
            "--orders",
            "80",
            "--customers",
            "20",
            "--rate-limit",
            "1000",
        ])
        .env("WOOSYNC_DATA_DIR", dir.path())
        .env("REDIS_URL", "")
        .env("PORT", crate::support::process::free_port().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(demo.stdout.take().unwrap()).lines();
    let mut said = Vec::new();
    let (user, password, authorize) = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the demo ended before asking: {said:?}"))
            .unwrap();
        said.push(line.clone());
        if let Some(rest) = line.strip_prefix("open this address in a browser, log in as ") {
            let (user, rest) = rest.split_once(" with the password ").unwrap();
            let password = rest.split(',').next().unwrap().to_string();
            let url = lines.next().unwrap().unwrap().trim().to_string();
            break (user.to_string(), password, url);
        }
    };
    let site = {
        let url = url::Url::parse(&authorize).unwrap();
        format!("https://{}", url.host_str().unwrap()) + &format!(":{}", url.port().unwrap())
    };
    let merchant = Merchant {
        user,
        password,
        ca_cert: Some(dir.path().join("demo/sim/sim-ca.pem")),
    };
    let granted = merchant.approve(&site, &authorize).await;
    assert!(
        granted.status().is_redirection(),
        "{} {}",
        granted.status(),
        granted.text().await.unwrap()
    );
    let rest: Vec<String> =
        tokio::task::spawn_blocking(move || lines.map_while(Result::ok).collect())
            .await
            .unwrap();
    let status = demo.wait().unwrap();
    let all = [said, rest].concat().join("\n");
    assert!(status.success(), "{all}");
    assert!(all.contains("the store approved: connected"), "{all}");
    assert!(all.contains("the database equals the store"), "{all}");
}

#[tokio::test]
async fn a_store_refuses_to_call_back_over_plain_http() {
    let (sim, _certs) = store_of_its_own(3, false).await;
    let page = reqwest::get(format!(
        "{}/wc-auth/v1/authorize?app_name=x&scope=read&user_id=1&return_url=https%3A%2F%2Fa.example&callback_url=http%3A%2F%2Fa.example%2Fcb",
        sim.info.url
    ))
    .await
    .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("The callback_url needs to be over SSL")
    );
}
