//! One-click connect (`stores::one_click`): `POST .../authorize` starts an attempt and
//! answers the store's approval page to send the merchant to; `POST .../callback` is where
//! the store brings the key the merchant approved (no API token: the attempt's `user_id`
//! authenticates it), and connects the store, registers its webhooks and starts its
//! first sync before answering 200.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::ApiState;
use super::sync::start_runs;
use crate::pipeline::SyncMode;
use crate::stores::one_click::{
    BeginError, CallbackError, Checks, ConsumerData, NewAttempt, begin, take_keys,
};
use crate::stores::{ConnectPolicy, find_store};
use crate::webhooks::registration::register_webhooks;

/// Where stores bring the keys, under the public URL.
pub const CALLBACK_PATH: &str = "/api/integrations/woocommerce/callback";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeRequest {
    /// The store's address, such as `https://shop.example`.
    pub store_url: String,
    /// Where the store sends the merchant back, with `success=1` or `0` and `user_id`.
    pub return_url: String,
    /// `read_write` (default) or `read` (no webhooks then).
    pub scope: Option<String>,
    pub name: Option<String>,
    pub rate_limit: Option<f64>,
    pub backfill_order_notes: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Authorize {
    /// The store's approval page (`/wc-auth/v1/authorize`): send the merchant there.
    pub authorize_url: String,
    /// The attempt's callback is refused after this.
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackTaken {
    pub store_id: i64,
}

pub fn checks(state: &ApiState) -> Checks<'_> {
    let services = &state.services;
    Checks {
        db: &services.db,
        http: &services.context.http,
        limiter: &services.context.limiter,
        key: &services.context.secret_key,
        policy: ConnectPolicy::of(&services.config),
    }
}

/// Starts an attempt; the store's approval page.
pub async fn start_attempt(state: &ApiState, attempt: NewAttempt) -> Result<Authorize, ApiError> {
    let callback = format!("{}{CALLBACK_PATH}", state.public_url);
    let started = begin(&checks(state), attempt, &callback)
        .await
        .map_err(|error| match error {
            BeginError::Store(crate::stores::ConnectError::Database(error)) => error.into(),
            refused => ApiError::invalid(refused.code(), refused.to_string()),
        })?;
    Ok(Authorize {
        authorize_url: started.authorize_url,
        expires_at: started.expires_at,
    })
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/authorize",
    tag = "integration",
    request_body = AuthorizeRequest,
    responses(
        (status = 200, description = "Send the merchant to `authorize_url`", body = Authorize),
        (status = 422, description = "A value is refused: invalid_store_url, https_required, private_address, not_woocommerce, invalid_scope, invalid_return_url", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn authorize(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<AuthorizeRequest>,
) -> Result<Json<Authorize>, ApiError> {
    let attempt = NewAttempt {
        store_url: request.store_url,
        return_url: request.return_url,
        scope: request.scope,
        name: request.name,
        rate_limit: request.rate_limit,
        backfill_order_notes: request.backfill_order_notes,
    };
    Ok(Json(start_attempt(&state, attempt).await?))
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/callback",
    tag = "integration",
    request_body(content = Object, description = "WooCommerce's `{key_id, user_id, consumer_key, consumer_secret, key_permissions}`"),
    responses(
        (status = 200, description = "Connected, webhooks registered, first sync started", body = CallbackTaken),
        (status = 400, description = "Not the JSON WooCommerce sends", body = ErrorBody),
        (status = 403, description = "No live attempt matches, or the keys do not work at its store with its scope", body = ErrorBody),
        (status = 409, description = "The attempt was used already", body = ErrorBody),
        (status = 410, description = "The attempt expired", body = ErrorBody),
    )
)]
pub async fn callback(
    State(state): State<ApiState>,
    body: Bytes,
) -> Result<Json<CallbackTaken>, ApiError> {
    let data: ConsumerData = serde_json::from_slice(&body).map_err(|error| {
        ApiError::bad_request(
            "malformed_callback",
            format!("expected WooCommerce's consumer data: {error}"),
        )
    })?;
    let taken = take_keys(&checks(&state), data)
        .await
        .map_err(callback_error)?;
    let store_id = taken.store_id;
    let context = &state.services.context;
    if let Some(store) = find_store(&context.db, store_id).await?
        && taken.may_write
    {
        match register_webhooks(context, &store, &state.public_url).await {
            Ok(_) => state.webhook_secrets.forget(store.id),
            // The clock's hourly check registers them again.
            Err(error) => tracing::warn!(store = store.id, %error, "webhooks not registered"),
        }
    }
    start_runs(&state, store_id, "all", SyncMode::Auto).await?;
    tracing::info!(store = store_id, "store connected in one click");
    Ok(Json(CallbackTaken { store_id }))
}

fn callback_error(error: CallbackError) -> ApiError {
    let code = error.code();
    let message = error.to_string();
    match error {
        CallbackError::Used => ApiError::new(StatusCode::CONFLICT, code, message),
        CallbackError::Expired(_) => ApiError::new(StatusCode::GONE, code, message),
        CallbackError::UnknownAttempt
        | CallbackError::WrongScope { .. }
        | CallbackError::KeysRefused { .. } => ApiError::new(StatusCode::FORBIDDEN, code, message),
        CallbackError::Connect(crate::stores::ConnectError::Database(error))
        | CallbackError::Database(error) => error.into(),
        CallbackError::Connect(_) => ApiError::invalid(code, message),
    }
}
