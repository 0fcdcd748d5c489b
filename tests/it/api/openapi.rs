//! `/api/openapi.json` describes every route the server answers.

use reqwest::{Method, StatusCode};
use sim::generate::Sizes;

use crate::support::app::TestApp;
use crate::support::pipeline::QueueKind;

/// Every route of the ingress, as the issue and README list them.
const ROUTES: [(&str, &str); 47] = [
    ("post", "/api/integrations/woocommerce/connect"),
    ("post", "/api/integrations/woocommerce/authorize"),
    ("post", "/api/integrations/woocommerce/callback"),
    ("post", "/api/integrations/woocommerce/test"),
    ("post", "/api/integrations/woocommerce/sync/{resource}"),
    ("post", "/api/integrations/woocommerce/webhooks/setup"),
    ("post", "/api/integrations/woocommerce/webhooks/handle"),
    ("get", "/api/stores"),
    ("get", "/api/stores/{store_id}"),
    ("patch", "/api/stores/{store_id}"),
    ("delete", "/api/stores/{store_id}"),
    ("get", "/api/stores/{store_id}/{resource}"),
    ("get", "/api/stores/{store_id}/inventory"),
    ("get", "/api/stores/{store_id}/{resource}/{record_id}"),
    ("get", "/api/stores/{store_id}/orders/by-number/{number}"),
    ("post", "/api/stores/{store_id}/{resource}"),
    ("put", "/api/stores/{store_id}/{resource}/{record_id}"),
    (
        "put",
        "/api/stores/{store_id}/products/{product_id}/variations/{variation_id}",
    ),
    ("post", "/api/stores/{store_id}/inventory"),
    ("get", "/api/writes"),
    ("get", "/api/writes/{write_id}"),
    ("post", "/api/writes/{write_id}/retry"),
    ("post", "/api/writes/{write_id}/discard"),
    ("get", "/api/events"),
    ("get", "/api/event-types"),
    ("post", "/api/event-endpoints"),
    ("get", "/api/event-endpoints"),
    ("get", "/api/event-endpoints/{endpoint_id}"),
    ("patch", "/api/event-endpoints/{endpoint_id}"),
    ("delete", "/api/event-endpoints/{endpoint_id}"),
    ("post", "/api/event-endpoints/{endpoint_id}/replay"),
    ("get", "/api/event-endpoints/{endpoint_id}/deliveries"),
    ("get", "/api/stores/{store_id}/quarantine"),
    ("post", "/api/quarantine/{id}/retry"),
    ("get", "/api/sync-runs/{run_id}"),
    ("post", "/api/stores/{store_id}/pause"),
    ("post", "/api/stores/{store_id}/resume"),
    ("get", "/api/queues"),
    ("get", "/api/jobs"),
    ("get", "/api/jobs/{id}"),
    ("post", "/api/jobs/{id}/retry"),
    ("post", "/api/jobs/{id}/discard"),
    ("post", "/api/jobs/retry-failed"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/openapi.json"),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_description_covers_every_route_and_only_routes_that_answer() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let (status, description) = app.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let paths = description["paths"].as_object().unwrap();
    let mut described = Vec::new();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            described.push((method.clone(), path.clone()));
        }
    }
    for (method, path) in ROUTES {
        if path == "/api/openapi.json" {
            continue;
        }
        assert!(
            described.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is not described"
        );
    }
    // Every described operation is served: the server does not answer `no_route`.
    for (method, path) in &described {
        let concrete = path
            .replace("{store_id}", "1")
            .replace("{resource}", "products")
            .replace("{run_id}", "1")
            .replace("{record_id}", "1")
            .replace("{number}", "1")
            .replace("{endpoint_id}", "1")
            .replace("{product_id}", "1")
            .replace("{variation_id}", "1")
            .replace("{write_id}", "1")
            .replace("{id}", "1");
        let response = app
            .http
            .request(
                method.to_uppercase().parse::<Method>().unwrap(),
                format!("{}{concrete}", app.url),
            )
            .bearer_auth(crate::support::app::TOKEN)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("\"no_route\"") && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is described but not served: {status} {text}"
        );
    }
    assert_eq!(described.len(), ROUTES.len() - 1, "{described:?}");
    assert!(description["components"]["securitySchemes"]["api_token"].is_object());
}
