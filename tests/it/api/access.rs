//! Who may call what: the API token, open health checks, metrics behind their own token.

use reqwest::StatusCode;
use sim::generate::Sizes;

use crate::support::app::{TOKEN, TestApp, answer, code};
use crate::support::pipeline::QueueKind;

const PROTECTED: [(&str, &str); 22] = [
    ("POST", "/api/integrations/woocommerce/connect"),
    ("POST", "/api/integrations/woocommerce/test"),
    ("POST", "/api/integrations/woocommerce/sync/products"),
    ("POST", "/api/integrations/woocommerce/webhooks/setup"),
    ("GET", "/api/stores"),
    ("GET", "/api/stores/1"),
    ("PATCH", "/api/stores/1"),
    ("DELETE", "/api/stores/1"),
    ("GET", "/api/stores/1/products"),
    ("GET", "/api/stores/1/inventory"),
    ("GET", "/api/stores/1/quarantine"),
    ("POST", "/api/quarantine/1/retry"),
    ("GET", "/api/sync-runs/1"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/stores/1/pause"),
    ("POST", "/api/stores/1/resume"),
    ("GET", "/api/queues"),
    ("GET", "/api/jobs"),
    ("GET", "/api/jobs/1"),
    ("POST", "/api/jobs/1/retry"),
    ("POST", "/api/jobs/1/discard"),
    ("POST", "/api/jobs/retry-failed"),
];

#[tokio::test(flavor = "multi_thread")]
async fn every_route_but_webhooks_health_and_metrics_needs_the_token() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    for (method, path) in PROTECTED {
        for token in [None, Some("wrong-token")] {
            let mut request = app
                .http
                .request(method.parse().unwrap(), format!("{}{path}", app.url))
                .json(&serde_json::json!({"store_id": 1}));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{method} {path}"
            );
            let (status, body) = answer(response).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {token:?}"
            );
            assert_eq!(code(&body), "unauthorized");
        }
    }
    for path in ["/healthz", "/readyz"] {
        let (status, body) = answer(
            app.http
                .get(format!("{}{path}", app.url))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["status"], "ok");
    }
    let metrics = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    // Unknown routes and methods answer JSON errors too.
    let (status, body) = app.get("/api/nothing-here").await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "no_route"));
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/integrations/woocommerce/connect",
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_need_their_token_when_one_is_set() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[("WOOSYNC_METRICS_TOKEN", "scraper-secret")],
    )
    .await;
    let url = format!("{}/metrics", app.url);
    let refused = app.http.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // The API token is not the metrics token.
    let refused = app
        .http
        .get(&url)
        .bearer_auth(crate::support::app::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let taken = app
        .http
        .get(&url)
        .bearer_auth("scraper-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_fails_when_the_queue_is_gone() {
    let mut app = TestApp::start(QueueKind::Redis, Sizes::default()).await;
    app.pipeline.stop_redis();
    let (status, body) = answer(
        app.http
            .get(format!("{}/readyz", app.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["problems"][0].as_str().unwrap().starts_with("queue"),
        "{body}"
    );
    // The process itself is up.
    let live = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheme_is_read_in_any_case_and_every_answer_refuses_framing() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = app
            .http
            .get(format!("{}/api/stores", app.url))
            .header("authorization", format!("{scheme} {TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
    for path in ["/api/stores", "/healthz", "/dashboard/sign-in", "/nowhere"] {
        let response = app
            .http
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_the_token_is_throttled() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let mut statuses = Vec::new();
    for guess in 0..12 {
        let response = app
            .http
            .post(format!("{}/dashboard/sign-in", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token=guess-{guess}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(
        statuses[11],
        StatusCode::TOO_MANY_REQUESTS,
        "ten tries a minute: {statuses:?}"
    );
    // Even the right token waits its turn once the tries are spent.
    let response = app
        .http
        .post(format!("{}/dashboard/sign-in", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_form_is_taken_only_from_its_own_page() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let cookie = app.dashboard_cookie().await;
    let page = app.dashboard_page(&cookie).await;
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let pause = |body: String, headers: Vec<(&'static str, String)>| {
        let mut request = no_redirects
            .post(format!("{}/dashboard/stores/{store}/pause", app.url))
            .header("cookie", cookie.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.unwrap().status() }
    };
    let own_origin = app.url.clone();
    let other_port = own_origin.replace(own_origin.rsplit(':').next().unwrap(), "9");
    for (body, headers) in [
        // No token.
        (String::new(), vec![("origin", own_origin.clone())]),
        (
            "csrf=0123".to_string(),
            vec![("origin", own_origin.clone())],
        ),
        // The right token from another origin of the same site.
        (
            format!("csrf={token}"),
            vec![("origin", other_port.clone())],
        ),
        (
            format!("csrf={token}"),
            vec![("sec-fetch-site", "same-site".to_string())],
        ),
    ] {
        assert_eq!(
            pause(body.clone(), headers.clone()).await,
            StatusCode::FORBIDDEN,
            "{body} {headers:?}"
        );
    }
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["status"], "active");
    assert_eq!(
        pause(
            format!("csrf={token}"),
            vec![
                ("origin", own_origin),
                ("sec-fetch-site", "same-origin".to_string())
            ]
        )
        .await,
        StatusCode::SEE_OTHER
    );
    let (_, detail) = app.get(&format!("/api/stores/{store}")).await;
    assert_eq!(detail["status"], "paused");
}
