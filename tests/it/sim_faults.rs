//! Every fault the simulated store accepts shows at the wire: a test of woosync that sets
//! one tests something only if the store really misbehaves.

use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use serde_json::Value;
use sim::faults::Faults;
use sim::generate::Sizes;
use sim::store::read;
use woosync::woo::Resource;
use woosync::woo::client::http_client;
use woosync::woo::public_address::StoreAddresses;

use crate::support::sim::TestSim;

struct Wire {
    sim: TestSim,
    http: reqwest::Client,
}

impl Wire {
    async fn start() -> Wire {
        let sim = TestSim::start(
            true,
            Sizes {
                products: 250,
                ..Sizes::default()
            },
        )
        .await;
        let http = http_client(
            sim.server.info.ca_cert.as_deref(),
            Duration::from_millis(1_500),
            StoreAddresses::Any,
        )
        .unwrap()
        .reqwest()
        .clone();
        Wire { sim, http }
    }

    fn set(&self, faults: Faults) {
        self.sim.server.set_faults(|current| *current = faults);
    }

    async fn get(&self, path: &str) -> Result<Response, reqwest::Error> {
        let info = &self.sim.server.info;
        self.http
            .get(format!("{}/wp-json/wc/v3/{path}", info.url))
            .basic_auth(&info.consumer_key, Some(&info.consumer_secret))
            .send()
            .await
    }

    async fn text(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let response = self.get(path).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.text().await.unwrap())
    }
}

const PRODUCTS: &str = "products?per_page=100&orderby=id&order=asc";

#[tokio::test(flavor = "multi_thread")]
async fn every_fault_shows_at_the_wire() {
    let wire = Wire::start().await;
    let (status, clean_headers, clean) = wire.text(PRODUCTS).await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&clean).is_ok());
    assert_eq!(clean_headers["x-wp-totalpages"], "3");

    wire.set(Faults {
        rate_limit_per_s: Some(2.0),
        retry_after_s: 3,
        ..Faults::default()
    });
    // Two a second, never more.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = wire.get("products/categories").await.unwrap();
        statuses.push((
            response.status(),
            response.headers().get("retry-after").cloned(),
        ));
    }
    assert_eq!(statuses[1].0, StatusCode::OK, "{statuses:?}");
    assert_eq!(statuses[2].0, StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    assert_eq!(statuses[2].1.as_ref().unwrap(), "3");

    wire.set(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert!(wire.get(PRODUCTS).await.unwrap().status().is_server_error());

    wire.set(Faults {
        timeout_rate: 1.0,
        ..Faults::default()
    });
    assert!(wire.get(PRODUCTS).await.unwrap_err().is_timeout());

    wire.set(Faults {
        truncated_rate: 1.0,
        ..Faults::default()
    });
    let (status, _, body) = wire.text(PRODUCTS).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.len() < clean.len() && serde_json::from_str::<Value>(&body).is_err());

    let variable = read(&wire.sim.server.store.data).parents(Resource::ProductVariations)[0];
    let broken = format!("products/{variable}/variations");
    wire.set(Faults {
        broken_paths: [broken.clone()].into(),
        ..Faults::default()
    });
    assert_eq!(
        wire.get(&broken).await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(wire.get(PRODUCTS).await.unwrap().status(), StatusCode::OK);

    wire.set(Faults {
        latency_ms: [("orders".to_string(), 400)].into(),
        ..Faults::default()
    });
    let started = Instant::now();
    wire.get("orders").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    wire.set(Faults {
        bom: true,
        ..Faults::default()
    });
    assert!(wire.text(PRODUCTS).await.2.starts_with('\u{FEFF}'));

    wire.set(Faults {
        php_notice: true,
        ..Faults::default()
    });
    assert!(wire.text(PRODUCTS).await.2.starts_with("<br />"));

    wire.set(Faults {
        login_page: true,
        ..Faults::default()
    });
    let (_, headers, body) = wire.text(PRODUCTS).await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(body.contains("loginform"));

    wire.set(Faults {
        rest_disabled: true,
        ..Faults::default()
    });
    let (status, _, body) = wire.text(PRODUCTS).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("rest_no_route"));

    wire.set(Faults {
        redirect_to: Some("https://www.shop.example/".into()),
        ..Faults::default()
    });
    let (status, headers, _) = wire.text(PRODUCTS).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers["location"], "https://www.shop.example/");

    wire.set(Faults {
        strip_paging_headers: true,
        ..Faults::default()
    });
    let (status, headers, body) = wire.text(PRODUCTS).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, clean.as_str()));
    for header in ["x-wp-total", "x-wp-totalpages", "link"] {
        assert!(!headers.contains_key(header), "{header} kept");
    }

    wire.set(Faults {
        undercount_pages: true,
        ..Faults::default()
    });
    let (_, headers, _) = wire.text(&format!("{PRODUCTS}&page=2")).await;
    assert_eq!(headers["x-wp-totalpages"], "2");
    assert_eq!(headers["x-wp-total"], "250", "the total is still right");
    assert!(
        !headers["link"].to_str().unwrap().contains("rel=\"next\""),
        "no link past the pages it claims"
    );

    let ids = || -> Vec<i64> {
        read(&wire.sim.server.store.data)
            .collection((Resource::Products, 0))
            .iter()
            .map(|product| product["id"].as_i64().unwrap())
            .collect()
    };
    let before = ids();
    wire.set(Faults {
        churn_per_page: 2,
        churn_pages: Some(1),
        ..Faults::default()
    });
    wire.text(PRODUCTS).await;
    let after_one = ids();
    assert_ne!(before, after_one, "a page served changed the listing");
    wire.text(PRODUCTS).await;
    assert_eq!(after_one, ids(), "after churn_pages, the store holds still");
}
