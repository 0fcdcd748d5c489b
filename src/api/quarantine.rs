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
use crate::pipeline::children::prepare_with_children;
use crate::stores::find_store;
use crate::sync::{Origin, RecordsWrite, quarantine};
use crate::woo::{Resource, WooError};

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
            resource: entry.resource,
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
    let context = &state.services.context;
    let entry = quarantine::find(&context.db, id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "quarantine_entry_not_found",
            format!("no quarantined record {id}"),
        )
    })?;
    let cannot = |message: String| ApiError::new(StatusCode::CONFLICT, "cannot_retry", message);
    let resource: Resource = entry
        .resource
        .parse()
        .map_err(|_| cannot(format!("unknown resource {}", entry.resource)))?;
    let woo_id = entry
        .woo_id
        .clone()
        .filter(|_| resource.key_columns().ends_with(&["woo_id"]))
        .ok_or_else(|| {
            cannot("the record cannot be fetched alone: sync its resource again".into())
        })?;
    let active = context
        .active_store(entry.store_id)
        .await
        .map_err(|error| ApiError::unavailable("store_unusable", error))?
        .ok_or_else(|| cannot(format!("store {} is not active", entry.store_id)))?;
    let path = format!("{}/{woo_id}", resource.collection_path(entry.parent_id));
    let record = match active.client.patient().get(&path).await {
        Ok(record) => record,
        Err(WooError::NotFound { .. }) => {
            quarantine::forget(&context.db, id).await?;
            return Ok(RetryOutcome {
                outcome: "gone",
                reason: None,
            });
        }
        Err(error) => {
            return Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "store_error",
                error.to_string(),
            ));
        }
    };
    let origin = Origin {
        store_id: entry.store_id,
        resource,
        parent_id: entry.parent_id,
        run_id: None,
    };
    let records = prepare_with_children(context, &active.store, origin, vec![record])
        .await
        .map_err(|error| ApiError::unavailable("queue_unavailable", error))?;
    let applied = context
        .writer
        .write(RecordsWrite(records))
        .await?
        .count_committed(resource);
    if applied.quarantined > 0 {
        let again = quarantine::find_record(&context.db, entry.store_id, resource, &woo_id).await?;
        return Ok(RetryOutcome {
            outcome: "quarantined",
            reason: again.map(|entry| entry.reason),
        });
    }
    quarantine::forget(&context.db, id).await?;
    Ok(RetryOutcome {
        outcome: "written",
        reason: None,
    })
}
