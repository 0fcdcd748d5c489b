//! The client against the simulated store: every resource lists completely, every auth mode
//! works and fails the right way, and every error class is produced and classified right.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sim::auth::ApiKey;
use sim::generate::Sizes;
use sim::store::{lock, read};
use woosync::secrets::Secret;
use woosync::stores::AuthMode;
use woosync::woo::Resource;
use woosync::woo::auth::oauth1::{self, SignatureMethod};
use woosync::woo::client::{ListQuery, WooClient, http_client};
use woosync::woo::error::WooError;
use woosync::woo::public_address::StoreAddresses;
use woosync::woo::rate_limit::LocalRateLimiter;

use crate::support::sim::TestSim;

fn by_id() -> ListQuery {
    ListQuery {
        orderby: Some("id"),
        order: Some("asc"),
        ..ListQuery::default()
    }
}

/// Every collection of the store as a client reads what the store serves (a parser may
/// round a long float, on both sides alike).
fn collections(sim: &TestSim) -> Vec<(Resource, i64, Vec<Value>)> {
    let data = read(&sim.server.store.data);
    Resource::ALL
        .into_iter()
        .flat_map(|resource| {
            data.parents(resource)
                .into_iter()
                .map(move |parent| (resource, parent))
        })
        .map(|(resource, parent)| {
            (
                resource,
                parent,
                data.collection((resource, parent))
                    .iter()
                    .map(|record| serde_json::from_str(&record.to_string()).unwrap())
                    .collect(),
            )
        })
        .collect()
}

async fn lists_completely(tls: bool, sizes: Sizes) {
    let sim = TestSim::start(tls, sizes).await;
    let client = sim.client(sim.connection());
    for (resource, parent, expected) in collections(&sim) {
        let path = resource.collection_path(parent);
        let listed: Vec<Value> = client.list_all(&path, &by_id()).await.unwrap();
        assert_eq!(listed.len(), expected.len(), "{path}");
        assert!(
            listed == expected,
            "{path}: the listing differs from the store"
        );
    }
}

#[tokio::test]
async fn every_resource_lists_completely_small_store_over_https() {
    lists_completely(
        true,
        Sizes {
            products: 7,
            orders: 5,
            customers: 3,
            ..Sizes::default()
        },
    )
    .await;
}

#[tokio::test]
async fn every_resource_lists_completely_several_pages_over_oauth() {
    lists_completely(
        false,
        Sizes {
            products: 230,
            orders: 201,
            customers: 100,
            coupons: 3,
            ..Sizes::default()
        },
    )
    .await;
}

#[tokio::test]
async fn paging_survives_missing_or_wrong_headers() {
    let sim = TestSim::start(
        true,
        Sizes {
            products: 250,
            ..Sizes::default()
        },
    )
    .await;
    let client = sim.client(sim.connection());
    let expected = read(&sim.server.store.data)
        .collection((Resource::Products, 0))
        .to_vec();
    for faults in [
        json!({"strip_paging_headers": true}),
        json!({"undercount_pages": true}),
    ] {
        sim.server
            .set_faults(|current| *current = serde_json::from_value(faults.clone()).unwrap());
        let listed: Vec<Value> = client.list_all("products", &by_id()).await.unwrap();
        assert!(
            listed == expected,
            "{faults}: {} of {} listed",
            listed.len(),
            expected.len()
        );
    }
}

#[tokio::test]
async fn each_auth_mode_works() {
    let https = TestSim::start(true, Sizes::default()).await;
    let http = TestSim::start(false, Sizes::default()).await;
    let mut query = https.connection();
    query.auth = AuthMode::QueryString;
    let mut sha1 = http.connection();
    sha1.signature_method = SignatureMethod::HmacSha1;
    for (sim, connection) in [
        (&https, https.connection()),
        (&https, query),
        (&http, http.connection()),
        (&http, sha1),
    ] {
        let auth = connection.auth;
        let client = sim.client(connection);
        let page = client
            .list_page(
                "products",
                &ListQuery {
                    per_page: Some(5),
                    page: Some(2),
                    ..by_id()
                },
            )
            .await
            .unwrap_or_else(|error| panic!("{auth:?}: {error}"));
        assert_eq!(page.items.len(), 5, "{auth:?}");
        assert!(page.info.next.is_some() && page.info.total.is_some());
        let status = client.system_status().await.unwrap();
        assert_eq!(status.currency, "USD");
    }
}

