//! Connected stores: saving a store's connection with its secret sealed, and reading it
//! back for the client.

mod connect;
pub mod one_click;
mod settings;

pub use connect::{
    ConnectError, ConnectPolicy, ConnectRequest, MAX_RATE_LIMIT, checked_store_url, connect_store,
};
pub use settings::{SettingsError, StoreSettings, change_settings};

use chrono::Utc;
use entity::stores;
pub use entity::stores::{AuthMode, SignatureMethod, StoreStatus};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    SqlErr,
};

use crate::secrets::{Secret, SecretError, SecretKey};
use crate::woo::WooError;
use crate::woo::client::{StoreConnection, WooClient};
use crate::woo::rate_limit::RateLimit;
use url::Url;

/// Requests per second a store gets when none is set: what shared hosting tolerates.
pub const DEFAULT_RATE_LIMIT_PER_S: f64 = 5.0;
/// WooCommerce's own default low-stock threshold (`woocommerce_notify_low_stock_amount`).
pub const DEFAULT_LOW_STOCK_AMOUNT: i64 = 2;

#[derive(Debug)]
pub struct NewStore {
    pub name: String,
    /// The site root, normalised (see the connect endpoint).
    pub url: String,
    pub auth_mode: AuthMode,
    /// For OAuth 1.0a: HMAC-SHA256 unless a store needs HMAC-SHA1.
    pub signature_method: SignatureMethod,
    pub consumer_key: String,
    pub consumer_secret: Secret,
    pub rate_limit_per_s: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {0} does not exist")]
    NotFound(i64),
    #[error("store {store_id} has an unusable {field}: {value:?}")]
    Corrupt {
        store_id: i64,
        field: &'static str,
        value: String,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

const CONSUMER_SECRET: &str = "consumer secret";

/// A store's site root as woosync keeps it: `https://shop.example` or
/// `https://example.com/shop`, from what a person may paste (a trailing slash or
/// `/wp-json`). Credentials, queries and fragments in the URL are refused: keys are given
/// apart, and the URL is signed as WordPress knows it.
pub fn normalize_store_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|error| format!("`{text}` is not a URL: {error}"))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(format!("`{text}` is not an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not carry credentials: give the API keys apart".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must be the site's root, without a query or a fragment".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` has no host"));
    }
    let mut normalized = url.clone();
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/wp-json").unwrap_or(path);
    normalized.set_path(path);
    Ok(normalized)
}

/// `normalize_store_url` as the text stored in `stores.url`: no trailing slash.
pub fn store_url_text(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

/// Saves a store's connection and returns its id. Connecting a store already known by its
/// URL updates its keys and settings instead of making a second store; of two connects of
/// a new store at once, the second finds the first's row and updates it.
pub async fn save_store<C: ConnectionTrait>(
    db: &C,
    key: &SecretKey,
    new: NewStore,
) -> Result<i64, DbErr> {
    match save_store_once(db, key, &new).await {
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            save_store_once(db, key, &new).await
        }
        saved => saved,
    }
}

async fn save_store_once<C: ConnectionTrait>(
    db: &C,
    key: &SecretKey,
    new: &NewStore,
) -> Result<i64, DbErr> {
    let now = Utc::now();
    let existing = stores::Entity::find()
        .filter(stores::Column::Url.eq(&new.url))
        .one(db)
        .await?;
    let existing_status = existing.as_ref().map(|store| store.status);
    let mut store = match existing {
        Some(existing) => stores::ActiveModel {
            id: Set(existing.id),
            ..Default::default()
        },
        None => stores::ActiveModel {
            id: NotSet,
            url: Set(new.url.clone()),
            status: Set(StoreStatus::Active),
            backfill_order_notes: Set(false),
            low_stock_amount: Set(DEFAULT_LOW_STOCK_AMOUNT),
            connected_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        },
    };
    store.name = Set(new.name.clone());
    store.auth_mode = Set(new.auth_mode);
    store.oauth_signature_method = Set(new.signature_method);
    store.consumer_key = Set(new.consumer_key.clone());
    store.consumer_secret_enc = Set(key.seal(CONSUMER_SECRET, &new.consumer_secret));
    store.rate_limit_per_s = Set(new.rate_limit_per_s);
    // New keys are the fix for a store stopped by bad ones: it syncs again (a store the
    // operator paused stays paused).
    if existing_status != Some(StoreStatus::Paused) {
        store.status = Set(StoreStatus::Active);
        store.status_reason = Set(None);
    }
    store.updated_at = Set(now);
    let saved = if store.id.is_set() {
        store.update(db).await?
    } else {
        store.insert(db).await?
    };
    Ok(saved.id)
}

pub async fn find_store<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
) -> Result<Option<stores::Model>, DbErr> {
    stores::Entity::find_by_id(store_id).one(db).await
}

