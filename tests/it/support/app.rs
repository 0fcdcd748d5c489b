//! The web ingress under test: the real router served on a free port over the pipeline of
//! `TestPipeline` (a simulated store, a real database and queue), called over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sim::generate::Sizes;
use woosync::api::ApiState;

use super::pipeline::{QueueKind, TestPipeline, Transport};

pub const TOKEN: &str = "test-token-0123456789";

pub struct TestApp {
    pub pipeline: TestPipeline,
    /// Such as `http://127.0.0.1:41234`.
    pub url: String,
    pub http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    /// An app on the default settings of a test pipeline (stores on loopback allowed).
    pub async fn start(queue: QueueKind, sizes: Sizes) -> TestApp {
        TestApp::start_with(queue, sizes, &[]).await
    }

    pub async fn start_with(queue: QueueKind, sizes: Sizes, settings: &[(&str, &str)]) -> TestApp {
        let pipeline =
            TestPipeline::start_over(Transport::BasicOverHttps, queue, sizes, settings).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let public_url = pipeline.services.config.public_url.clone();
        let state = ApiState::new(
            pipeline.services.clone(),
            TOKEN,
            public_url.as_deref().unwrap_or(&url),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(woosync::api::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestApp {
            pipeline,
            url,
            http: reqwest::Client::new(),
            _stop: stop,
        }
    }

    /// A request with the API token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// A GET with the API token, its body as the text it came in.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `POST /api/integrations/woocommerce/<route>`.
    pub async fn integration(&self, route: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/integrations/woocommerce/{route}"), body)
            .await
    }

    /// Connects the simulated store through the API and returns its id.
    pub async fn connect_sim(&self) -> i64 {
        let info = &self.pipeline.sim.server.info;
        let (status, body) = self
            .integration(
                "connect",
                serde_json::json!({
                    "store_url": info.url,
                    "consumer_key": info.consumer_key,
                    "consumer_secret": info.consumer_secret,
                    "rate_limit": 1000.0,
                    "backfill_order_notes": true,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["store_id"].as_i64().unwrap()
    }
}

impl TestApp {
    /// Connects the simulated store, syncs all of it through the API, and returns the
    /// store with the worker that synced it (still running until the sender is dropped).
    pub async fn synced_store(&self) -> (i64, tokio::sync::oneshot::Sender<()>) {
        let store = self.connect_sim().await;
        let (status, all) = self
            .integration("sync/all", serde_json::json!({"store_id": store}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{all}");
        let runs: Vec<i64> = all["run_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_i64().unwrap())
            .collect();
        let worker = self.pipeline.spawn_worker();
        self.pipeline
            .wait_synced(&runs, std::time::Duration::from_secs(120))
            .await;
        (store, worker)
    }

    /// A dashboard session's cookie (`name=value`), signed in with the token.
    pub async fn dashboard_cookie(&self) -> String {
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let signed_in = no_redirects
            .post(format!("{}/dashboard/sign-in", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        signed_in.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// The dashboard's page as a signed-in browser gets it.
    pub async fn dashboard_html(&self) -> String {
        let cookie = self.dashboard_cookie().await;
        self.dashboard_page(&cookie).await
    }

    /// The dashboard's page for the session of `cookie`.
    pub async fn dashboard_page(&self, cookie: &str) -> String {
        self.http
            .get(format!("{}/dashboard", self.url))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The text of `/metrics`.
    pub async fn scrape_metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Webhook deliveries the queue holds in any state.
    pub async fn deliveries_queued(&self) -> u64 {
        let counts = self
            .pipeline
            .services
            .queue
            .counts(<woosync::jobs::WebhookDelivery as woosync::queue::job::Job>::NAME)
            .await
            .unwrap();
        counts.pending + counts.scheduled + counts.running + counts.done + counts.failed
    }
}

/// The status and the JSON body of an answer (`null` for an empty body); fails on a body
/// that is not JSON, since every route answers JSON.
pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, body)
}

/// The error code of an error answer.
pub fn code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {body}"))
}
