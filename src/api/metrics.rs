//! `/metrics` in Prometheus' text format, open to scrapers unless `WOOSYNC_METRICS_TOKEN`
//! is set.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::auth::{has_bearer, refused};
use super::state::ApiState;

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
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
