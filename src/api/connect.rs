//! `POST /api/integrations/woocommerce/connect`: a store's address and keys, checked and
//! saved (`stores::connect_store`).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::ApiState;
use crate::stores::{self, ConnectError, ConnectPolicy, connect_store};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    /// The site's address, such as `https://shop.example` (a trailing `/wp-json` is fine).
    pub store_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    /// For people; the host by default.
    pub name: Option<String>,
    /// Requests per second woosync may send the store (default 5).
    pub rate_limit: Option<f64>,
    /// `basic` (HTTPS, default), `query_string` (HTTPS, for hosts that drop the
    /// Authorization header) or `oauth1` (plain HTTP, where allowed).
    pub auth_mode: Option<String>,
    /// Backfill the notes of every order (one request per order); by default only orders
    /// created or changed since the store was connected have their notes fetched.
    pub backfill_order_notes: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Connected {
    pub store_id: i64,
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/connect",
    tag = "integration",
    request_body = ConnectRequest,
    responses(
        (status = 200, description = "Saved; the same store connected again keeps its id", body = Connected),
        (status = 422, description = "A value is refused: invalid_store_url, https_required, private_address, invalid_keys, invalid_rate_limit, invalid_auth_mode", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn connect(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<ConnectRequest>,
) -> Result<Json<Connected>, ApiError> {
    let policy = ConnectPolicy::of(&state.services.config);
    let request = stores::ConnectRequest {
        store_url: request.store_url,
        consumer_key: request.consumer_key,
        consumer_secret: request.consumer_secret,
        name: request.name,
        rate_limit: request.rate_limit,
        auth_mode: request.auth_mode,
        backfill_order_notes: request.backfill_order_notes,
    };
    let services = &state.services;
    let store_id = connect_store(&services.db, &services.context.secret_key, policy, request)
        .await
        .map_err(|error| match error {
            ConnectError::Database(error) => error.into(),
            refused => ApiError::invalid(refused.code(), refused.to_string()),
        })?;
    Ok(Json(Connected { store_id }))
}
