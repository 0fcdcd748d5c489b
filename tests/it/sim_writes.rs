//! The simulated store answers writes as the real one did in `writes/`: each captured
//! request sent again (ids and unique values made the simulated store's own) answers the
//! captured status, a record of the captured shape, and the captured error word for word.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sim::generate::Sizes;
use sim::store::{lock, read};
use woosync::woo::Resource;
use woosync::woo::client::http_client;
use woosync::woo::public_address::StoreAddresses;

use crate::sim_store::assert_same_shape;
use crate::support::captures::fixture;
use crate::support::sim::TestSim;

struct Wire {
    sim: TestSim,
    http: reqwest::Client,
}

impl Wire {
    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let info = &self.sim.server.info;
        let mut request = self
            .http
            .request(method, format!("{}/wp-json/wc/v3/{path}", info.url))
            .basic_auth(&info.consumer_key, Some(&info.consumer_secret));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }
}

/// A capture of `writes/`: its request's body, status and body.
fn captured(name: &str) -> (Value, u16, Value) {
    let capture = fixture(&format!("woocommerce/writes/{name}"));
    (
        capture["request"]["body"].clone(),
        capture["status"].as_u64().unwrap() as u16,
        capture["body"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_answered_as_the_captures_show() {
    let sim = TestSim::start(true, Sizes::default()).await;
    let http = http_client(
        sim.server.info.ca_cert.as_deref(),
        Duration::from_secs(10),
        StoreAddresses::Any,
    )
    .unwrap()
    .reqwest()
    .clone();
    let wire = Wire { sim, http };

    // A product created, found by its SKU, changed; a second with its SKU refused.
    let (request, status, answer) = captured("product-create.json");
    let (got, product) = wire.send(Method::POST, "products", Some(&request)).await;
    assert_eq!(got.as_u16(), status, "{product}");
    assert_same_shape("product created", &answer, &product);
    let id = product["id"].as_i64().unwrap();
    assert_eq!(product["meta_data"][0]["key"], "_woosync_idempotency_key");
    let (_, _, listed) = captured("products-by-sku.json");
    let sku = request["sku"].as_str().unwrap();
    let (_, found) = wire
        .send(Method::GET, &format!("products?sku={sku}"), None)
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_same_shape("product by SKU", &listed[0], &found[0]);
    let (request, status, answer) = captured("product-update.json");
    let (got, updated) = wire
        .send(Method::PUT, &format!("products/{id}"), Some(&request))
        .await;
    assert_eq!(got.as_u16(), status);
    assert_same_shape("product updated", &answer, &updated);
    assert_eq!(
        (updated["price"].clone(), updated["stock_quantity"].clone()),
        (json!("13.00"), json!(7))
    );
    let (request, status, answer) = captured("error-product-create-duplicate-sku.json");
    let (got, refused) = wire.send(Method::POST, "products", Some(&request)).await;
    assert_eq!(got.as_u16(), status);
    let mut expected = answer.clone();
    expected["data"]["resource_id"] = json!(id);
    assert_eq!(refused, expected);

    // Refusals, word for word.
    for (name, method, path) in [
        (
            "error-product-create-bad-type.json",
            Method::POST,
            "products".to_string(),
        ),
        (
            "error-product-update-unknown-id.json",
            Method::PUT,
            "products/999999".to_string(),
        ),
    ] {
        let (request, status, answer) = captured(name);
        let (got, refused) = wire.send(method, &path, Some(&request)).await;
        assert_eq!((got.as_u16(), &refused), (status, &answer), "{name}");
    }

    // A variation's stock.
    let (parent, variation) = {
        let data = read(&wire.sim.server.store.data);
        let parent = data.parents(Resource::ProductVariations)[0];
        let variation = data.collection((Resource::ProductVariations, parent))[0]["id"]
            .as_i64()
            .unwrap();
        (parent, variation)
    };
    // With a low-stock threshold of its own, as the captured one has.
    wire.sim.server.store.update(
        Resource::ProductVariations,
        parent,
        variation,
        json!({"low_stock_amount": 6}),
    );
    let (request, status, answer) = captured("product-variation-update-stock.json");
    let (got, updated) = wire
        .send(
            Method::PUT,
            &format!("products/{parent}/variations/{variation}"),
            Some(&request),
        )
        .await;
    assert_eq!(got.as_u16(), status);
    assert_same_shape("variation updated", &answer, &updated);
    assert_eq!(updated["stock_quantity"], 3);

    // An order of the product, looked up by its key, completed, given a note.
    let (mut request, status, answer) = captured("order-create.json");
    request["line_items"][0]["product_id"] = json!(id);
    let (got, order) = wire.send(Method::POST, "orders", Some(&request)).await;
    assert_eq!(got.as_u16(), status, "{order}");
    assert_same_shape("order created", &answer, &order);
    assert_eq!(order["line_items"][0]["product_id"], id);
    let order_id = order["id"].as_i64().unwrap();
    let (_, _, listed) = captured("orders-created-after-with-meta.json");
    let after = order["date_created_gmt"].as_str().unwrap().to_string();
    let since = chrono::NaiveDateTime::parse_from_str(&after, "%Y-%m-%dT%H:%M:%S").unwrap()
        - chrono::Duration::seconds(2);
    let (_, found) = wire
        .send(
            Method::GET,
            &format!(
                "orders?after={}&dates_are_gmt=true&_fields=id,meta_data,date_created_gmt&per_page=100",
                since.format("%Y-%m-%dT%H:%M:%S")
            ),
            None,
        )
        .await;
    assert_same_shape("orders created after", &listed[1], &found[0]);
    let (request, status, answer) = captured("order-update-status.json");
    let (got, completed) = wire
        .send(Method::PUT, &format!("orders/{order_id}"), Some(&request))
        .await;
    assert_eq!(got.as_u16(), status);
    assert_same_shape("order completed", &answer, &completed);
    assert_eq!(
        completed["line_items"][0]["meta_data"][0]["key"],
        "_reduced_stock"
    );
    let (request, status, answer) = captured("error-order-update-invalid-status.json");
    let (got, refused) = wire
        .send(Method::PUT, &format!("orders/{order_id}"), Some(&request))
        .await;
    assert_eq!((got.as_u16(), &refused), (status, &answer));
    let (request, status, answer) = captured("order-note-create.json");
    let (got, note) = wire
        .send(
            Method::POST,
            &format!("orders/{order_id}/notes"),
            Some(&request),
        )
        .await;
    assert_eq!(got.as_u16(), status);
    assert_same_shape("order note", &answer, &note);
    let (request, status, answer) = captured("order-create-unknown-product-accepted.json");
    let (got, accepted) = wire.send(Method::POST, "orders", Some(&request)).await;
    assert_eq!(got.as_u16(), status);
    assert_same_shape("order of an unknown product", &answer, &accepted);
    assert_eq!(
        (
            accepted["line_items"][0]["product_id"].clone(),
            accepted["total"].clone()
        ),
        (json!(0), json!("0.00"))
    );

    // A customer created, found by email, changed; a second with the email refused.
    let (request, status, answer) = captured("customer-create.json");
    let (got, customer) = wire.send(Method::POST, "customers", Some(&request)).await;
    assert_eq!(got.as_u16(), status, "{customer}");
    assert_same_shape("customer created", &answer, &customer);
    let email = request["email"].as_str().unwrap();
    let (_, _, listed) = captured("customers-by-email.json");
    let (_, found) = wire
        .send(Method::GET, &format!("customers?email={email}"), None)
        .await;
    assert_same_shape("customer by email", &listed[0], &found[0]);
    let (request, status, answer) = captured("customer-update.json");
    let (got, updated) = wire
        .send(
            Method::PUT,
            &format!("customers/{}", customer["id"]),
            Some(&request),
        )
        .await;
    assert_eq!(got.as_u16(), status);
    assert_same_shape("customer updated", &answer, &updated);
    let (request, status, answer) = captured("error-customer-create-duplicate-email.json");
    let (got, refused) = wire.send(Method::POST, "customers", Some(&request)).await;
    assert_eq!((got.as_u16(), &refused), (status, &answer));

    // A read-only key.
    lock(&wire.sim.server.store.auth).keys[0].permissions = "read".into();
    let (request, status, answer) = captured("error-product-create-read-only-key.json");
    let (got, refused) = wire.send(Method::POST, "products", Some(&request)).await;
    assert_eq!((got.as_u16(), &refused), (status, &answer));
}
