//! The API token: `Authorization: Bearer <WOOSYNC_API_TOKEN>` on every route but the webhook
//! receiver (the webhook's signature authenticates it), health and metrics. The scheme's
//! name is read in any case, as RFC 9110 says; a client whose token is wrong too often is
//! throttled.

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
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .is_some_and(|(_, given)| bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes())))
}

pub async fn require_api_token(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    if has_bearer(request.headers(), &state.api_token) {
        return next.run(request).await;
    }
    if let Err(wait) = state.token_throttle.try_take(&request) {
        return too_many_tries(wait);
    }
    refused("send Authorization: Bearer <WOOSYNC_API_TOKEN>")
}

/// A 429 for a client that guessed too often, with when it may try again.
pub fn too_many_tries(wait: std::time::Duration) -> Response {
    let mut response = ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "too_many_tries",
        "too many tries with a wrong token: wait and try again",
    )
    .into_response();
    let seconds = wait.as_secs().max(1).to_string();
    if let Ok(value) = seconds.parse() {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, value);
    }
    response
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