fn bad_credentials(result: Result<impl std::fmt::Debug, WooError>, message: &str) {
    match result {
        Err(WooError::BadCredentials { message: got, .. }) => {
            assert!(got.contains(message), "{got:?} should say {message:?}")
        }
        other => panic!("expected bad credentials ({message}), got {other:?}"),
    }
}

#[tokio::test]
async fn wrong_credentials_fail_with_the_right_error() {
    let https = TestSim::start(true, Sizes::default()).await;
    let mut unknown = https.connection();
    unknown.consumer_key = "ck_nobody".into();
    bad_credentials(https.client(unknown).get("products/1").await, "cannot view");
    let mut wrong_secret = https.connection();
    wrong_secret.consumer_secret = Secret::new("cs_wrong");
    bad_credentials(
        https
            .client(wrong_secret)
            .list_page("products", &by_id())
            .await,
        "Consumer secret is invalid.",
    );

    let http = TestSim::start(false, Sizes::default()).await;
    let mut basic_over_http = http.connection();
    basic_over_http.auth = AuthMode::Basic;
    bad_credentials(
        http.client(basic_over_http)
            .list_page("products", &by_id())
            .await,
        "Sorry, you cannot list resources.",
    );
    let mut bad_signature = http.connection();
    bad_signature.consumer_secret = Secret::new("cs_wrong");
    bad_credentials(
        http.client(bad_signature)
            .list_page("products", &by_id())
            .await,
        "Invalid signature - provided signature does not match.",
    );

    // A stale timestamp and a reused nonce need a hand-made request.
    let connection = http.connection();
    let signed = |timestamp: i64, nonce: &str| {
        let url = format!("{}/wp-json/wc/v3/products", http.server.info.url);
        let mut params = vec![
            (
                "oauth_consumer_key".to_string(),
                connection.consumer_key.clone(),
            ),
            ("oauth_nonce".to_string(), nonce.to_string()),
            (
                "oauth_signature_method".to_string(),
                "HMAC-SHA256".to_string(),
            ),
            ("oauth_timestamp".to_string(), timestamp.to_string()),
        ];
        let base = oauth1::base_string("GET", &url, &params);
        let signature = oauth1::sign(
            SignatureMethod::HmacSha256,
            connection.consumer_secret.expose(),
            &base,
        );
        params.push(("oauth_signature".to_string(), signature));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        format!("{url}?{query}")
    };
    let answer = |url: String| async move {
        let response = reqwest::get(url).await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        (
            status,
            body["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        answer(signed(now - 16 * 60, "old")).await,
        (401, "Invalid timestamp.".into())
    );
    assert_eq!(answer(signed(now, "once")).await.0, 200);
    assert_eq!(
        answer(signed(now, "once")).await,
        (401, "Invalid nonce - nonce has already been used.".into())
    );
}

#[tokio::test]
async fn every_error_class_is_produced_and_classified() {
    let sim = TestSim::start(true, Sizes::default()).await;
    let client = sim.client(sim.connection());

    assert!(matches!(
        client.get("products/99999999").await,
        Err(WooError::NotFound { .. })
    ));
    assert!(matches!(
        client.get("no-such-thing").await,
        Err(WooError::RestUnavailable)
    ));

    lock(&sim.server.store.auth).keys.push(ApiKey {
        consumer_key: "ck_reader".into(),
        consumer_secret: "cs_reader".into(),
        permissions: "read".into(),
        manage_woocommerce: true,
    });
    let mut reader = sim.connection();
    reader.consumer_key = "ck_reader".into();
    reader.consumer_secret = Secret::new("cs_reader");
    let reader = sim.client(reader);
    assert!(reader.list_page("products", &by_id()).await.is_ok());
    let created = reader
        .create_webhook(
            "product.updated",
            "http://127.0.0.1:9/hook",
            &Secret::new("s"),
        )
        .await;
    assert!(
        matches!(created, Err(WooError::MissingScope { .. })),
        "{created:?}"
    );

    let expect = async |faults: serde_json::Value, check: fn(&WooError) -> bool| {
        sim.server
            .set_faults(|current| *current = serde_json::from_value(faults.clone()).unwrap());
        let result = client.list_page("products", &by_id()).await;
        match result {
            Err(error) => assert!(check(&error), "{faults}: {error:?}"),
            Ok(_) => panic!("{faults}: expected an error"),
        }
    };
    expect(json!({"rest_disabled": true}), |e| {
        *e == WooError::RestUnavailable
    })
    .await;
    expect(json!({"login_page": true}), |e| {
        matches!(e, WooError::NotWooCommerce { .. })
    })
    .await;
    expect(json!({"error_rate": 1.0}), |e| {
        matches!(e, WooError::Transient { .. })
    })
    .await;
    expect(json!({"truncated_rate": 1.0}), |e| {
        matches!(e, WooError::Malformed { .. })
    })
    .await;
    expect(json!({"rate_limit_per_s": 0.0, "retry_after_s": 7}), |e| {
        e.retry_after() == Some(Duration::from_secs(7))
    })
    .await;

    sim.server.set_faults(|faults| {
        *faults = serde_json::from_value(json!({"timeout_rate": 1.0})).unwrap()
    });
    let impatient = sim.client_with(
        sim.connection(),
        std::sync::Arc::new(woosync::woo::rate_limit::LocalRateLimiter::default()),
        Duration::from_millis(500),
    );
    assert_eq!(
        impatient.list_page("products", &by_id()).await.unwrap_err(),
        WooError::Timeout
    );

    sim.server.set_faults(|faults| {
        *faults = serde_json::from_value(json!({"bom": true, "php_notice": true})).unwrap()
    });
    let page = client.list_page("products", &by_id()).await.unwrap();
    assert_eq!(
        Some(page.items.len() as u64),
        page.info.total,
        "BOM and PHP notice tolerated"
    );

    let mut closed = sim.connection();
    closed.site_url = url::Url::parse(&format!(
        "https://127.0.0.1:{}",
        crate::support::process::free_port()
    ))
    .unwrap();
    assert!(matches!(
        sim.client(closed).get("products").await,
        Err(WooError::Unreachable { .. })
    ));
}

#[tokio::test]
async fn a_store_at_a_private_address_by_name_or_written_in_its_url_is_not_called() {
    let https = TestSim::start(true, Sizes::default()).await;
    // A name that resolves to this machine, as a public store's name could come to after
    // it was connected (DNS rebinding).
    let mut by_name = https.connection();
    by_name.site_url.set_host(Some("localhost")).unwrap();
    let http = http_client(
        https.server.info.ca_cert.as_deref(),
        Duration::from_secs(10),
        StoreAddresses::PublicOnly,
    )
    .unwrap();
    let public_only = WooClient::new(http, by_name.clone(), Arc::new(LocalRateLimiter::default()));
    match public_only.list_page("products", &by_id()).await {
        Err(WooError::Unreachable { detail }) => {
            assert!(detail.contains("loopback or private address"), "{detail}")
        }
        other => panic!("expected the store to be unreachable, got {other:?}"),
    }
    assert!(https.server.store.requests().is_empty());

    // An address written in the URL, which no resolver sees, is refused as well.
    let by_address = https.connection();
    assert_eq!(by_address.site_url.host_str(), Some("127.0.0.1"));
    let http = http_client(
        https.server.info.ca_cert.as_deref(),
        Duration::from_secs(10),
        StoreAddresses::PublicOnly,
    )
    .unwrap();
    let public_only = WooClient::new(http, by_address, Arc::new(LocalRateLimiter::default()));
    match public_only.list_page("products", &by_id()).await {
        Err(WooError::Unreachable { detail }) => {
            assert!(
                detail.contains("127.0.0.1 is a loopback or private address"),
                "{detail}"
            )
        }
        other => panic!("expected the store to be unreachable, got {other:?}"),
    }
    assert!(https.server.store.requests().is_empty());

    // Allowed private addresses, the same name is called.
    let page = https
        .client(by_name)
        .list_page("products", &by_id())
        .await
        .unwrap();
    assert!(!page.items.is_empty());
    assert_eq!(https.server.store.requests().len(), 1);
}
