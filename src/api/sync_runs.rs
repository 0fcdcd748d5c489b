//! `GET /api/sync-runs/{run_id}`: where a sync run stands, with its rate and an estimate of
//! when it ends.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::sync_runs;
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::state::ApiState;
use crate::sync::run_children::{self, ChildrenProgress};
use crate::sync::runs::find_run;

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
    /// Records of the resource written.
    pub records: i64,
    /// Records it could not parse or store, set aside in quarantine.
    pub quarantined: i64,
    /// The children the run fetches under the records it lists (variations, refunds,
    /// notes): the run succeeds only once they are all written.
    pub children: ChildrenView,
    /// Records written per second since the run started, children included.
    pub records_per_s: Option<f64>,
    /// Seconds left at the rate so far, while it runs.
    pub eta_s: Option<f64>,
    pub errors: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ChildrenView {
    /// Parents whose children the run asked for.
    pub parents: i64,
    /// Those whose children are written.
    pub parents_done: i64,
    /// Children written so far.
    pub records: i64,
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
    let run = find_run(&state.services.db, run_id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "run_not_found",
            format!("sync run {run_id} does not exist"),
        )
    })?;
    let mut views = views(&state.services.db, vec![run]).await?;
    Ok(Json(views.remove(0)))
}

/// The runs as the API shows them, with their children's progress.
pub async fn views(
    db: &DatabaseConnection,
    runs: Vec<sync_runs::Model>,
) -> Result<Vec<SyncRunView>, ApiError> {
    let ids: Vec<i64> = runs.iter().map(|run| run.id).collect();
    let progress = run_children::progress(db, &ids).await?;
    let now = Utc::now();
    Ok(runs
        .into_iter()
        .map(|run| {
            let children = progress.get(&run.id).copied().unwrap_or_default();
            view(run, children, now)
        })
        .collect())
}

fn view(run: sync_runs::Model, children: ChildrenProgress, now: DateTime<Utc>) -> SyncRunView {
    let elapsed = run.started_at.map(|started| {
        let until = run.finished_at.unwrap_or(now);
        (until - started).num_milliseconds().max(1) as f64 / 1_000.0
    });
    let records = run.records_written + children.records;
    let records_per_s = elapsed.map(|seconds| records as f64 / seconds);
    // Pages and parents go at the pace they have gone so far, each counted as one request.
    let done = run.pages_done + children.parents_done;
    let eta_s = match (elapsed, run.pages_total, run.finished_at) {
        (Some(seconds), Some(total), None) if done > 0 => {
            let left = (total - run.pages_done).max(0) + (children.parents - children.parents_done);
            Some(left as f64 * seconds / done as f64)
        }
        _ => None,
    };
    SyncRunView {
        id: run.id,
        store_id: run.store_id,
        resource: run.resource.to_string(),
        kind: run.kind.to_string(),
        status: run.status.to_string(),
        pages_done: run.pages_done,
        pages_total: run.pages_total,
        records: run.records_written,
        quarantined: run.records_quarantined,
        children: ChildrenView {
            parents: children.parents,
            parents_done: children.parents_done,
            records: children.records,
        },
        records_per_s,
        eta_s,
        errors: run.error_count,
        last_error: run.last_error,
        created_at: run.created_at,
        started_at: run.started_at,
        finished_at: run.finished_at,
    }
}
