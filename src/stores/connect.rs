//! Connecting a store: its address and keys checked (the same for the API and the command
//! line), then saved with the secret sealed. Connecting a store again gives it the new keys.

use std::net::IpAddr;

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr};
use url::Url;

use super::{
    AuthMode, DEFAULT_RATE_LIMIT_PER_S, NewStore, SignatureMethod, normalize_store_url, save_store,
    store_url_text,
};
use crate::secrets::{Secret, SecretKey};
use crate::woo::public_address::is_public;
use entity::stores;

/// The most a store may be asked per second: far beyond any real store's limit, it keeps a
/// typo from turning woosync on a store.
pub const MAX_RATE_LIMIT: f64 = 1_000.0;

/// A store as a person asks to connect it.
#[derive(Debug)]
pub struct ConnectRequest {
    pub store_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub name: Option<String>,
    pub rate_limit: Option<f64>,
    pub auth_mode: Option<String>,
    pub backfill_order_notes: Option<bool>,
}

/// Which stores may be connected (`WOOSYNC_ALLOW_HTTP_STORES`,
/// `WOOSYNC_ALLOW_PRIVATE_STORES`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectPolicy {
    pub allow_http: bool,
    pub allow_private: bool,
}

impl ConnectPolicy {
    /// The policy the process's configuration sets.
    pub fn of(config: &crate::config::Config) -> ConnectPolicy {
        ConnectPolicy {
            allow_http: config.allow_http_stores,
            allow_private: config.allow_private_stores,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    InvalidStoreUrl(String),
    #[error("{0}")]
    HttpsRequired(String),
    #[error("unknown auth mode `{0}`: basic, query_string or oauth1")]
    InvalidAuthMode(String),
    #[error("{0} must be the key WooCommerce made: printable, no spaces")]
    InvalidKeys(&'static str),
    #[error("the rate limit must be more than 0 and at most {MAX_RATE_LIMIT} requests per second")]
    InvalidRateLimit,
    #[error("the name is at most 200 characters")]
    InvalidName,
    #[error("cannot resolve {host}: {problem}")]
    UnresolvableStoreUrl { host: String, problem: String },
    #[error(
        "{host} is at {address}, a loopback or private address (WOOSYNC_ALLOW_PRIVATE_STORES=true allows it)"
    )]
    PrivateAddress { host: String, address: IpAddr },
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl ConnectError {
    /// The error's code in the API.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::InvalidStoreUrl(_) => "invalid_store_url",
            ConnectError::HttpsRequired(_) => "https_required",
            ConnectError::InvalidAuthMode(_) => "invalid_auth_mode",
            ConnectError::InvalidKeys(_) => "invalid_keys",
            ConnectError::InvalidRateLimit => "invalid_rate_limit",
            ConnectError::InvalidName => "invalid_name",
            ConnectError::UnresolvableStoreUrl { .. } => "unresolvable_store_url",
            ConnectError::PrivateAddress { .. } => "private_address",
            ConnectError::Database(_) => "database_error",
        }
    }
}

/// Checks a store's address and keys and saves it; its id.
pub async fn connect_store(
    db: &DatabaseConnection,
    key: &SecretKey,
    policy: ConnectPolicy,
    request: ConnectRequest,
) -> Result<i64, ConnectError> {
    let url = checked_store_url(&request.store_url, policy).await?;
    let https = url.scheme() == "https";
    let auth = match request.auth_mode.as_deref() {
        None if https => AuthMode::Basic,
        None => AuthMode::OAuth1,
        Some(name) => {
            AuthMode::parse(name).ok_or_else(|| ConnectError::InvalidAuthMode(name.into()))?
        }
    };
    if auth != AuthMode::OAuth1 && !https {
        return Err(ConnectError::HttpsRequired(format!(
            "{auth} sends the keys in the clear: use https, or the oauth1 auth mode"
        )));
    }
    for (field, value) in [
        ("consumer_key", &request.consumer_key),
        ("consumer_secret", &request.consumer_secret),
    ] {
        let printable = value.chars().all(|c| c.is_ascii_graphic());
        if value.is_empty() || value.len() > 255 || !printable {
            return Err(ConnectError::InvalidKeys(field));
        }
    }
    let rate_limit = request.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT_PER_S);
    if !(rate_limit.is_finite() && rate_limit > 0.0 && rate_limit <= MAX_RATE_LIMIT) {
        return Err(ConnectError::InvalidRateLimit);
    }
    let name = request
        .name
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| url.host_str().unwrap_or_default().to_string());
    if name.chars().count() > 200 {
        return Err(ConnectError::InvalidName);
    }
    let store_id = save_store(
        db,
        key,
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
        .update(db)
        .await?;
    }
    Ok(store_id)
}

/// A store's address as given, normalized: https unless plain HTTP is allowed, and at a
/// public address unless private ones are.
pub async fn checked_store_url(text: &str, policy: ConnectPolicy) -> Result<Url, ConnectError> {
    let url = normalize_store_url(text).map_err(ConnectError::InvalidStoreUrl)?;
    if url.scheme() != "https" && !policy.allow_http {
        return Err(ConnectError::HttpsRequired(
            "the store must be reached over https (WOOSYNC_ALLOW_HTTP_STORES=true allows plain HTTP with OAuth 1.0a)".into(),
        ));
    }
    if !policy.allow_private {
        refuse_private_address(&url).await?;
    }
    Ok(url)
}

/// Refuses a store whose host is, or resolves to, an address of this machine or of a
/// private network, so that woosync cannot be made to call into its own network.
async fn refuse_private_address(url: &Url) -> Result<(), ConnectError> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| ConnectError::UnresolvableStoreUrl {
            host: host.to_string(),
            problem: error.to_string(),
        })?
        .map(|address| address.ip())
        .collect();
    match addresses.into_iter().find(|address| !is_public(address)) {
        Some(address) => Err(ConnectError::PrivateAddress {
            host: host.to_string(),
            address,
        }),
        None => Ok(()),
    }
}
