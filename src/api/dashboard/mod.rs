//! `/dashboard`: stores, sync runs with live progress, queues and failed jobs, writes in
//! flight and failed, the change feed's consumer endpoints, with the actions an operator
//! needs (retry, retry all, discard, sync, pause, resume). Rendered on
//! the server (maud), refreshed by a few lines of plain JavaScript; its forms post back
//! here. Signing in with the API token sets a cookie that only this path is sent.

mod actions;
mod connect;
mod event_endpoints;
mod page;
mod session;
mod summary;
mod writes;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use super::state::ApiState;

pub fn router(state: &ApiState) -> Router<ApiState> {
    let signed_in = Router::new()
        .route("/dashboard", get(page::dashboard))
        .route("/dashboard/live", get(page::live))
        .route("/dashboard/jobs/{id}/retry", post(actions::retry_job))
        .route("/dashboard/jobs/{id}/discard", post(actions::discard_job))
        .route("/dashboard/jobs/retry-failed", post(actions::retry_failed))
        .route("/dashboard/stores/{id}/sync", post(actions::sync_store))
        .route("/dashboard/stores/{id}/pause", post(actions::pause_store))
        .route("/dashboard/stores/{id}/resume", post(actions::resume_store))
        .route(
            "/dashboard/quarantine/{id}/retry",
            post(actions::retry_quarantined),
        )
        .route("/dashboard/writes/{id}/retry", post(actions::retry_write))
        .route(
            "/dashboard/writes/{id}/discard",
            post(actions::discard_write),
        )
        .route("/dashboard/connect", post(connect::connect))
        .route("/dashboard/sign-out", post(session::sign_out))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            session::require_session,
        ));
    Router::new()
        .route(
            "/dashboard/sign-in",
            get(session::sign_in_form).post(session::sign_in),
        )
        .route("/dashboard/connected", get(connect::connected))
        .merge(signed_in)
}

pub use page::content_security_policy;
