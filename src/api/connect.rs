//! `POST /api/integrations/woocommerce/connect`: a store's address and keys, checked and
//! saved (the secret encrypted). Connecting a store again gives it the new keys.

use std::net::IpAddr;

use axum::Json;
use axum::extract::State;
use entity::stores;
use sea_orm::ActiveModelTrait;
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::ApiState;
use crate::secrets::Secret;
use crate::stores::{
    AuthMode, DEFAULT_RATE_LIMIT_PER_S, NewStore, normalize_store_url, save_store, store_url_text,
};
use crate::woo::auth::oauth1::SignatureMethod;
use crate::woo::public_address::is_public;

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

/// The most a store may be asked per second: far beyond any real store's limit, it keeps a
/// typo from turning woosync on a store.
const MAX_RATE_LIMIT: f64 = 1_000.0;

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
    let config = &state.services.config;
    let url = normalize_store_url(&request.store_url)
        .map_err(|message| ApiError::invalid("invalid_store_url", message))?;
    let https = url.scheme() == "https";
    if !https && !config.allow_http_stores {
        return Err(ApiError::invalid(
            "https_required",
            "the store must be reached over https (WOOSYNC_ALLOW_HTTP_STORES=true allows plain HTTP with OAuth 1.0a)",
        ));
    }
    let auth = match request.auth_mode.as_deref() {
        None if https => AuthMode::Basic,
        None => AuthMode::OAuth1,
        Some(name) => AuthMode::parse(name).ok_or_else(|| {
            ApiError::invalid(
                "invalid_auth_mode",
                format!("unknown auth_mode `{name}`: basic, query_string or oauth1"),
            )
        })?,
    };
    if auth != AuthMode::OAuth1 && !https {
        return Err(ApiError::invalid(
            "https_required",
            format!(
                "{} sends the keys in the clear: use https, or auth_mode oauth1",
                auth.as_str()
            ),
        ));
    }
    for (field, value) in [
        ("consumer_key", &request.consumer_key),
        ("consumer_secret", &request.consumer_secret),
    ] {
        let printable = value.chars().all(|c| c.is_ascii_graphic());
        if value.is_empty() || value.len() > 255 || !printable {
            return Err(ApiError::invalid(
                "invalid_keys",
                format!("{field} must be the key WooCommerce made: printable, no spaces"),
            ));
        }
    }
    let rate_limit = request.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT_PER_S);
    if !(rate_limit.is_finite() && rate_limit > 0.0 && rate_limit <= MAX_RATE_LIMIT) {
        return Err(ApiError::invalid(
            "invalid_rate_limit",
            format!(
                "rate_limit must be more than 0 and at most {MAX_RATE_LIMIT} requests per second"
            ),
        ));
    }
    let name = request
        .name
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| url.host_str().unwrap_or_default().to_string());
    if name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "invalid_name",
            "name is at most 200 characters",
        ));
    }
    if !config.allow_private_stores {
        refuse_private_address(&url).await?;
    }
    let store_id = save_store(
        &state.services.db,
        &state.services.context.secret_key,
        NewStore {
            name,
            url: store_url_text(&url),
            auth_mode: auth,
            signature_method: SignatureMethod::HmacSha256,
            consumer_key: request.consumer_key,
            consumer_secret: Secret::new(request.consumer_secret),
            rate_limit_per_s: rate_limit,
        },
    )
    .await?;
    if let Some(backfill_order_notes) = request.backfill_order_notes {
        stores::ActiveModel {
            id: Set(store_id),
            backfill_order_notes: Set(backfill_order_notes),
            ..Default::default()
        }
        .update(&state.services.db)
        .await?;
    }
    Ok(Json(Connected { store_id }))
}

/// Refuses a store whose host is, or resolves to, an address of this machine or of a
/// private network, so that woosync cannot be made to call into its own network.
async fn refuse_private_address(url: &url::Url) -> Result<(), ApiError> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| {
            ApiError::invalid(
                "unresolvable_store_url",
                format!("cannot resolve {host}: {error}"),
            )
        })?
        .map(|address| address.ip())
        .collect();
    match addresses.iter().find(|address| !is_public(address)) {
        Some(address) => Err(ApiError::invalid(
            "private_address",
            format!(
                "{host} is at {address}, a loopback or private address (WOOSYNC_ALLOW_PRIVATE_STORES=true allows it)"
            ),
        )),
        None => Ok(()),
    }
}
