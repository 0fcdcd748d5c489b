//! Consumer endpoints: registered with a URL (checked as store URLs are: http(s), a public
//! address unless private ones are allowed, answering), the event types and stores they
//! take, and a signing secret told once. They start at the end of the feed: what happens
//! from then on is theirs; `replay` moves them back.

use chrono::Utc;
use entity::event_deliveries::{self, DeliveryStatus};
use entity::event_endpoints::{self, EndpointStatus};
use entity::stores;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use url::Url;

use super::cursor::{CursorError, FeedBounds};
use super::signature::SigningSecret;
use super::types::{TypeFilter, TypeFilterError};
use crate::secrets::{Secret, SecretKey};
use crate::woo::client::StoreHttp;

/// The purpose the signing secrets are sealed under.
const SEALED_AS: &str = "event endpoint secret";

/// How long the reachability check at registration waits for an answer.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("the endpoint URL {0}")]
    InvalidUrl(String),
    #[error(
        "the endpoint URL's host {host} is a loopback or private address ({address}); WOOSYNC_ALLOW_PRIVATE_ENDPOINTS=true allows it"
    )]
    PrivateAddress {
        host: String,
        address: std::net::IpAddr,
    },
    #[error("the endpoint did not answer: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Types(#[from] TypeFilterError),
    #[error("store {0} does not exist")]
    UnknownStore(i64),
    #[error("event endpoint {0} does not exist")]
    NotFound(i64),
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Cursor(#[from] CursorError),
    #[error("the endpoint's signing secret cannot be opened: {0}")]
    Secret(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl EndpointError {
    pub fn code(&self) -> &'static str {
        match self {
            EndpointError::InvalidUrl(_) => "invalid_endpoint_url",
            EndpointError::PrivateAddress { .. } => "private_endpoint_address",
            EndpointError::Unreachable(_) => "endpoint_unreachable",
            EndpointError::Types(_) => "unknown_event_type",
            EndpointError::UnknownStore(_) => "store_not_found",
            EndpointError::NotFound(_) => "endpoint_not_found",
            EndpointError::Invalid(_) => "invalid_request",
            EndpointError::Cursor(CursorError::Pruned { .. }) => "cursor_expired",
            EndpointError::Cursor(_) => "invalid_cursor",
            EndpointError::Secret(_) => "secret_unreadable",
            EndpointError::Database(_) => "database_unavailable",
        }
    }
}

/// What registering an endpoint needs besides the request.
pub struct EndpointPolicy<'a> {
    pub db: &'a DatabaseConnection,
    pub key: &'a SecretKey,
    /// The client deliveries use, with its address guard.
    pub http: &'a StoreHttp,
    pub allow_private: bool,
}

#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub types: Option<Vec<String>>,
    pub store_ids: Option<Vec<i64>>,
    pub description: Option<String>,
}

/// Changes to an endpoint; none given leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    /// `Some(None)`: every type again.
    pub types: Option<Option<Vec<String>>>,
    pub store_ids: Option<Option<Vec<i64>>>,
    pub description: Option<Option<String>>,
    /// `active` (resume, also after it was disabled) or `paused`.
    pub status: Option<EndpointStatus>,
    pub rotate_secret: bool,
}

