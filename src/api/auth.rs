//! The API token: `Authorization: Bearer <WOOSYNC_API_TOKEN>` on every route but the webhook
//! receiver (the webhook's signature authenticates it), health and metrics.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::state::ApiState;

/// Whether `headers` carry `expected` as a bearer token, compared in constant time.
pub fn has_bearer(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes())))
}

pub async fn require_api_token(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    if has_bearer(request.headers(), &state.api_token) {
        next.run(request).await
    } else {
        refused("send Authorization: Bearer <WOOSYNC_API_TOKEN>")
    }
}

/// A 401 that tells the client which scheme to use.
pub fn refused(message: &str) -> Response {
    let mut response = ApiError::unauthorized(message).into_response();
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        "Bearer".parse().expect("a valid header value"),
    );
    response
}
