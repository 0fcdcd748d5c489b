//! `/api/stores/{store_id}/quarantine` and `/api/quarantine/{id}/retry`: the records a store
//! sent that could not be parsed or stored, with why and the text as sent; and fetching
//! one again once the store (or woosync) is fixed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::quarantined_records;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use super::state::ApiState;
use crate::pipeline::quarantine::{Retried, RetryError, fetch_again};
use crate::stores::find_store;
use crate::sync::quarantine;
use crate::woo::Resource;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuarantineQuery {
    /// One resource (`products`, ...); every resource by default.
    pub resource: Option<String>,
    pub page: Option<u64>,
    /// Default 50, at most 500.
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedView {
    pub id: i64,
    pub resource: String,
    /// The record's id at the store, when it has one that could be read.
    pub woo_id: Option<String>,
    /// The parent it was listed under (0 for a top-level resource).
    pub parent_id: i64,
    /// Why it was set aside: the field and what was wrong with it.
    pub reason: String,
    /// The record as the store sent it.
    pub raw: String,
    pub run_id: Option<i64>,
    pub quarantined_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinePage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub records: Vec<QuarantinedView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetryOutcome {
    /// `written` (the record is kept now), `quarantined` (it failed again: `reason` says
    /// why) or `gone` (the store no longer has it).
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<quarantined_records::Model> for QuarantinedView {
    fn from(entry: quarantined_records::Model) -> Self {
        QuarantinedView {
            id: entry.id,
            resource: entry.resource.to_string(),
            woo_id: entry.woo_id,
            parent_id: entry.parent_id,
            reason: entry.reason,
            raw: entry.raw,
            run_id: entry.run_id,
            quarantined_at: entry.created_at,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/stores/{store_id}/quarantine",
    tag = "records",
    params(("store_id" = i64, Path), QuarantineQuery),
    responses(
        (status = 200, description = "Records set aside, newest first", body = QuarantinePage),
        (status = 404, description = "No such store or resource", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_quarantined(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<QuarantineQuery>,
) -> Result<Json<QuarantinePage>, ApiError> {
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    let resource = query
        .resource
        .as_deref()
        .map(|name| {
            name.parse::<Resource>().map_err(|_| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_resource",
                    format!("there is no resource `{name}`"),
                )
            })
        })
        .transpose()?;
    let (page, per_page, offset) = super::records::paging(query.page, query.per_page)?;
    let (total, entries) = quarantine::list(db, store_id, resource, offset, per_page).await?;
    Ok(Json(QuarantinePage {
        total,
        page,
        per_page,
        records: entries.into_iter().map(QuarantinedView::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/quarantine/{id}/retry",
    tag = "records",
    params(("id" = i64, Path, description = "The quarantine entry")),
    responses(
        (status = 200, description = "The record was fetched again: written, set aside again, or gone", body = RetryOutcome),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 409, description = "The store is not active, or the record cannot be fetched alone", body = ErrorBody),
        (status = 502, description = "The store did not answer", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn retry_quarantined(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RetryOutcome>, ApiError> {
    retry(&state, id).await.map(Json)
}

/// Fetches a quarantined record from its store again and writes it (as the dashboard's
/// Retry does too).
pub async fn retry(state: &ApiState, id: i64) -> Result<RetryOutcome, ApiError> {
    let retried = fetch_again(&state.services.context, id)
        .await
        .map_err(|error| match error {
            RetryError::NotFound(_) => ApiError::new(
                StatusCode::NOT_FOUND,
                "quarantine_entry_not_found",
                error.to_string(),
            ),
            RetryError::Cannot(message) => {
                ApiError::new(StatusCode::CONFLICT, "cannot_retry", message)
            }
            RetryError::StoreUnusable(error) => ApiError::unavailable("store_unusable", error),
            RetryError::Write(error) => ApiError::unavailable("write_failed", error),
            RetryError::Store(error) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "store_error", error.to_string())
            }
            RetryError::Database(error) => error.into(),
        })?;
    Ok(match retried {
        Retried::Written => RetryOutcome {
            outcome: "written",
            reason: None,
        },
        Retried::Quarantined { reason } => RetryOutcome {
            outcome: "quarantined",
            reason,
        },
        Retried::Gone => RetryOutcome {
            outcome: "gone",
            reason: None,
        },
    })
}
