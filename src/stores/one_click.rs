//! One-click connect: the merchant approves woosync in their own store through
//! WooCommerce's app authentication endpoint (`/wc-auth/v1/authorize`), and the store
//! POSTs a new key to woosync's callback. An attempt binds the two: the `user_id` woosync
//! sends the store carries the attempt's id and a random token (kept hashed), which the
//! callback must bring back within an hour, once. The keys are taken only if they work at
//! the store the attempt named, with the scope it asked for; anything else is refused and
//! nothing stored, so WooCommerce deletes the key it just made.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::connect_attempts;
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::{
    AuthMode, ConnectError, ConnectPolicy, ConnectRequest, SignatureMethod, checked_store_url,
    connect_store, store_url_text,
};
use crate::secrets::{Secret, SecretKey};
use crate::woo::WooError;
use crate::woo::client::{StoreConnection, StoreHttp, WooClient};
use crate::woo::rate_limit::{RateLimit, RateLimiter};

/// What the merchant's store shows as the app asking.
pub const APP_NAME: &str = "woosync";
/// How long an attempt waits for its callback.
pub const ATTEMPT_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// What a person asks to connect this way.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub store_url: String,
    pub return_url: String,
    /// `read_write` (the default: webhooks need write) or `read`.
    pub scope: Option<String>,
    pub name: Option<String>,
    pub rate_limit: Option<f64>,
    pub backfill_order_notes: Option<bool>,
}

/// Where to send the merchant.
#[derive(Debug, Clone)]
pub struct Started {
    pub authorize_url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum BeginError {
    #[error(transparent)]
    Store(#[from] ConnectError),
    #[error(
        "the scope is `read_write` (the default) or `read`, not `{0}`: woosync reads stores, and webhooks need write"
    )]
    InvalidScope(String),
    #[error("the return URL must be an http(s) address: {0}")]
    InvalidReturnUrl(String),
    #[error("{0} answers no WooCommerce REST API at /wp-json/wc/v3: {1}")]
    NotWooCommerce(String, String),
}

impl BeginError {
    pub fn code(&self) -> &'static str {
        match self {
            BeginError::Store(error) => error.code(),
            BeginError::InvalidScope(_) => "invalid_scope",
            BeginError::InvalidReturnUrl(_) => "invalid_return_url",
            BeginError::NotWooCommerce(..) => "not_woocommerce",
        }
    }
}

/// What is needed to check a store and keys.
pub struct Checks<'a> {
    pub db: &'a DatabaseConnection,
    pub http: &'a StoreHttp,
    pub limiter: &'a Arc<dyn RateLimiter>,
    pub key: &'a SecretKey,
    pub policy: ConnectPolicy,
}

/// Checks the store and records an attempt; the store's approval page to send the
/// merchant to, with `callback_url` as where the keys are to come.
pub async fn begin(
    checks: &Checks<'_>,
    attempt: NewAttempt,
    callback_url: &str,
) -> Result<Started, BeginError> {
    let scope = attempt.scope.clone().unwrap_or_else(|| "read_write".into());
    if !["read", "read_write"].contains(&scope.as_str()) {
        return Err(BeginError::InvalidScope(scope));
    }
    let return_url = Url::parse(&attempt.return_url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| BeginError::InvalidReturnUrl(attempt.return_url.clone()))?;
    let url = checked_store_url(&attempt.store_url, checks.policy).await?;
    answers_woocommerce(checks.http, &url).await?;
    let token: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    let now = Utc::now();
    let expires_at = now + chrono::Duration::from_std(ATTEMPT_LIFETIME).unwrap_or_default();
    let inserted = connect_attempts::Entity::insert(connect_attempts::ActiveModel {
        id: NotSet,
        token_hash: Set(hash(&token)),
        store_url: Set(store_url_text(&url)),
        return_url: Set(return_url.to_string()),
        scope: Set(scope.clone()),
        name: Set(attempt.name),
        rate_limit: Set(attempt.rate_limit),
        backfill_order_notes: Set(attempt.backfill_order_notes),
        store_id: Set(None),
        created_at: Set(now),
        expires_at: Set(expires_at),
        completed_at: Set(None),
    })
    .exec(checks.db)
    .await
    .map_err(ConnectError::Database)?;
    let user_id = format!("{}.{token}", inserted.last_insert_id);
    let mut authorize = url.clone();
    authorize.set_path(&format!(
        "{}/wc-auth/v1/authorize",
        url.path().trim_end_matches('/')
    ));
    authorize
        .query_pairs_mut()
        .append_pair("app_name", APP_NAME)
        .append_pair("scope", &scope)
        .append_pair("user_id", &user_id)
        .append_pair("return_url", return_url.as_str())
        .append_pair("callback_url", callback_url);
    Ok(Started {
        authorize_url: authorize.to_string(),
        expires_at,
    })
}

/// Whether the site answers WooCommerce's REST namespace, which WordPress describes to
/// anyone at `/wp-json/wc/v3`.
async fn answers_woocommerce(http: &StoreHttp, url: &Url) -> Result<(), BeginError> {
    let mut index = url.clone();
    index.set_path(&format!(
        "{}/wp-json/wc/v3",
        url.path().trim_end_matches('/')
    ));
    let site = store_url_text(url);
    let refused = |detail: String| BeginError::NotWooCommerce(site.clone(), detail);
    let client = http.for_url(&index).map_err(&refused)?;
    let response = client
        .get(index.clone())
        .send()
        .await
        .map_err(|error| refused(error.to_string()))?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|_| refused(format!("HTTP {status} without WordPress's JSON")))?;
    if status.is_success() && body["namespace"] == "wc/v3" {
        Ok(())
    } else {
        Err(refused(format!("HTTP {status}")))
    }
}

