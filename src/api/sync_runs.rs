//! `GET /api/sync-runs/{run_id}`: where a sync run stands, with its rate and an estimate of
//! when it ends.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::sync_runs;
use sea_orm::EntityTrait;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncRunView {
    pub id: i64,
    pub store_id: i64,
    pub resource: String,
    /// `backfill`, `incremental` or `sweep`.
    pub kind: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    pub pages_done: i64,
    /// Known once the first page is read.
    pub pages_total: Option<i64>,
    pub records: i64,
    /// Records written per second since the run started.
    pub records_per_s: Option<f64>,
    /// Seconds left at the rate so far, while it runs.
    pub eta_s: Option<f64>,
    pub errors: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[utoipa::path(
    get,
    path = "/api/sync-runs/{run_id}",
    tag = "sync",
    params(("run_id" = i64, Path)),
    responses(
        (status = 200, description = "The run", body = SyncRunView),
        (status = 404, description = "No such run", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_sync_run(
    State(state): State<ApiState>,
    ApiPath(run_id): ApiPath<i64>,
) -> Result<Json<SyncRunView>, ApiError> {
    let run = sync_runs::Entity::find_by_id(run_id)
        .one(&state.services.db)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "run_not_found",
                format!("sync run {run_id} does not exist"),
            )
        })?;
    Ok(Json(view(run, Utc::now())))
}

pub fn view(run: sync_runs::Model, now: DateTime<Utc>) -> SyncRunView {
    let elapsed = run.started_at.map(|started| {
        let until = run.finished_at.unwrap_or(now);
        (until - started).num_milliseconds().max(1) as f64 / 1_000.0
    });
    let records_per_s = elapsed.map(|seconds| run.records_written as f64 / seconds);
    // Pages go at the pace they have gone so far.
    let eta_s = match (elapsed, run.pages_total, run.finished_at) {
        (Some(seconds), Some(total), None) if run.pages_done > 0 => {
            let left = (total - run.pages_done).max(0) as f64;
            Some(left * seconds / run.pages_done as f64)
        }
        _ => None,
    };
    SyncRunView {
        id: run.id,
        store_id: run.store_id,
        resource: run.resource,
        kind: run.kind,
        status: run.status,
        pages_done: run.pages_done,
        pages_total: run.pages_total,
        records: run.records_written,
        records_per_s,
        eta_s,
        errors: run.error_count,
        last_error: run.last_error,
        created_at: run.created_at,
        started_at: run.started_at,
        finished_at: run.finished_at,
    }
}
