//! `/healthz` (the process answers) and `/readyz` (its database and queue answer too), for
//! load balancers and orchestrators; no token needed, so causes go to the log, not the
//! answer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::state::ApiState;
use crate::database;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        problems: Vec::new(),
    })
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Database and queue answer", body = Health),
        (status = 503, description = "Something does not answer", body = Health),
    )
)]
pub async fn readyz(State(state): State<ApiState>) -> (StatusCode, Json<Health>) {
    let services = &state.services;
    let mut problems = Vec::new();
    if let Err(error) = database::ping(&services.db).await {
        tracing::error!(%error, "readiness: the database does not answer");
        problems.push("database: does not answer".into());
    }
    if let Err(error) = services.queue.counts(crate::jobs::queues()[0]).await {
        tracing::error!(%error, "readiness: the queue does not answer");
        problems.push("queue: does not answer".into());
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = if problems.is_empty() {
        "ok"
    } else {
        "unavailable"
    };
    (
        status,
        Json(Health {
            status: word,
            problems,
        }),
    )
}