/// What WooCommerce POSTs to the callback.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerData {
    pub key_id: i64,
    pub user_id: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub key_permissions: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("no attempt to connect a store matches this user_id")]
    UnknownAttempt,
    #[error("this attempt expired at {0}: start again")]
    Expired(DateTime<Utc>),
    #[error("this attempt was used already")]
    Used,
    #[error("the key's permissions are `{given}`, the attempt asked for `{asked}`")]
    WrongScope { given: String, asked: String },
    #[error("the keys do not work at {store}: {error}")]
    KeysRefused { store: String, error: WooError },
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

impl CallbackError {
    pub fn code(&self) -> &'static str {
        match self {
            CallbackError::UnknownAttempt => "unknown_attempt",
            CallbackError::Expired(_) => "attempt_expired",
            CallbackError::Used => "attempt_used",
            CallbackError::WrongScope { .. } => "wrong_scope",
            CallbackError::KeysRefused { .. } => "keys_refused",
            CallbackError::Connect(error) => error.code(),
            CallbackError::Database(_) => "database_unavailable",
        }
    }
}

/// The attempt a callback's or a return's `user_id` names, if its token is right.
pub async fn attempt_of(
    db: &DatabaseConnection,
    user_id: &str,
) -> Result<Option<connect_attempts::Model>, DbErr> {
    let Some((id, token)) = user_id.split_once('.') else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let attempt = connect_attempts::Entity::find_by_id(id).one(db).await?;
    Ok(attempt.filter(|attempt| {
        use subtle::ConstantTimeEq;
        bool::from(attempt.token_hash.as_bytes().ct_eq(hash(token).as_bytes()))
    }))
}

/// A store connected by a callback.
#[derive(Debug, Clone, Copy)]
pub struct Taken {
    pub store_id: i64,
    /// Whether its key may write (and so manage webhooks).
    pub may_write: bool,
}

/// Takes the keys a store sent for a live attempt: checks them at the attempt's store,
/// then connects it.
pub async fn take_keys(checks: &Checks<'_>, data: ConsumerData) -> Result<Taken, CallbackError> {
    let attempt = attempt_of(checks.db, &data.user_id)
        .await?
        .ok_or(CallbackError::UnknownAttempt)?;
    if attempt.completed_at.is_some() {
        return Err(CallbackError::Used);
    }
    if attempt.expires_at <= Utc::now() {
        return Err(CallbackError::Expired(attempt.expires_at));
    }
    let covers = data.key_permissions == attempt.scope || data.key_permissions == "read_write";
    if !covers {
        return Err(CallbackError::WrongScope {
            given: data.key_permissions,
            asked: attempt.scope,
        });
    }
    try_keys(checks, &attempt, &data).await?;
    // Taken once: of two callbacks at once, one claims the attempt.
    let claimed = connect_attempts::Entity::update_many()
        .col_expr(
            connect_attempts::Column::CompletedAt,
            Expr::value(Utc::now()),
        )
        .filter(connect_attempts::Column::Id.eq(attempt.id))
        .filter(connect_attempts::Column::CompletedAt.is_null())
        .exec(checks.db)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(CallbackError::Used);
    }
    let request = ConnectRequest {
        store_url: attempt.store_url.clone(),
        consumer_key: data.consumer_key,
        consumer_secret: data.consumer_secret,
        name: attempt.name.clone(),
        rate_limit: attempt.rate_limit,
        auth_mode: None,
        backfill_order_notes: attempt.backfill_order_notes,
    };
    let connected = connect_store(checks.db, checks.key, checks.policy, request).await;
    let store_id = match connected {
        Ok(store_id) => store_id,
        Err(error) => {
            // Not connected, so not used: the merchant may approve again.
            connect_attempts::Entity::update_many()
                .col_expr(
                    connect_attempts::Column::CompletedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(connect_attempts::Column::Id.eq(attempt.id))
                .exec(checks.db)
                .await?;
            return Err(error.into());
        }
    };
    connect_attempts::Entity::update_many()
        .col_expr(connect_attempts::Column::StoreId, Expr::value(store_id))
        .filter(connect_attempts::Column::Id.eq(attempt.id))
        .exec(checks.db)
        .await?;
    Ok(Taken {
        store_id,
        may_write: attempt.scope == "read_write",
    })
}

/// Reads the store with the keys, and checks they may write if the attempt asked for it.
async fn try_keys(
    checks: &Checks<'_>,
    attempt: &connect_attempts::Model,
    data: &ConsumerData,
) -> Result<(), CallbackError> {
    let refused = |error: WooError| CallbackError::KeysRefused {
        store: attempt.store_url.clone(),
        error,
    };
    let site_url = Url::parse(&attempt.store_url)
        .map_err(|error| ConnectError::InvalidStoreUrl(error.to_string()))?;
    let auth = match site_url.scheme() {
        "https" => AuthMode::Basic,
        _ => AuthMode::OAuth1,
    };
    let connection = StoreConnection {
        store_id: 0,
        site_url,
        auth,
        consumer_key: data.consumer_key.clone(),
        consumer_secret: Secret::new(data.consumer_secret.clone()),
        signature_method: SignatureMethod::HmacSha256,
        rate_limit: RateLimit::per_second(
            attempt
                .rate_limit
                .unwrap_or(super::DEFAULT_RATE_LIMIT_PER_S),
        ),
    };
    let client =
        WooClient::new(checks.http.clone(), connection, Arc::clone(checks.limiter)).patient();
    client.system_status().await.map_err(refused)?;
    if attempt.scope == "read_write" && !client.can_write().await.map_err(refused)? {
        return Err(CallbackError::WrongScope {
            given: "read".into(),
            asked: attempt.scope.clone(),
        });
    }
    Ok(())
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
