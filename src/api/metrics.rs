//! `/metrics` in Prometheus' text format, open to scrapers unless `WOOSYNC_METRICS_TOKEN`
//! is set. Counters and histograms are recorded where things happen; the gauges of queue
//! depth and sync lag are read when scraped, so that every web process reports them.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use chrono::Utc;

use super::auth::{has_bearer, refused};
use super::state::ApiState;
use crate::jobs;
use crate::sync::runs::last_synced;

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
    for queue in jobs::queues() {
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
    let Ok(last_synced) = last_synced(&services.db).await else {
        return;
    };
    let now = Utc::now();
    for (store, resource, at) in last_synced {
        let lag = Ord::max((now - at).num_milliseconds(), 0) as f64 / 1_000.0;
        metrics::gauge!("woosync_sync_lag_seconds", "store" => store.to_string(), "resource" => resource.name())
            .set(lag);
    }
}
