//! Reading a store's answer: paging headers, `Retry-After`, and the error a status means.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use reqwest::header::{DATE, HeaderMap, LINK, RETRY_AFTER};
use serde_json::Value;

use super::body::parse_json;
use super::error::WooError;

/// What the paging headers of a listing say. Hosts may strip them: all are optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// `X-WP-Total`: records in the whole listing.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`.
    pub total_pages: Option<u64>,
    /// The `Link: rel="next"` URL.
    pub next: Option<String>,
    /// `Date`: the store's clock when it answered.
    pub date: Option<DateTime<Utc>>,
}

pub fn page_info(headers: &HeaderMap) -> PageInfo {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse().ok())
    };
    let next = headers
        .get(LINK)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| parse_link_header::parse_with_rel(text).ok())
        .and_then(|links| links.get("next").map(|link| link.raw_uri.clone()));
    let date = headers
        .get(DATE)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| httpdate::parse_http_date(text.trim()).ok())
        .map(DateTime::<Utc>::from);
    PageInfo {
        total: number("x-wp-total"),
        total_pages: number("x-wp-totalpages"),
        next,
        date,
    }
}

/// `Retry-After` in seconds or as an HTTP date, as a wait from `now`.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The error an unsuccessful response means.
pub fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> WooError {
    let json: Option<Value> = parse_json(body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|value| value.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let code = field("code");
    let message = field("message").unwrap_or_default();
    let wait = retry_after(headers, SystemTime::now());
    match status {
        300..=399 => WooError::Redirected {
            status,
            location: headers
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .map_or_else(|| "nowhere it says".to_string(), str::to_string),
        },
        429 => WooError::RateLimited { retry_after: wait },
        503 if wait.is_some() => WooError::RateLimited { retry_after: wait },
        500..=599 => WooError::Transient {
            detail: format!("HTTP {status}"),
        },
        // WooCommerce answers a key without the scope with a 401 naming the permission.
        401 if message.contains("does not have") && message.contains("permissions") => {
            WooError::MissingScope { message }
        }
        401 => WooError::BadCredentials {
            code: code.unwrap_or_else(|| "http_401".into()),
            message,
        },
        // A WAF's 403 is an HTML page: a block to wait out, not a key's scope.
        403 if code.is_none() => WooError::RateLimited { retry_after: wait },
        403 => WooError::MissingScope { message },
        404 => match code.as_deref() {
            Some("rest_no_route") => WooError::RestUnavailable,
            Some(_) => WooError::NotFound { message },
            None => WooError::NotWooCommerce {
                detail: "HTTP 404 without a WordPress REST answer".into(),
            },
        },
        _ => match code {
            Some(code) => WooError::Rejected {
                status,
                code,
                message,
            },
            None => parse_json::<Value>(body)
                .err()
                .unwrap_or(WooError::Rejected {
                    status,
                    code: String::new(),
                    message,
                }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn reads_paging_headers_as_a_real_store_sends_them() {
        let info = page_info(&headers(&[
            ("x-wp-total", "300"),
            ("x-wp-totalpages", "100"),
            (
                "link",
                "<https://127.0.0.1:8443/wp-json/wc/v3/products?per_page=3&page=1>; rel=\"prev\", <https://127.0.0.1:8443/wp-json/wc/v3/products?per_page=3&page=3>; rel=\"next\"",
            ),
        ]));
        assert_eq!((info.total, info.total_pages), (Some(300), Some(100)));
        assert_eq!(
            info.next.as_deref(),
            Some("https://127.0.0.1:8443/wp-json/wc/v3/products?per_page=3&page=3")
        );
        assert_eq!(page_info(&HeaderMap::new()), PageInfo::default());
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")]), now),
            Some(Duration::from_secs(7))
        );
        let date = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(retry_after(&date, now), Some(Duration::from_secs(10)));
    }

    #[test]
    fn classifies_what_real_stores_answer() {
        let body = |code: &str| {
            format!(r#"{{"code":"{code}","message":"m","data":{{"status":0}}}}"#).into_bytes()
        };
        let none = HeaderMap::new();
        assert!(matches!(
            classify(401, &none, &body("woocommerce_rest_cannot_view")),
            WooError::BadCredentials { .. }
        ));
        assert!(matches!(
            classify(401, &none, &body("woocommerce_rest_authentication_error")),
            WooError::BadCredentials { .. }
        ));
        assert!(matches!(
            classify(403, &none, &body("woocommerce_rest_cannot_view")),
            WooError::MissingScope { .. }
        ));
        assert_eq!(
            classify(404, &none, &body("rest_no_route")),
            WooError::RestUnavailable
        );
        assert!(matches!(
            classify(404, &none, &body("woocommerce_rest_product_invalid_id")),
            WooError::NotFound { .. }
        ));
        assert_eq!(
            classify(429, &headers(&[("retry-after", "3")]), b""),
            WooError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert!(matches!(
            classify(503, &none, b"<html>down</html>"),
            WooError::Transient { .. }
        ));
        assert!(matches!(
            classify(502, &none, b""),
            WooError::Transient { .. }
        ));
        assert!(matches!(
            classify(404, &none, b"<html>not here</html>"),
            WooError::NotWooCommerce { .. }
        ));
        assert!(classify(401, &none, b"").is_permanent());
        let no_write = br#"{"code":"woocommerce_rest_authentication_error","message":"The API key provided does not have write permissions.","data":{"status":401}}"#;
        assert!(matches!(
            classify(401, &none, no_write),
            WooError::MissingScope { .. }
        ));
    }
}
