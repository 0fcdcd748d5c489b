//! Headers on every answer that keep a browser from being turned against the service: no
//! framing (clickjacking), no guessing of content types, no referrer to other sites, and a
//! content security policy that allows the dashboard's own script and style and nothing
//! else.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use super::dashboard::content_security_policy;

pub async fn protect(request: Request, next: Next) -> Response {
    static POLICY: OnceLock<HeaderValue> = OnceLock::new();
    let policy = POLICY.get_or_init(|| {
        HeaderValue::from_str(&content_security_policy())
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
    });
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(CONTENT_SECURITY_POLICY, policy.clone());
    response
}
