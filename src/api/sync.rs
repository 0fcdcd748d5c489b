//! `POST /api/integrations/woocommerce/sync/{resource}`: starts a sync run of a resource
//! (`products`, `orders`, `inventory`, any other top-level resource, or `all`), or returns
//! the one already under way.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use super::state::ApiState;
use crate::pipeline::{StartError, StartedRun, SyncMode, UnknownMode, resources_named, start_sync};
use crate::stores::{StoreStatus, find_store};
use crate::woo::Resource;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub store_id: i64,
    /// `backfill` (every record), `incremental` (what changed since the last run) or
    /// `sweep` (ids and dates only, fetching what is missing or newer). By default a
    /// backfill the first time, incremental after.
    pub mode: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStarted {
    pub run_id: i64,
    /// False when a run of the same store and resource was already under way: it is the
    /// one returned.
    pub new: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncAllStarted {
    pub run_ids: Vec<i64>,
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/sync/{resource}",
    tag = "integration",
    params(("resource" = String, Path, description = "products, orders, inventory, customers, coupons, product_categories, ... or all")),
    request_body = SyncRequest,
    responses(
        (status = 202, description = "Started, or already under way (`run_ids` for `all`)", body = SyncStarted),
        (status = 404, description = "No such store, or no such resource", body = ErrorBody),
        (status = 409, description = "The store is not active (bad keys, REST disabled, paused)", body = ErrorBody),
        (status = 422, description = "An unknown mode, or a resource synced with its parent", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn sync(
    State(state): State<ApiState>,
    ApiPath(resource): ApiPath<String>,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Response, ApiError> {
    let mode = match request.mode.as_deref() {
        None => SyncMode::Auto,
        Some(name) => name
            .parse()
            .map_err(|error: UnknownMode| ApiError::invalid("invalid_mode", error.to_string()))?,
    };
    let started = start_runs(&state, request.store_id, &resource, mode).await?;
    let run_ids = started.iter().map(|started| started.run.id).collect();
    Ok(match (resource.as_str(), started.last()) {
        ("all", _) | (_, None) => {
            (StatusCode::ACCEPTED, Json(SyncAllStarted { run_ids })).into_response()
        }
        (_, Some(started)) => (
            StatusCode::ACCEPTED,
            Json(SyncStarted {
                run_id: started.run.id,
                new: started.new,
            }),
        )
            .into_response(),
    })
}

/// Starts a run of each resource `name` covers for an active store, or returns the one
/// under way: what the route and the dashboard's Sync button do.
pub async fn start_runs(
    state: &ApiState,
    store_id: i64,
    name: &str,
    mode: SyncMode,
) -> Result<Vec<StartedRun>, ApiError> {
    let resources = resources_of(name)?;
    let context = &state.services.context;
    let store = find_store(&context.db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    if store.status != StoreStatus::Active {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "store_not_active",
            format!(
                "store {} is {}{}",
                store.id,
                store.status,
                store
                    .status_reason
                    .as_deref()
                    .map(|reason| format!(": {reason}"))
                    .unwrap_or_default()
            ),
        ));
    }
    let mut started = Vec::with_capacity(resources.len());
    for resource in resources {
        let run = start_sync(context, store.id, resource, mode)
            .await
            .map_err(|error| match error {
                StartError::Child { .. } => {
                    ApiError::invalid("synced_with_parent", error.to_string())
                }
                StartError::Database(error) => error.into(),
                StartError::Queue(_) => ApiError::unavailable("queue_unavailable", error),
            })?;
        started.push(run);
    }
    Ok(started)
}

/// What a route's resource name covers: inventory lives in products and their variations.
fn resources_of(name: &str) -> Result<Vec<Resource>, ApiError> {
    resources_named(name).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_resource",
            format!("there is no resource `{name}`"),
        )
    })
}
