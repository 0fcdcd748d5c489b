//! `POST /api/integrations/woocommerce/test`: calls the store and says what it learned, or
//! the one reason it cannot be synced.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use entity::stores;
use sea_orm::ActiveModelTrait;
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::ApiState;
use crate::stores::{find_store, learn_low_stock_amount};
use crate::woo::WooError;

#[derive(Debug, Deserialize, ToSchema)]
pub struct StoreRef {
    pub store_id: i64,
}

/// What the test found. `ok` false comes with a `reason`: invalid_credentials,
/// missing_scope, rest_api_unavailable, https_required, unreachable, tls_error, redirected,
/// timeout, not_woocommerce, or store_error (the store answered with an error of its own).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TestResult {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// What went wrong, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub woocommerce_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wordpress_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Whether listings take `modified_after` (WooCommerce 5.8 and later); without it,
    /// incremental syncs compare whole listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_filters: Option<bool>,
    /// Whether the key may write, which `webhooks/setup` needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_write: Option<bool>,
}

impl TestResult {
    fn failed(reason: &'static str, message: impl Into<String>) -> TestResult {
        TestResult {
            reason: Some(reason),
            message: Some(message.into()),
            ..TestResult::default()
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/test",
    tag = "integration",
    request_body = StoreRef,
    responses(
        (status = 200, description = "The test ran: `ok`, or the reason it failed", body = TestResult),
        (status = 404, description = "No such store", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn test_store(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<StoreRef>,
) -> Result<Json<TestResult>, ApiError> {
    let services = &state.services;
    let store = find_store(&services.db, request.store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(request.store_id))?;
    if store.url.starts_with("http://") && !services.config.allow_http_stores {
        return Ok(Json(TestResult::failed(
            "https_required",
            "the store is reached over plain HTTP, which WOOSYNC_ALLOW_HTTP_STORES does not allow",
        )));
    }
    let client = services
        .context
        .client(&store)
        .map_err(|error| ApiError::unavailable("store_unusable", error))?
        .patient();
    let status = match client.system_status().await {
        Ok(status) => status,
        Err(error) => return Ok(Json(failure(error, "read"))),
    };
    let can_write = match client.can_write().await {
        Ok(can_write) => can_write,
        Err(error) => return Ok(Json(failure(error, "write"))),
    };
    learn_low_stock_amount(&services.db, store.id, &client).await?;
    stores::ActiveModel {
        id: Set(store.id),
        wc_version: Set(Some(status.woocommerce_version.clone())),
        wp_version: Set(Some(status.wordpress_version.clone())),
        currency: Set(Some(status.currency.clone())),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(&services.db)
    .await?;
    Ok(Json(TestResult {
        ok: true,
        modified_filters: Some(has_modified_filters(&status.woocommerce_version)),
        woocommerce_version: Some(status.woocommerce_version),
        wordpress_version: Some(status.wordpress_version),
        currency: Some(status.currency),
        can_write: Some(can_write),
        ..TestResult::default()
    }))
}

/// The reason a request of the test failed; `scope` is what it needed.
fn failure(error: WooError, scope: &str) -> TestResult {
    let message = error.to_string();
    let reason = match error {
        WooError::BadCredentials { .. } => "invalid_credentials",
        WooError::MissingScope { .. } => {
            return TestResult::failed(
                "missing_scope",
                format!("the key lacks the {scope} scope: {message}"),
            );
        }
        WooError::RestUnavailable | WooError::NotFound { .. } => "rest_api_unavailable",
        WooError::Timeout => "timeout",
        WooError::Unreachable { .. } => "unreachable",
        WooError::Tls { .. } => "tls_error",
        WooError::Redirected { .. } => "redirected",
        WooError::NotWooCommerce { .. } | WooError::Malformed { .. } => "not_woocommerce",
        WooError::RateLimited { .. }
        | WooError::BudgetSpent { .. }
        | WooError::Transient { .. }
        | WooError::Rejected { .. } => "store_error",
    };
    TestResult::failed(reason, message)
}

/// `modified_after` arrived in WooCommerce 5.8.
fn has_modified_filters(version: &str) -> bool {
    let mut parts = version
        .split('.')
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= (5, 8)
}

#[cfg(test)]
mod tests {
    use super::has_modified_filters;

    #[test]
    fn modified_filters_arrived_in_5_8() {
        assert!(has_modified_filters("10.0.2"));
        assert!(has_modified_filters("5.8.0"));
        assert!(!has_modified_filters("5.7.9"));
        assert!(!has_modified_filters("4.9"));
        assert!(!has_modified_filters("unknown"));
    }
}
