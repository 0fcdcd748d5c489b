//! `/metrics` in Prometheus' text format, open to scrapers unless `WOOSYNC_METRICS_TOKEN`
//! is set. Counters and histograms are recorded where things happen; the gauges of queue
//! depth and sync lag are read when scraped, so that every web process reports them.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use chrono::{DateTime, Utc};
use entity::sync_runs;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};

use super::auth::{has_bearer, refused};
use super::state::ApiState;
use crate::jobs::QUEUES;
use crate::sync::runs::status;

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 401, description = "WOOSYNC_METRICS_TOKEN is set and was not sent"),
    )
)]
pub async fn metrics(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.services.config.metrics_token
        && !has_bearer(&headers, token)
    {
        return refused("send Authorization: Bearer <WOOSYNC_METRICS_TOKEN>");
    }
    refresh_gauges(&state).await;
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// Queue depth by job type and state, and seconds since each store's resources last
/// synced; a source that does not answer leaves its gauges as they were.
async fn refresh_gauges(state: &ApiState) {
    let services = &state.services;
    for queue in QUEUES {
        let Ok(counts) = services.queue.counts(queue).await else {
            continue;
        };
        for (name, value) in [
            ("pending", counts.pending),
            ("scheduled", counts.scheduled),
            ("running", counts.running),
            ("failed", counts.failed),
            ("done", counts.done),
        ] {
            metrics::gauge!("woosync_queue_jobs", "job" => queue, "state" => name)
                .set(value as f64);
        }
    }
    let mut last_synced = Query::select();
    last_synced
        .columns([sync_runs::Column::StoreId, sync_runs::Column::Resource])
        .expr_as(
            Func::max(Expr::col(sync_runs::Column::FinishedAt)),
            Alias::new("last_synced_at"),
        )
        .from(sync_runs::Entity)
        .and_where(Expr::col(sync_runs::Column::Status).eq(status::SUCCEEDED))
        .group_by_columns([sync_runs::Column::StoreId, sync_runs::Column::Resource]);
    let db = &services.db;
    let Ok(rows) = db
        .query_all_raw(db.get_database_backend().build(&last_synced))
        .await
    else {
        return;
    };
    let now = Utc::now();
    for row in rows {
        let (Ok(store), Ok(resource), Ok(Some(at))) = (
            row.try_get::<i64>("", "store_id"),
            row.try_get::<String>("", "resource"),
            row.try_get::<Option<DateTime<Utc>>>("", "last_synced_at"),
        ) else {
            continue;
        };
        let lag = Ord::max((now - at).num_milliseconds(), 0) as f64 / 1_000.0;
        metrics::gauge!("woosync_sync_lag_seconds", "store" => store.to_string(), "resource" => resource)
            .set(lag);
    }
}
