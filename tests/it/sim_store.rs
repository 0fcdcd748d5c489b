//! The simulated store answers like the real one: the same shapes as the captures, real
//! signed webhooks, and `woosync sim` serving on its own.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use sim::generate::Sizes;
use sim::store::{lock, read};
use sim::webhooks::{FAILURES_BEFORE_DISABLED, signature};
use woosync::secrets::Secret;
use woosync::woo::Resource;
use woosync::woo::client::{ListQuery, http_client};
use woosync::woo::public_address::StoreAddresses;

use crate::support::captures::body;
use crate::support::sim::TestSim;

/// Where `actual` differs in shape from `captured`: missing or extra keys, other JSON types.
/// A null in the capture says nothing of the type; lists compare their first items.
fn shape_differences(captured: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (captured, actual) {
        (Value::Null, _) => {}
        // Links vary with the record (a guest order has no customer link).
        (Value::Object(_), Value::Object(_)) if path.ends_with("._links") => {}
        (Value::Object(c), Value::Object(a)) => {
            for key in c.keys().filter(|key| !a.contains_key(*key)) {
                out.push(format!("{path}.{key} missing"));
            }
            for key in a.keys().filter(|key| !c.contains_key(*key)) {
                out.push(format!("{path}.{key} not in the capture"));
            }
            for (key, value) in c {
                if let Some(other) = a.get(key) {
                    shape_differences(value, other, &format!("{path}.{key}"), out);
                }
            }
        }
        (Value::Array(c), Value::Array(a)) => {
            if let (Some(c), Some(a)) = (c.first(), a.first()) {
                shape_differences(c, a, &format!("{path}[0]"), out);
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        (c, a) => out.push(format!("{path}: {a} where the capture has {c}")),
    }
}

pub fn assert_same_shape(what: &str, captured: &Value, actual: &Value) {
    let mut differences = Vec::new();
    shape_differences(captured, actual, what, &mut differences);
    assert!(
        differences.is_empty(),
        "{what}:\n{}",
        differences.join("\n")
    );
}

#[tokio::test]
async fn responses_have_the_shapes_of_the_captures() {
    let sim = TestSim::start(true, Sizes::default()).await;
    let client = sim.client(sim.connection());
    let products: Vec<Value> = client
        .list_all("products", &ListQuery::default())
        .await
        .unwrap();
    let simple = products.iter().find(|p| p["type"] == "simple").unwrap();
    let variable = products
        .iter()
        .find(|p| {
            p["type"] == "variable" && p["variations"].as_array().is_some_and(|v| !v.is_empty())
        })
        .unwrap();
    assert_same_shape(
        "product",
        &body("products-list.json")[0],
        &client
            .get(&format!("products/{}", simple["id"]))
            .await
            .unwrap(),
    );
    assert_same_shape(
        "variable product",
        &body("product-variable.json"),
        &client
            .get(&format!("products/{}", variable["id"]))
            .await
            .unwrap(),
    );
    let variations = client
        .list_all(
            &format!("products/{}/variations", variable["id"]),
            &ListQuery::default(),
        )
        .await
        .unwrap();
    assert_same_shape(
        "variation",
        &body("product-variations-list.json")[0],
        &variations[0],
    );

    let orders: Vec<Value> = client
        .list_all("orders", &ListQuery::default())
        .await
        .unwrap();
    let refunded = orders
        .iter()
        .find(|o| {
            o["refunds"].as_array().is_some_and(|r| !r.is_empty()) && !o["date_paid"].is_null()
        })
        .expect("some order has a refund");
    let order = client
        .get(&format!("orders/{}", refunded["id"]))
        .await
        .unwrap();
    assert_same_shape("order with refund", &body("order-with-refund.json"), &order);
    let refunds = client
        .list_all(
            &format!("orders/{}/refunds", refunded["id"]),
            &ListQuery::default(),
        )
        .await
        .unwrap();
    assert_same_shape("refund", &body("order-refunds-list.json")[0], &refunds[0]);
    let customers = client
        .list_all("customers", &ListQuery::default())
        .await
        .unwrap();
    assert_same_shape("customer", &body("customers-list.json")[0], &customers[0]);
    let coupons = client
        .list_all("coupons", &ListQuery::default())
        .await
        .unwrap();
    assert_same_shape("coupon", &body("coupons-list.json")[0], &coupons[0]);

    let ids = client
        .list_page(
            "products",
            &ListQuery {
                fields: Some("id,date_modified_gmt".into()),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
    assert_same_shape(
        "ids only",
        &body("products-ids-only.json")[0],
        &ids.items[0],
    );
}

/// A webhook receiver that keeps what it is sent, and answers with `status`.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    status: Arc<Mutex<StatusCode>>,
}

async fn receiver() -> Receiver {
    let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let status = Arc::new(Mutex::new(StatusCode::OK));
    let (keep, answer) = (Arc::clone(&received), Arc::clone(&status));
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| async move {
            keep.lock().unwrap().push((headers, body));
            *answer.lock().unwrap()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver {
        url,
        received,
        status,
    }
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn webhooks_are_pinged_signed_and_disabled_like_woocommerce() {
    let sim = TestSim::start(true, Sizes::default()).await;
    let client = sim.client(sim.connection());
    let hook = receiver().await;
    let secret = Secret::new("whsec_test");
    let created = client
        .create_webhook("product.updated", &hook.url, &secret)
        .await
        .unwrap();
    client
        .create_webhook("product.deleted", &hook.url, &secret)
        .await
        .unwrap();
    assert_eq!(created.status, "active");
    {
        let pings = hook.received.lock().unwrap();
        assert_eq!(pings.len(), 2, "one ping per webhook");
        assert_eq!(
            &pings[0].1[..],
            format!("webhook_id={}", created.id).as_bytes()
        );
        assert!(
            pings[0].0.get("x-wc-webhook-signature").is_none(),
            "a ping is not signed"
        );
    }
    assert_eq!(client.list_webhooks().await.unwrap().len(), 2);

    let product_id = read(&sim.server.store.data).collection((Resource::Products, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.server.store.update(
        Resource::Products,
        0,
        product_id,
        json!({"name": "Renamed"}),
    );
    sim.server.store.delete(Resource::Products, 0, product_id);
    wait_for("two deliveries", || {
        hook.received.lock().unwrap().len() == 4
    })
    .await;

    let deliveries = hook.received.lock().unwrap().clone();
    let mut topics = Vec::new();
    for (headers, body) in &deliveries[2..] {
        let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_string();
        assert_eq!(
            header("x-wc-webhook-signature"),
            signature(secret.expose(), body)
        );
        assert_eq!(
            header("x-wc-webhook-source"),
            format!("{}/", sim.server.info.url)
        );
        assert!(header("user-agent").starts_with("WooCommerce/"));
        for name in [
            "x-wc-webhook-resource",
            "x-wc-webhook-event",
            "x-wc-webhook-id",
            "x-wc-webhook-delivery-id",
        ] {
            assert!(headers.get(name).is_some(), "{name} missing");
        }
        let payload: Value = serde_json::from_slice(body).unwrap();
        match header("x-wc-webhook-topic").as_str() {
            "product.updated" => assert_eq!(payload["name"], "Renamed"),
            "product.deleted" => assert_eq!(payload, json!({"id": product_id})),
            other => panic!("unexpected topic {other}"),
        }
        topics.push(header("x-wc-webhook-topic"));
    }
    topics.sort();
    assert_eq!(topics, ["product.deleted", "product.updated"]);

    // Failing deliveries disable the webhook, as WooCommerce does, and nothing retries them.
    *hook.status.lock().unwrap() = StatusCode::INTERNAL_SERVER_ERROR;
    let failures_to_disable = FAILURES_BEFORE_DISABLED as usize + 1;
    let ids: Vec<i64> = read(&sim.server.store.data).collection((Resource::Products, 0))
        [..failures_to_disable]
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    for id in ids {
        sim.server
            .store
            .update(Resource::Products, 0, id, json!({"name": "Again"}));
        let before = lock(&sim.server.store.deliveries).sent;
        wait_for("a delivery", || {
            lock(&sim.server.store.deliveries).sent > before
        })
        .await;
    }
    let webhooks = client.list_webhooks().await.unwrap();
    let updated = webhooks.iter().find(|w| w.id == created.id).unwrap();
    assert_eq!(
        updated.status, "disabled",
        "disabled after {failures_to_disable} failures"
    );
    let reenabled = client
        .update_webhook(created.id, &json!({"status": "active"}))
        .await
        .unwrap();
    assert_eq!(reenabled.status, "active");
}

/// `woosync sim` with `args`, and the JSON of its first line.
fn woosync_sim(args: &[&str], data: &tempfile::TempDir) -> (std::process::Child, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_woosync"))
        .arg("sim")
        .args(args)
        .env("WOOSYNC_DATA_DIR", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let info = serde_json::from_str(&first_line).expect("the first line is JSON");
    (child, info)
}

#[test]
fn woosync_sim_serves_on_its_own() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, info) = woosync_sim(&["--tls", "--products", "12", "--orders", "3"], &data);
    let url = info["url"].as_str().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let ca_cert = std::path::PathBuf::from(info["ca_cert"].as_str().unwrap());
    let http = http_client(Some(&ca_cert), Duration::from_secs(10), StoreAddresses::Any)
        .unwrap()
        .reqwest()
        .clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let products: Vec<Value> = runtime.block_on(async {
        http.get(format!("{url}/wp-json/wc/v3/products?per_page=100"))
            .basic_auth(
                info["consumer_key"].as_str().unwrap(),
                info["consumer_secret"].as_str(),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(products.len(), 12);
}

/// Parses records with woosync's own record types, as a sync of the simulated store will.
fn assert_woosync_reads<R: woosync::woo::records::Record>(what: &str, records: &[Value]) {
    for record in records {
        if let Err(error) = serde_json::from_value::<R>(record.clone()) {
            panic!("woosync cannot read a generated {what}: {error}\n{record}");
        }
    }
}

#[test]
fn woosync_reads_every_generated_record() {
    use woosync::woo::records::*;
    let store = sim::generate::generate(
        7,
        &Sizes::default(),
        "https://127.0.0.1:8443",
        chrono::Utc::now(),
    );
    let all = |map: &std::collections::BTreeMap<i64, Vec<Value>>| -> Vec<Value> {
        map.values().flatten().cloned().collect()
    };
    assert_woosync_reads::<Product>("product", &store.products);
    assert_woosync_reads::<ProductVariation>("variation", &all(&store.variations));
    assert_woosync_reads::<Order>("order", &store.orders);
    assert_woosync_reads::<OrderRefund>("refund", &all(&store.refunds));
    assert_woosync_reads::<OrderNote>("order note", &all(&store.notes));
    assert_woosync_reads::<Customer>("customer", &store.customers);
    assert_woosync_reads::<Coupon>("coupon", &store.coupons);
    assert_woosync_reads::<ProductCategory>("category", &store.categories);
    assert_woosync_reads::<ProductTag>("tag", &store.tags);
    assert_woosync_reads::<ProductAttribute>("attribute", &store.attributes);
    assert_woosync_reads::<ProductAttributeTerm>("attribute term", &all(&store.terms));
    assert_woosync_reads::<ProductReview>("review", &store.reviews);
    assert_woosync_reads::<ProductShippingClass>("shipping class", &store.shipping_classes);
    assert_woosync_reads::<TaxRate>("tax rate", &store.tax_rates);
    assert_woosync_reads::<TaxClass>("tax class", &store.tax_classes);
    assert_woosync_reads::<ShippingZone>("shipping zone", &store.zones);
    assert_woosync_reads::<ShippingZoneLocation>("zone location", &all(&store.zone_locations));
    assert_woosync_reads::<ShippingZoneMethod>("zone method", &all(&store.zone_methods));
    assert_woosync_reads::<ShippingMethod>("shipping method", &store.shipping_methods);
    assert_woosync_reads::<PaymentGateway>("payment gateway", &store.payment_gateways);
}

#[test]
fn woosync_sim_serves_many_stores_each_a_site_of_its_own() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, listed) = woosync_sim(
        &["--tls", "--stores", "3", "--products", "5", "--orders", "2"],
        &data,
    );
    let stores = listed["stores"].as_array().unwrap().clone();
    assert_eq!(stores.len(), 3, "{listed}");
    let ca_cert = std::path::PathBuf::from(listed["ca_cert"].as_str().unwrap());
    let http = http_client(Some(&ca_cert), Duration::from_secs(10), StoreAddresses::Any)
        .unwrap()
        .reqwest()
        .clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answers: Vec<(u16, u16, String)> = runtime.block_on(async {
        let mut answers = Vec::new();
        for (n, store) in stores.iter().enumerate() {
            let url = store["url"].as_str().unwrap();
            assert!(url.ends_with(&format!("/shop-{}", n + 1)), "{url}");
            let own = http
                .get(format!("{url}/wp-json/wc/v3/products?per_page=100"))
                .basic_auth(
                    store["consumer_key"].as_str().unwrap(),
                    store["consumer_secret"].as_str(),
                )
                .send()
                .await
                .unwrap();
            let own_status = own.status().as_u16();
            let first_link =
                own.json::<Vec<Value>>().await.unwrap()[0]["_links"]["self"][0]["href"]
                    .as_str()
                    .unwrap()
                    .to_string();
            // Another store's keys are not this store's.
            let other = &stores[(n + 1) % stores.len()];
            let foreign = http
                .get(format!("{url}/wp-json/wc/v3/products"))
                .basic_auth(
                    other["consumer_key"].as_str().unwrap(),
                    other["consumer_secret"].as_str(),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            answers.push((own_status, foreign, first_link));
        }
        answers
    });
    let _ = child.kill();
    let _ = child.wait();
    for (n, (own, foreign, link)) in answers.iter().enumerate() {
        assert_eq!(*own, 200);
        assert_eq!(*foreign, 401);
        assert!(
            link.contains(&format!("/shop-{}/wp-json/wc/v3/products/", n + 1)),
            "{link}"
        );
    }
}