/// Registers an endpoint; with it, its secret (told only now).
pub async fn create_endpoint(
    policy: &EndpointPolicy<'_>,
    request: NewEndpoint,
) -> Result<(event_endpoints::Model, SigningSecret), EndpointError> {
    // What needs no network first.
    let types = stored_types(request.types)?;
    let store_ids = stored_store_ids(policy.db, request.store_ids).await?;
    let description = stored_description(request.description)?;
    let url = checked_url(policy, &request.url).await?;
    let secret = SigningSecret::generate();
    let now = Utc::now();
    let txn = crate::database::begin_write(policy.db).await?;
    let latest = FeedBounds::read(&txn).await?.latest;
    let endpoint = event_endpoints::ActiveModel {
        id: NotSet,
        url: Set(url.to_string()),
        description: Set(description),
        types: Set(types),
        store_ids: Set(store_ids),
        secret_enc: Set(policy.key.seal(SEALED_AS, &Secret::new(secret.text()))),
        status: Set(EndpointStatus::Active),
        status_reason: Set(None),
        cursor: Set(latest),
        read_through: Set(latest),
        failing_since: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok((endpoint, secret))
}

/// Changes an endpoint; with its new secret when rotated.
pub async fn change_endpoint(
    policy: &EndpointPolicy<'_>,
    id: i64,
    changes: EndpointChanges,
) -> Result<(event_endpoints::Model, Option<SigningSecret>), EndpointError> {
    let endpoint = find_endpoint(policy.db, id).await?;
    let mut update: event_endpoints::ActiveModel = endpoint.clone().into();
    if let Some(url) = changes.url {
        update.url = Set(checked_url(policy, &url).await?.to_string());
    }
    if let Some(types) = changes.types {
        update.types = Set(stored_types(types)?);
    }
    if let Some(store_ids) = changes.store_ids {
        update.store_ids = Set(stored_store_ids(policy.db, store_ids).await?);
    }
    if let Some(description) = changes.description {
        update.description = Set(stored_description(description)?);
    }
    if let Some(status) = changes.status {
        if status == EndpointStatus::Disabled {
            return Err(EndpointError::Invalid(
                "status is `active` or `paused`: an endpoint is disabled only by failing",
            ));
        }
        update.status = Set(status);
        update.status_reason = Set(None);
        if status == EndpointStatus::Active && endpoint.status == EndpointStatus::Disabled {
            update.failing_since = Set(None);
            retry_now(policy.db, id).await?;
        }
    }
    let secret = changes.rotate_secret.then(SigningSecret::generate);
    if let Some(secret) = &secret {
        update.secret_enc = Set(policy.key.seal(SEALED_AS, &Secret::new(secret.text())));
    }
    update.updated_at = Set(Utc::now());
    Ok((update.update(policy.db).await?, secret))
}

/// Delivers again every event after `after` (those already delivered too); an endpoint
/// disabled (failing, or behind the retention) is active again.
pub async fn replay(
    db: &DatabaseConnection,
    id: i64,
    after: i64,
) -> Result<event_endpoints::Model, EndpointError> {
    let endpoint = find_endpoint(db, id).await?;
    let txn = crate::database::begin_write(db).await?;
    FeedBounds::read(&txn).await?.check(after)?;
    // Those not yet delivered are read again with the rest.
    event_deliveries::Entity::delete_many()
        .filter(event_deliveries::Column::EndpointId.eq(id))
        .filter(event_deliveries::Column::EventId.gt(after))
        .filter(event_deliveries::Column::Status.ne(DeliveryStatus::Delivered))
        .exec(&txn)
        .await?;
    let disabled = endpoint.status == EndpointStatus::Disabled;
    let mut update: event_endpoints::ActiveModel = endpoint.into();
    if disabled {
        update.status = Set(EndpointStatus::Active);
        update.status_reason = Set(None);
    }
    update.cursor = Set(after);
    update.read_through = Set(after);
    update.failing_since = Set(None);
    update.updated_at = Set(Utc::now());
    let endpoint = update.update(&txn).await?;
    txn.commit().await?;
    Ok(endpoint)
}

pub async fn delete_endpoint(db: &DatabaseConnection, id: i64) -> Result<(), EndpointError> {
    let deleted = event_endpoints::Entity::delete_by_id(id).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Err(EndpointError::NotFound(id));
    }
    // SQLite does not cascade unless told to on each connection.
    event_deliveries::Entity::delete_many()
        .filter(event_deliveries::Column::EndpointId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find_endpoint(
    db: &DatabaseConnection,
    id: i64,
) -> Result<event_endpoints::Model, EndpointError> {
    event_endpoints::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(EndpointError::NotFound(id))
}

pub async fn all_endpoints(db: &DatabaseConnection) -> Result<Vec<event_endpoints::Model>, DbErr> {
    event_endpoints::Entity::find()
        .order_by_asc(event_endpoints::Column::Id)
        .all(db)
        .await
}

/// An endpoint's latest deliveries, the newest first, and how many it has failing.
pub async fn deliveries(
    db: &DatabaseConnection,
    id: i64,
    status: Option<DeliveryStatus>,
    limit: u64,
) -> Result<(Vec<event_deliveries::Model>, u64), EndpointError> {
    find_endpoint(db, id).await?;
    let mut select =
        event_deliveries::Entity::find().filter(event_deliveries::Column::EndpointId.eq(id));
    if let Some(status) = status {
        select = select.filter(event_deliveries::Column::Status.eq(status));
    }
    let rows = select
        .order_by_desc(event_deliveries::Column::EventId)
        .limit(limit)
        .all(db)
        .await?;
    let failing = event_deliveries::Entity::find()
        .filter(event_deliveries::Column::EndpointId.eq(id))
        .filter(event_deliveries::Column::Status.eq(DeliveryStatus::Failing))
        .count(db)
        .await?;
    Ok((rows, failing))
}

/// The secret an endpoint's deliveries are signed with.
pub fn signing_secret(
    key: &SecretKey,
    endpoint: &event_endpoints::Model,
) -> Result<SigningSecret, EndpointError> {
    let text = key
        .open(SEALED_AS, &endpoint.secret_enc)
        .map_err(|error| EndpointError::Secret(error.to_string()))?;
    SigningSecret::parse(text.expose())
        .ok_or_else(|| EndpointError::Secret("not a whsec_ secret".into()))
}

/// The types and stores an endpoint takes, as stored.
pub fn endpoint_filters(
    endpoint: &event_endpoints::Model,
) -> (Option<TypeFilter>, Option<Vec<i64>>) {
    let (names, store_ids) = endpoint_lists(endpoint);
    let types = names.and_then(|names| TypeFilter::parse(names.iter().map(String::as_str)).ok());
    (types, store_ids)
}

/// The type names and stores an endpoint takes, as stored (JSON lists; none for all).
pub fn endpoint_lists(
    endpoint: &event_endpoints::Model,
) -> (Option<Vec<String>>, Option<Vec<i64>>) {
    (
        stored_list(endpoint.types.as_deref()),
        stored_list(endpoint.store_ids.as_deref()),
    )
}

fn stored_list<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Option<Vec<T>> {
    text.and_then(|text| serde_json::from_str(text).ok())
}

/// Failed deliveries of a resumed endpoint are tried at once.
async fn retry_now(db: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
    event_deliveries::Entity::update_many()
        .col_expr(
            event_deliveries::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(event_deliveries::Column::EndpointId.eq(id))
        .filter(event_deliveries::Column::Status.eq(DeliveryStatus::Failing))
        .exec(db)
        .await?;
    Ok(())
}

/// The URL, if it is one deliveries may go to and something answers there.
async fn checked_url(policy: &EndpointPolicy<'_>, text: &str) -> Result<Url, EndpointError> {
    let url = Url::parse(text.trim())
        .map_err(|error| EndpointError::InvalidUrl(format!("cannot be read: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(EndpointError::InvalidUrl(format!(
            "must be http or https, not {}",
            url.scheme()
        )));
    }
    let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
        return Err(EndpointError::InvalidUrl("has no host".into()));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::InvalidUrl(
            "must not carry credentials: deliveries are signed instead".into(),
        ));
    }
    if !policy.allow_private {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses = tokio::net::lookup_host((host, port))
            .await
            .map_err(|error| {
                EndpointError::Unreachable(format!("{host} does not resolve: {error}"))
            })?;
        for address in addresses {
            if !crate::woo::public_address::is_public(&address.ip()) {
                return Err(EndpointError::PrivateAddress {
                    host: host.to_string(),
                    address: address.ip(),
                });
            }
        }
    }
    // Any answer will do: the endpoint may refuse what is not a signed event.
    let client = policy
        .http
        .for_url(&url)
        .map_err(EndpointError::Unreachable)?;
    client
        .head(url.clone())
        .timeout(PROBE_TIMEOUT)
        .send()
        .await
        .map_err(|error| EndpointError::Unreachable(error_chain(&error)))?;
    Ok(url)
}

