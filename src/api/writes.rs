//! Writes to a store through the queue, exactly once: create and update orders, products,
//! variations and customers, set stock. Each answers `202` with a write id at once (the
//! same request again under its `Idempotency-Key` answers the first write); a `StoreWrite`
//! job does the work, and `GET /api/writes/{id}` says how it went.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use entity::store_writes::{self, WriteState};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::state::ApiState;
use crate::stores::{StoreStatus, find_store};
use crate::writes::Operation;
use crate::writes::ledger::{self, NewWrite, RetryError, SubmitError, Submitted};
use crate::writes::operation::check_body;

/// The header that makes a write's request safe to send again.
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The longest idempotency key taken.
const MAX_KEY_LENGTH: usize = 200;

/// A write and where it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct WriteView {
    pub write_id: i64,
    pub store_id: i64,
    /// `create_order`, `update_order`, `create_product`, `update_product`,
    /// `update_variation`, `create_customer`, `update_customer` or `set_stock`.
    pub operation: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    pub idempotency_key: String,
    pub attempts: i32,
    /// The store's id of the record created or updated.
    pub record_id: Option<i64>,
    /// Once succeeded: the record as the store answered it (also in the copy by then).
    #[schema(value_type = Option<Object>)]
    pub record: Option<Value>,
    /// A stock write's items as set, or the conflicts that failed it.
    #[schema(value_type = Option<Vec<Object>>)]
    pub items: Option<Value>,
    /// Once failed: WooCommerce's error code and message (such as
    /// `woocommerce_rest_product_invalid_id`), or woosync's (`conflict`,
    /// `unknown_products`, `store_not_active`, `gave_up`, `discarded`); while it waits for
    /// a retry, the last attempt's error.
    pub error: Option<WriteErrorView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WriteErrorView {
    pub code: Option<String>,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WriteList {
    /// The newest first.
    pub writes: Vec<WriteView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WritesQuery {
    pub store_id: Option<i64>,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: Option<String>,
    /// Default 100, at most 1,000.
    pub limit: Option<u64>,
}

impl From<store_writes::Model> for WriteView {
    fn from(write: store_writes::Model) -> WriteView {
        let result: Option<Value> = write
            .result
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok());
        let (record, items) = match (write.operation.as_str(), result) {
            (_, None) => (None, None),
            ("set_stock", Some(result)) => (None, result.get("items").cloned()),
            (_, Some(result)) if write.state == WriteState::Succeeded => (Some(result), None),
            (_, Some(result)) => (None, result.get("items").cloned()),
        };
        let error = write.error_message.map(|message| WriteErrorView {
            code: write.error_code,
            message,
        });
        WriteView {
            write_id: write.id,
            store_id: write.store_id,
            operation: write.operation,
            state: write.state.as_str().to_string(),
            idempotency_key: write.idempotency_key,
            attempts: write.attempts,
            record_id: write.record_id,
            record,
            items,
            error,
            created_at: write.created_at,
            updated_at: write.updated_at,
            finished_at: write.finished_at,
        }
    }
}

/// A write answered: `202` when new, `200` for a request repeated under its key.
pub struct Accepted {
    status: StatusCode,
    write: WriteView,
}

impl IntoResponse for Accepted {
    fn into_response(self) -> Response {
        let key = HeaderValue::from_str(&self.write.idempotency_key).ok();
        let mut response = (self.status, Json(self.write)).into_response();
        if let Some(key) = key {
            response.headers_mut().insert(IDEMPOTENCY_KEY, key);
        }
        response
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        let key: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        return Ok(key);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= MAX_KEY_LENGTH)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                format!("Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"),
            )
        })?;
    Ok(key.to_string())
}

async fn submit(
    state: &ApiState,
    headers: &HeaderMap,
    write: Target,
    body: Value,
) -> Result<Accepted, ApiError> {
    let db = &state.services.db;
    let store = find_store(db, write.store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(write.store_id))?;
    if store.status != StoreStatus::Active {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "store_not_active",
            format!(
                "store {} is {}{}: its writes would not be sent",
                store.id,
                store.status.as_str(),
                store
                    .status_reason
                    .map(|reason| format!(" ({reason})"))
                    .unwrap_or_default()
            ),
        ));
    }
    check_body(write.operation, &body)
        .map_err(|error| ApiError::invalid("invalid_body", error.to_string()))?;
    let new = NewWrite {
        store_id: write.store_id,
        operation: write.operation,
        record_id: write.record_id,
        parent_id: write.parent_id,
        idempotency_key: idempotency_key(headers)?,
        body,
    };
    match ledger::submit(db, state.services.queue.as_ref(), new).await {
        Ok(Submitted::New(write)) => Ok(Accepted {
            status: StatusCode::ACCEPTED,
            write: write.into(),
        }),
        Ok(Submitted::Repeated(write)) => Ok(Accepted {
            status: StatusCode::OK,
            write: write.into(),
        }),
        Err(error @ SubmitError::KeyReused { .. }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            error.to_string(),
        )),
        Err(SubmitError::Database(error)) => Err(error.into()),
        Err(error @ SubmitError::Queue(_)) => {
            Err(ApiError::unavailable("queue_unavailable", error))
        }
    }
}

