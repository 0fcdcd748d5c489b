//! Writes to the store through the queue, exactly once: each route against the simulated
//! store, answers lost and workers killed, refusals and bad input.

mod exactly_once;
mod refusals;
mod routes;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::app::{TOKEN, TestApp, answer};
use crate::support::database::{Backend, TestDatabase};
use crate::support::pipeline::QueueKind;

/// An app on `backend` with the store of the feed's tests.
pub async fn write_app(queue: QueueKind, backend: Backend) -> (TestApp, Option<TestDatabase>) {
    write_app_with(queue, backend, &[]).await
}

pub async fn write_app_with(
    queue: QueueKind,
    backend: Backend,
    extra: &[(&str, &str)],
) -> (TestApp, Option<TestDatabase>) {
    let database = match backend {
        Backend::Postgres => Some(TestDatabase::migrated(Backend::Postgres).await),
        Backend::Sqlite => None,
    };
    let url = database.as_ref().map(|database| database.url.clone());
    let mut settings = extra.to_vec();
    if let Some(url) = &url {
        settings.push(("DATABASE_URL", url.as_str()));
    }
    let app = TestApp::start_with(queue, crate::feed::small_store(), &settings).await;
    (app, database)
}

/// A write's request, under `key` if given; the status, the body and the key answered.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: &Value,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = app
        .http
        .request(method, format!("{}{path}", app.url))
        .bearer_auth(TOKEN)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    answer(request.send().await.unwrap()).await
}

/// Sends a write that must be accepted; its id.
pub async fn accepted(app: &TestApp, method: Method, path: &str, body: &Value) -> i64 {
    let (status, write) = send(app, method, path, body, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{write}");
    write["write_id"].as_i64().unwrap()
}

/// Waits for a write to succeed or fail; its view.
pub async fn finished(app: &TestApp, write_id: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, write) = app.get(&format!("/api/writes/{write_id}")).await;
        assert_eq!(status, StatusCode::OK, "{write}");
        if matches!(write["state"].as_str(), Some("succeeded" | "failed")) {
            return write;
        }
        assert!(
            Instant::now() < deadline,
            "write {write_id} did not finish: {write}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends a write and waits for it to succeed; its view.
pub async fn succeeds(app: &TestApp, method: Method, path: &str, body: &Value) -> Value {
    let write_id = accepted(app, method, path, body).await;
    let write = finished(app, write_id).await;
    assert_eq!(write["state"], "succeeded", "{write}");
    write
}

/// Sends a write and waits for it to fail; its view.
pub async fn fails(app: &TestApp, method: Method, path: &str, body: &Value) -> Value {
    let write_id = accepted(app, method, path, body).await;
    let write = finished(app, write_id).await;
    assert_eq!(write["state"], "failed", "{write}");
    write
}
