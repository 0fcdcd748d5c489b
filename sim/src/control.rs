//! The control API under `/__sim/`, for tests and the demo: change records (firing the
//! webhooks a real store would), set faults and keys, and read what the store served.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::ApiKey;
use super::faults::Faults;
use super::store::{SimStore, lock, read, write};
use woocommerce::Resource;

pub fn router() -> Router<Arc<SimStore>> {
    Router::new()
        .route("/__sim/requests", get(requests).delete(clear_requests))
        .route("/__sim/faults", get(faults).put(set_faults))
        .route("/__sim/keys", put(set_keys))
        .route("/__sim/settings", put(set_settings))
        .route("/__sim/deliveries", get(deliveries))
        .route("/__sim/webhooks", get(webhooks))
        .route("/__sim/records/{resource}", get(dump).post(create))
        .route("/__sim/records/{resource}/{id}", put(update).delete(delete))
        .route("/__sim/orders/{id}/refund", post(refund))
}

#[derive(Deserialize)]
struct Parent {
    #[serde(default)]
    parent: i64,
}

fn resource(name: &str) -> Result<Resource, (StatusCode, String)> {
    name.parse()
        .map_err(|_| (StatusCode::NOT_FOUND, format!("unknown resource {name}")))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such record").into_response()
}

async fn requests(State(store): State<Arc<SimStore>>) -> Json<Value> {
    Json(json!(store.requests()))
}

async fn clear_requests(State(store): State<Arc<SimStore>>) -> StatusCode {
    store.clear_requests();
    StatusCode::NO_CONTENT
}

async fn faults(State(store): State<Arc<SimStore>>) -> Json<Faults> {
    Json(read(&store.faults).clone())
}

async fn set_faults(State(store): State<Arc<SimStore>>, Json(faults): Json<Faults>) -> StatusCode {
    *write(&store.faults) = faults;
    StatusCode::NO_CONTENT
}

async fn set_keys(State(store): State<Arc<SimStore>>, Json(keys): Json<Vec<ApiKey>>) -> StatusCode {
    lock(&store.auth).keys = keys;
    StatusCode::NO_CONTENT
}

/// WooCommerce settings by id: `{"woocommerce_notify_low_stock_amount": "5"}`.
async fn set_settings(
    State(store): State<Arc<SimStore>>,
    Json(settings): Json<std::collections::HashMap<String, String>>,
) -> StatusCode {
    lock(&store.settings).extend(settings);
    StatusCode::NO_CONTENT
}

async fn deliveries(State(store): State<Arc<SimStore>>) -> Json<Value> {
    Json(json!(*lock(&store.deliveries)))
}

async fn webhooks(State(store): State<Arc<SimStore>>) -> Json<Value> {
    let all: Vec<Value> = lock(&store.webhooks)
        .iter()
        .map(|webhook| {
            let mut json = webhook.to_json(&store.site_url);
            json["failure_count"] = json!(webhook.failure_count);
            json
        })
        .collect();
    Json(Value::Array(all))
}

/// Every record of a resource, under every parent: what a faithful copy must hold.
async fn dump(State(store): State<Arc<SimStore>>, Path(name): Path<String>) -> Response {
    let resource = match resource(&name) {
        Ok(resource) => resource,
        Err(response) => return response.into_response(),
    };
    let data = read(&store.data);
    let all: Vec<Value> = data
        .parents(resource)
        .into_iter()
        .flat_map(|parent| data.collection((resource, parent)).to_vec())
        .collect();
    Json(Value::Array(all)).into_response()
}

async fn create(
    State(store): State<Arc<SimStore>>,
    Path(name): Path<String>,
    Query(parent): Query<Parent>,
    Json(fields): Json<Value>,
) -> Response {
    match resource(&name) {
        Ok(resource) => match store.create(resource, parent.parent, fields) {
            Some(record) => (StatusCode::CREATED, Json(record)).into_response(),
            None => not_found(),
        },
        Err(response) => response.into_response(),
    }
}

async fn update(
    State(store): State<Arc<SimStore>>,
    Path((name, id)): Path<(String, i64)>,
    Query(parent): Query<Parent>,
    Json(changes): Json<Value>,
) -> Response {
    match resource(&name) {
        Ok(resource) => match store.update(resource, parent.parent, id, changes) {
            Some(record) => Json(record).into_response(),
            None => not_found(),
        },
        Err(response) => response.into_response(),
    }
}

#[derive(Deserialize)]
struct Deletion {
    #[serde(default)]
    parent: i64,
    /// Deleted for good, as `force=true` does: no webhook fires.
    #[serde(default)]
    force: bool,
}

async fn delete(
    State(store): State<Arc<SimStore>>,
    Path((name, id)): Path<(String, i64)>,
    Query(deletion): Query<Deletion>,
) -> Response {
    let delete = |resource| {
        if deletion.force {
            store.delete_permanently(resource, deletion.parent, id)
        } else {
            store.delete(resource, deletion.parent, id)
        }
    };
    match resource(&name) {
        Ok(resource) => match delete(resource) {
            Some(record) => Json(record).into_response(),
            None => not_found(),
        },
        Err(response) => response.into_response(),
    }
}

#[derive(Deserialize)]
struct Refund {
    amount: String,
    #[serde(default)]
    reason: String,
}

async fn refund(
    State(store): State<Arc<SimStore>>,
    Path(id): Path<i64>,
    Json(refund): Json<Refund>,
) -> Response {
    match store.refund(id, &refund.amount, &refund.reason) {
        Some(record) => (StatusCode::CREATED, Json(record)).into_response(),
        None => not_found(),
    }
}