/// The store connected at a site root (normalised: `store_url_text`).
pub async fn find_store_at<C: ConnectionTrait>(
    db: &C,
    url: &str,
) -> Result<Option<stores::Model>, DbErr> {
    stores::Entity::find()
        .filter(stores::Column::Url.eq(url))
        .one(db)
        .await
}

/// Every connected store, in the order they were connected.
pub async fn all_stores<C: ConnectionTrait>(db: &C) -> Result<Vec<stores::Model>, DbErr> {
    stores::Entity::find()
        .order_by_asc(stores::Column::Id)
        .all(db)
        .await
}

/// What the client needs to talk to a store, its secret opened with `key`.
pub async fn connection<C: ConnectionTrait>(
    db: &C,
    key: &SecretKey,
    store_id: i64,
) -> Result<StoreConnection, StoreError> {
    let store = stores::Entity::find_by_id(store_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound(store_id))?;
    connection_of(&store, key)
}

/// The connection of a store row already read.
pub fn connection_of(
    store: &stores::Model,
    key: &SecretKey,
) -> Result<StoreConnection, StoreError> {
    let store_id = store.id;
    let corrupt = |field: &'static str, value: &str| StoreError::Corrupt {
        store_id,
        field,
        value: value.to_string(),
    };
    Ok(StoreConnection {
        store_id,
        site_url: Url::parse(&store.url).map_err(|_| corrupt("url", &store.url))?,
        auth: store.auth_mode,
        signature_method: store.oauth_signature_method,
        consumer_secret: key.open(CONSUMER_SECRET, &store.consumer_secret_enc)?,
        consumer_key: store.consumer_key.clone(),
        rate_limit: RateLimit::per_second(store.rate_limit_per_s),
    })
}

/// Sets where a store stands, with the reason a person should read (none when active).
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    status: StoreStatus,
    reason: Option<String>,
) -> Result<(), DbErr> {
    stores::ActiveModel {
        id: Set(store_id),
        status: Set(status),
        status_reason: Set(reason),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Reads the store's low-stock threshold and keeps it for the inventory view; where the
/// store will not tell (the key's user cannot manage WooCommerce, say), WooCommerce's
/// default of 2 is kept, and the store says why. A store that cannot be reached just now
/// keeps what it had.
pub async fn learn_low_stock_amount<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    client: &WooClient,
) -> Result<(), DbErr> {
    let (amount, note) = match client.low_stock_amount().await {
        Ok(amount) => (amount, None),
        Err(
            error @ (WooError::BadCredentials { .. }
            | WooError::MissingScope { .. }
            | WooError::NotFound { .. }
            | WooError::RestUnavailable
            | WooError::Rejected { .. }
            | WooError::Malformed { .. }),
        ) => (
            DEFAULT_LOW_STOCK_AMOUNT,
            Some(format!(
                "WooCommerce's default of {DEFAULT_LOW_STOCK_AMOUNT} is used: the store did not \
                 give its low-stock threshold (a key of a user who can manage WooCommerce can \
                 read it): {error}"
            )),
        ),
        Err(error) => {
            tracing::warn!(store = store_id, %error, "the low-stock threshold could not be read now");
            return Ok(());
        }
    };
    stores::ActiveModel {
        id: Set(store_id),
        low_stock_amount: Set(amount),
        low_stock_amount_note: Set(note),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Erases a store and everything synced from it (customer data included), in one
/// transaction; returns how many records were erased.
pub async fn erase_store(db: &sea_orm::DatabaseConnection, store_id: i64) -> Result<u64, DbErr> {
    use sea_orm::TransactionTrait;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let txn = db.begin().await?;
    let delete = |table: &str| {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(table))
            .and_where(Expr::col(Alias::new("store_id")).eq(store_id));
        db.get_database_backend().build(&delete)
    };
    let mut records = 0;
    for resource in crate::woo::Resource::ALL {
        records += txn
            .execute_raw(delete(resource.name()))
            .await?
            .rows_affected();
    }
    for table in [
        "quarantined_records",
        "sync_checkpoints",
        "sync_watermarks",
        "sync_runs",
        "webhook_subscriptions",
        "webhook_deliveries",
    ] {
        txn.execute_raw(delete(table)).await?;
    }
    stores::Entity::delete_by_id(store_id).exec(&txn).await?;
    txn.commit().await?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_store_urls_are_normalised_or_refused() {
        let normal = |text: &str| normalize_store_url(text).map(|url| store_url_text(&url));
        assert_eq!(
            normal("https://shop.example/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            normal("https://shop.example/wp-json/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            normal("https://example.com/shop/wp-json").unwrap(),
            "https://example.com/shop"
        );
        assert!(normal("https://ck:cs@shop.example").is_err());
        assert!(normal("https://shop.example/?page=1").is_err());
        assert!(normal("ftp://shop.example").is_err());
        assert!(normal("shop.example").is_err());
    }
}
