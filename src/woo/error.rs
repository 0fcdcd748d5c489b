//! What can go wrong talking to a store, as types a caller can act on.

use std::time::Duration;

/// A failed request to a store. The client never retries: the job's retry through the
/// queue does the waiting, honouring `retry_after` where the store or our limit gave one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WooError {
    /// 401: an unknown key, a wrong secret, a bad signature, a stale timestamp, a reused
    /// nonce, or no credentials at all (a real store answers several of these alike).
    #[error("bad credentials: {message} ({code})")]
    BadCredentials { code: String, message: String },
    /// 403 from WooCommerce: the key lacks the scope (read, or write for webhooks).
    #[error("the API key lacks the scope: {message}")]
    MissingScope { message: String },
    /// 404 `rest_no_route`: WooCommerce inactive, REST disabled, or a wrong base URL.
    #[error("the WooCommerce REST API is not available at this URL")]
    RestUnavailable,
    /// 404 for one record.
    #[error("not found: {message}")]
    NotFound { message: String },
    /// The store, its host or our own per-store limit says to slow down.
    #[error("rate limited{}", retry_after.map(|d| format!(", retry after {} ms", d.as_millis())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// Our own per-store budget of requests is spent for `wait`: no request was sent.
    #[error("the store's request budget is spent for {} ms", wait.as_millis())]
    BudgetSpent { wait: Duration },
    /// Worth retrying: 5xx, connection resets.
    #[error("transient failure: {detail}")]
    Transient { detail: String },
    /// The store did not answer in time.
    #[error("the store did not answer in time")]
    Timeout,
    /// No connection could be made (DNS, refused, reset).
    #[error("the store is unreachable: {detail}")]
    Unreachable { detail: String },
    /// The store's certificate was refused, or TLS failed otherwise.
    #[error("TLS failed: {detail}")]
    Tls { detail: String },
    /// A redirect (3xx) where an answer was due: the store's URL is not the site's own
    /// (`www.`, `https`, a moved site), or a plugin sends the API elsewhere.
    #[error(
        "the store answered with a redirect ({status}) to {location}: connect it with the address it redirects to"
    )]
    Redirected { status: u16, location: String },
    /// HTML (a login page, a host's error page) where WooCommerce JSON was due.
    #[error("the response is not from WooCommerce: {detail}")]
    NotWooCommerce { detail: String },
    /// JSON, but not what it should be, or not JSON at all.
    #[error("malformed response: {detail}")]
    Malformed { detail: String },
    /// Any other refusal (400 on a bad parameter, say).
    #[error("the store refused the request ({status} {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
}

impl WooError {
    /// The error with every trace of `secret` replaced, as written or as a URL carries it:
    /// the one place a store's answer or a transport error could repeat a credential.
    pub fn without_secret(self, secret: &str) -> WooError {
        if secret.is_empty() {
            return self;
        }
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let scrub = |text: String| -> String {
            text.replace(secret, "[redacted]")
                .replace(&encoded, "[redacted]")
        };
        match self {
            WooError::BadCredentials { code, message } => WooError::BadCredentials {
                code: scrub(code),
                message: scrub(message),
            },
            WooError::MissingScope { message } => WooError::MissingScope {
                message: scrub(message),
            },
            WooError::NotFound { message } => WooError::NotFound {
                message: scrub(message),
            },
            WooError::Transient { detail } => WooError::Transient {
                detail: scrub(detail),
            },
            WooError::Unreachable { detail } => WooError::Unreachable {
                detail: scrub(detail),
            },
            WooError::Tls { detail } => WooError::Tls {
                detail: scrub(detail),
            },
            WooError::Redirected { status, location } => WooError::Redirected {
                status,
                location: scrub(location),
            },
            WooError::NotWooCommerce { detail } => WooError::NotWooCommerce {
                detail: scrub(detail),
            },
            WooError::Malformed { detail } => WooError::Malformed {
                detail: scrub(detail),
            },
            WooError::Rejected {
                status,
                code,
                message,
            } => WooError::Rejected {
                status,
                code: scrub(code),
                message: scrub(message),
            },
            other @ (WooError::RestUnavailable
            | WooError::RateLimited { .. }
            | WooError::BudgetSpent { .. }
            | WooError::Timeout) => other,
        }
    }

    /// Errors no retry can fix: the store must be marked and its jobs stopped.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            WooError::BadCredentials { .. }
                | WooError::MissingScope { .. }
                | WooError::RestUnavailable
        )
    }

    /// How long the store asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            WooError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}