/// What a write is about.
struct Target {
    store_id: i64,
    operation: Operation,
    record_id: Option<i64>,
    parent_id: i64,
}

fn not_writable(resource: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "not_writable",
        format!(
            "{resource} cannot be written: writes go to orders, products (and their variations), customers and inventory"
        ),
    )
}

#[utoipa::path(
    post,
    path = "/api/stores/{store_id}/{resource}",
    tag = "writes",
    params(
        ("store_id" = i64, Path),
        ("resource" = String, Path, description = "orders, products or customers"),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key again returns the first write; generated when absent, and returned"),
    ),
    request_body(content = Object, description = "WooCommerce's own JSON for the resource, as `POST /wp-json/wc/v3/{resource}` takes it"),
    responses(
        (status = 202, description = "Queued", body = WriteView),
        (status = 200, description = "The same request under a key already used: the first write", body = WriteView),
        (status = 404, description = "No such store", body = ErrorBody),
        (status = 405, description = "A resource woosync does not write", body = ErrorBody),
        (status = 409, description = "The key was used for another request, or the store is stopped", body = ErrorBody),
        (status = 422, description = "A body that cannot be a valid request, naming the field", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn create_record(
    State(state): State<ApiState>,
    ApiPath((store_id, resource)): ApiPath<(i64, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Accepted, ApiError> {
    let operation = match resource.as_str() {
        "orders" => Operation::CreateOrder,
        "products" => Operation::CreateProduct,
        "customers" => Operation::CreateCustomer,
        other => return Err(not_writable(other)),
    };
    let target = Target {
        store_id,
        operation,
        record_id: None,
        parent_id: 0,
    };
    submit(&state, &headers, target, body).await
}

#[utoipa::path(
    put,
    path = "/api/stores/{store_id}/{resource}/{record_id}",
    tag = "writes",
    params(
        ("store_id" = i64, Path),
        ("resource" = String, Path, description = "orders, products or customers"),
        ("record_id" = i64, Path, description = "The record's WooCommerce id"),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key again returns the first write"),
    ),
    request_body(content = Object, description = "WooCommerce's JSON of the fields to change; an order's may add `notes: [{note, customer_note}]`"),
    responses(
        (status = 202, description = "Queued", body = WriteView),
        (status = 200, description = "The same request under a key already used: the first write", body = WriteView),
        (status = 404, description = "No such store", body = ErrorBody),
        (status = 409, description = "The key was used for another request, or the store is stopped", body = ErrorBody),
        (status = 422, description = "A body that cannot be a valid request, naming the field", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn update_record(
    State(state): State<ApiState>,
    ApiPath((store_id, resource, record_id)): ApiPath<(i64, String, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Accepted, ApiError> {
    let operation = match resource.as_str() {
        "orders" => Operation::UpdateOrder,
        "products" => Operation::UpdateProduct,
        "customers" => Operation::UpdateCustomer,
        other => return Err(not_writable(other)),
    };
    let target = Target {
        store_id,
        operation,
        record_id: Some(record_id),
        parent_id: 0,
    };
    submit(&state, &headers, target, body).await
}

#[utoipa::path(
    put,
    path = "/api/stores/{store_id}/products/{product_id}/variations/{variation_id}",
    tag = "writes",
    params(
        ("store_id" = i64, Path),
        ("product_id" = i64, Path),
        ("variation_id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key again returns the first write"),
    ),
    request_body(content = Object, description = "WooCommerce's JSON of the variation's fields to change"),
    responses(
        (status = 202, description = "Queued", body = WriteView),
        (status = 200, description = "The same request under a key already used: the first write", body = WriteView),
        (status = 404, description = "No such store", body = ErrorBody),
        (status = 409, description = "The key was used for another request, or the store is stopped", body = ErrorBody),
        (status = 422, description = "A body that cannot be a valid request, naming the field", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn update_variation(
    State(state): State<ApiState>,
    ApiPath((store_id, product_id, variation_id)): ApiPath<(i64, i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Accepted, ApiError> {
    let target = Target {
        store_id,
        operation: Operation::UpdateVariation,
        record_id: Some(variation_id),
        parent_id: product_id,
    };
    submit(&state, &headers, target, body).await
}

#[utoipa::path(
    post,
    path = "/api/stores/{store_id}/inventory",
    tag = "writes",
    params(
        ("store_id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key again returns the first write"),
    ),
    request_body(content = Object, description = "`{items: [{product_id, variation_id?, stock_quantity, expected_quantity?}]}`: sets each item's stock; with `expected_quantity` a compare-and-set that fails with `conflict` and the quantity found"),
    responses(
        (status = 202, description = "Queued", body = WriteView),
        (status = 200, description = "The same request under a key already used: the first write", body = WriteView),
        (status = 404, description = "No such store", body = ErrorBody),
        (status = 409, description = "The key was used for another request, or the store is stopped", body = ErrorBody),
        (status = 422, description = "A body that cannot be a valid request, naming the field", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn set_stock(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Accepted, ApiError> {
    let target = Target {
        store_id,
        operation: Operation::SetStock,
        record_id: None,
        parent_id: 0,
    };
    submit(&state, &headers, target, body).await
}

#[utoipa::path(
    get,
    path = "/api/writes/{write_id}",
    tag = "writes",
    params(("write_id" = i64, Path)),
    responses(
        (status = 200, description = "The write", body = WriteView),
        (status = 404, description = "No such write", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_write(
    State(state): State<ApiState>,
    ApiPath(write_id): ApiPath<i64>,
) -> Result<Json<WriteView>, ApiError> {
    ledger::find(&state.services.db, write_id)
        .await?
        .map(|write| Json(write.into()))
        .ok_or_else(|| write_not_found(write_id))
}

fn write_not_found(write_id: i64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "write_not_found",
        format!("write {write_id} does not exist"),
    )
}

#[utoipa::path(
    get,
    path = "/api/writes",
    tag = "writes",
    params(WritesQuery),
    responses(
        (status = 200, description = "Writes, the newest first", body = WriteList),
        (status = 400, description = "A bad query parameter", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_writes(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<WritesQuery>,
) -> Result<Json<WriteList>, ApiError> {
    let state_filter = query
        .state
        .as_deref()
        .map(|name| {
            [
                WriteState::Queued,
                WriteState::Running,
                WriteState::Succeeded,
                WriteState::Failed,
            ]
            .into_iter()
            .find(|candidate| candidate.as_str() == name)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    "state is one of queued, running, succeeded, failed",
                )
            })
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let writes = ledger::list(&state.services.db, query.store_id, state_filter, limit).await?;
    Ok(Json(WriteList {
        writes: writes.into_iter().map(WriteView::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/writes/{write_id}/retry",
    tag = "writes",
    params(("write_id" = i64, Path)),
    responses(
        (status = 200, description = "Queued again; a create whose outcome was never learnt is still looked up first", body = WriteView),
        (status = 404, description = "No such write", body = ErrorBody),
        (status = 409, description = "The write has not failed", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn retry_write(
    State(state): State<ApiState>,
    ApiPath(write_id): ApiPath<i64>,
) -> Result<Json<WriteView>, ApiError> {
    ledger::retry(&state.services.db, state.services.queue.as_ref(), write_id)
        .await
        .map(|write| Json(write.into()))
        .map_err(write_error)
}

#[utoipa::path(
    post,
    path = "/api/writes/{write_id}/discard",
    tag = "writes",
    params(("write_id" = i64, Path)),
    responses(
        (status = 200, description = "Failed as discarded", body = WriteView),
        (status = 404, description = "No such write", body = ErrorBody),
        (status = 409, description = "The write is running, was sent, or succeeded", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn discard_write(
    State(state): State<ApiState>,
    ApiPath(write_id): ApiPath<i64>,
) -> Result<Json<WriteView>, ApiError> {
    ledger::discard(&state.services.db, write_id)
        .await
        .map(|write| Json(write.into()))
        .map_err(write_error)
}

pub fn write_error(error: RetryError) -> ApiError {
    match error {
        RetryError::NotFound(id) => write_not_found(id),
        RetryError::NotFailed { .. } | RetryError::NotDiscardable { .. } => ApiError::new(
            StatusCode::CONFLICT,
            "write_in_wrong_state",
            error.to_string(),
        ),
        RetryError::Database(error) => error.into(),
        RetryError::Queue(_) => ApiError::unavailable("queue_unavailable", error),
    }
}
