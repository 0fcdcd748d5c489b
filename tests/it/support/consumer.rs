//! A consumer of the change feed's webhooks, as a downstream system runs one: an HTTP
//! server on a free loopback port that verifies each delivery with a Standard Webhooks
//! library, de-duplicates by `webhook-id`, and keeps what it received in arrival order.
//! It can be told to fail deliveries (be down, or fail a share of them).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

#[derive(Default)]
struct Received {
    /// Each verified delivery's event, in arrival order, duplicates included.
    events: Mutex<Vec<Value>>,
    /// Deliveries whose signature did not verify.
    unverified: AtomicU64,
    down: AtomicBool,
    /// Fail one delivery in this many (0: none).
    fail_one_in: AtomicU64,
    seen: AtomicU64,
    secret: Mutex<Option<String>>,
}

pub struct Consumer {
    pub url: String,
    received: Arc<Received>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Consumer {
    pub async fn start() -> Consumer {
        let received = Arc::new(Received::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route("/hooks", post(receive))
            .with_state(Arc::clone(&received));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Consumer {
            url,
            received,
            _stop: stop,
        }
    }

    /// The secret deliveries are verified with (`whsec_...`).
    pub fn trust(&self, secret: &str) {
        *self.received.secret.lock().unwrap() = Some(secret.to_string());
    }

    pub fn set_down(&self, down: bool) {
        self.received.down.store(down, Ordering::SeqCst);
    }

    pub fn fail_one_in(&self, every: u64) {
        self.received.fail_one_in.store(every, Ordering::SeqCst);
    }

    /// Every verified delivery, duplicates included, in arrival order.
    pub fn deliveries(&self) -> Vec<Value> {
        self.received.events.lock().unwrap().clone()
    }

    /// The events received, each once (by `webhook-id`, which is the event's `id`), in
    /// the order they first arrived.
    pub fn events(&self) -> Vec<Value> {
        let mut seen = std::collections::HashSet::new();
        self.deliveries()
            .into_iter()
            .filter(|event| seen.insert(event["id"].as_str().unwrap().to_string()))
            .collect()
    }

    pub fn unverified(&self) -> u64 {
        self.received.unverified.load(Ordering::SeqCst)
    }
}

async fn receive(
    State(received): State<Arc<Received>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if received.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let every = received.fail_one_in.load(Ordering::SeqCst);
    let count = received.seen.fetch_add(1, Ordering::SeqCst);
    if every > 0 && count % every == 0 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let secret = received.secret.lock().unwrap().clone();
    let verified = secret.is_some_and(|secret| {
        standardwebhooks::Webhook::new(&secret)
            .unwrap()
            .verify(&body, &headers)
            .is_ok()
    });
    if !verified {
        received.unverified.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        headers["webhook-id"].to_str().unwrap(),
        event["id"].as_str().unwrap(),
        "webhook-id is the event's id"
    );
    received.events.lock().unwrap().push(event);
    StatusCode::NO_CONTENT
}
