//! The change feed: events written with their changes, pulled by cursor and pushed to
//! consumer endpoints as Standard Webhooks; lookups of one record.

mod endpoints;
mod pull;
mod push;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sim::generate::Sizes;

use crate::support::app::TestApp;
use crate::support::consumer::Consumer;
use crate::support::database::{Backend, TestDatabase};
use crate::support::pipeline::QueueKind;

/// A store small enough to sync in a second or two.
pub fn small_store() -> Sizes {
    Sizes {
        products: 60,
        orders: 80,
        customers: 20,
        ..Sizes::default()
    }
}

/// An app whose consumer endpoints may be on loopback, retrying fast, on `backend`.
pub async fn feed_app(queue: QueueKind, backend: Backend) -> (TestApp, Option<TestDatabase>) {
    let database = match backend {
        Backend::Postgres => Some(TestDatabase::migrated(Backend::Postgres).await),
        Backend::Sqlite => None,
    };
    let url = database.as_ref().map(|database| database.url.clone());
    let mut settings = vec![
        ("WOOSYNC_ALLOW_PRIVATE_ENDPOINTS", "true"),
        ("WOOSYNC_EVENT_RETRY_FIRST_DELAY_S", "0.2"),
    ];
    if let Some(url) = &url {
        settings.push(("DATABASE_URL", url));
    }
    let app = TestApp::start_with(queue, small_store(), &settings).await;
    (app, database)
}

/// Registers `consumer` for every event (or `types`), trusting the secret answered.
pub async fn register(app: &TestApp, consumer: &Consumer, types: Option<Value>) -> Value {
    let mut body = json!({"url": consumer.url, "description": "test consumer"});
    if let Some(types) = types {
        body["types"] = types;
    }
    let (status, endpoint) = app.post("/api/event-endpoints", body).await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    let secret = endpoint["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{endpoint}");
    consumer.trust(secret);
    endpoint
}

/// Every event of the feed after `after`, read to its end.
pub async fn feed_after(app: &TestApp, after: &str) -> (Vec<Value>, String) {
    let mut cursor = after.to_string();
    let mut events = Vec::new();
    loop {
        let (status, page) = app
            .get(&format!("/api/events?after={cursor}&limit=200"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let batch = page["events"].as_array().unwrap().clone();
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if batch.is_empty() {
            return (events, cursor);
        }
        events.extend(batch);
    }
}

/// The feed's cursor now.
pub async fn feed_end(app: &TestApp) -> String {
    feed_after(app, "0").await.1
}

pub const SETTLE: Duration = Duration::from_secs(30);