fn stored_types(types: Option<Vec<String>>) -> Result<Option<String>, EndpointError> {
    types
        .map(|names| {
            let filter = TypeFilter::parse(names.iter().map(String::as_str))?;
            let names: Vec<&str> = filter.names().collect();
            Ok(serde_json::to_string(&names).unwrap_or_default())
        })
        .transpose()
}

async fn stored_store_ids(
    db: &DatabaseConnection,
    store_ids: Option<Vec<i64>>,
) -> Result<Option<String>, EndpointError> {
    let Some(ids) = store_ids else {
        return Ok(None);
    };
    if ids.is_empty() {
        return Err(EndpointError::Invalid(
            "store_ids is empty: leave it out for every store",
        ));
    }
    for id in &ids {
        if stores::Entity::find_by_id(*id).one(db).await?.is_none() {
            return Err(EndpointError::UnknownStore(*id));
        }
    }
    Ok(Some(serde_json::to_string(&ids).unwrap_or_default()))
}

fn stored_description(description: Option<String>) -> Result<Option<String>, EndpointError> {
    let description = description
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty());
    if description
        .as_ref()
        .is_some_and(|text| text.chars().count() > 500)
    {
        return Err(EndpointError::Invalid(
            "description is longer than 500 characters",
        ));
    }
    Ok(description)
}

/// An error with its causes, as one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
