//! `POST /api/integrations/woocommerce/webhooks/setup`: registers our webhooks at a store,
//! for every topic, delivering to this service.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::ApiState;
use super::store_test::StoreRef;
use crate::stores::find_store;
use crate::webhooks::registration::{RegisteredWebhook, RegistrationError, register_webhooks};
use crate::woo::WooError;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhooksSetUp {
    pub delivery_url: String,
    pub webhooks: Vec<RegisteredWebhook>,
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/webhooks/setup",
    tag = "integration",
    request_body = StoreRef,
    responses(
        (status = 200, description = "Every topic registered, enabled and given the current secret", body = WebhooksSetUp),
        (status = 404, description = "No such store", body = ErrorBody),
        (status = 422, description = "The key cannot write (missing_scope) or is refused (invalid_credentials)", body = ErrorBody),
        (status = 502, description = "The store refused (the delivery URL did not answer its ping: delivery_url_unreachable) or failed", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn setup_webhooks(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<StoreRef>,
) -> Result<Json<WebhooksSetUp>, ApiError> {
    let context = &state.services.context;
    let store = find_store(&context.db, request.store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(request.store_id))?;
    let webhooks = register_webhooks(context, &store, &state.public_url)
        .await
        .map_err(registration_error)?;
    // The secret may be new: the receiver reads it again.
    state.webhook_secrets.forget(store.id);
    Ok(Json(WebhooksSetUp {
        delivery_url: crate::webhooks::delivery_url(&state.public_url, store.id),
        webhooks,
    }))
}

fn registration_error(error: RegistrationError) -> ApiError {
    let message = error.to_string();
    match error {
        RegistrationError::Woo(WooError::MissingScope { .. }) => ApiError::invalid(
            "missing_scope",
            format!("the key needs the write scope to manage webhooks: {message}"),
        ),
        RegistrationError::Woo(WooError::BadCredentials { .. }) => {
            ApiError::invalid("invalid_credentials", message)
        }
        RegistrationError::Woo(WooError::Rejected { code, .. })
            if code == "woocommerce_rest_webhook_delivery_failed" =>
        {
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "delivery_url_unreachable",
                format!(
                    "the store could not reach this service to ping it (set WOOSYNC_PUBLIC_URL to an address the store can reach): {message}"
                ),
            )
        }
        RegistrationError::Woo(_) => ApiError::new(StatusCode::BAD_GATEWAY, "store_error", message),
        RegistrationError::Store(error) => ApiError::unavailable("store_unusable", error),
        RegistrationError::Database(error) => error.into(),
    }
}
