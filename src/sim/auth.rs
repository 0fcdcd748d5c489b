//! The simulated store's authentication, as WooCommerce's `WC_REST_Authentication` does it:
//! over HTTPS, HTTP Basic or `consumer_key`/`consumer_secret` in the query; over plain HTTP,
//! one-legged OAuth 1.0a only, with its timestamp window and nonce check.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::error::SimError;
use crate::woo::auth::oauth1::{self, SignatureMethod};

/// How old an OAuth timestamp may be, and how long a nonce is remembered.
const OAUTH_WINDOW_S: i64 = 15 * 60;

/// A REST API key of the store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiKey {
    pub consumer_key: String,
    pub consumer_secret: String,
    /// `read`, `write` or `read_write`.
    pub permissions: String,
}

/// What the request carries, as the handler saw it.
pub struct RequestAuth<'a> {
    pub tls: bool,
    pub method: &'a str,
    /// The URL signed over OAuth: the site URL and the path, without the query.
    pub url: &'a str,
    pub query: &'a [(String, String)],
    pub authorization: Option<&'a str>,
    pub now: i64,
}

/// Who a request is: a key, or nobody (which routes answer with `cannot_view`).
pub type Caller = Option<ApiKey>;

#[derive(Default)]
pub struct Authenticator {
    pub keys: Vec<ApiKey>,
    /// Nonces seen per key, with their timestamps.
    nonces: HashMap<String, HashMap<String, i64>>,
}

impl Authenticator {
    pub fn new(keys: Vec<ApiKey>) -> Self {
        Authenticator {
            keys,
            nonces: HashMap::new(),
        }
    }

    fn key(&self, consumer_key: &str) -> Option<&ApiKey> {
        self.keys
            .iter()
            .find(|key| key.consumer_key == consumer_key)
    }

    /// The caller, or the error WooCommerce answers for any route.
    pub fn authenticate(&mut self, request: &RequestAuth) -> Result<Caller, SimError> {
        if request.tls {
            self.basic(request)
        } else {
            self.oauth(request)
        }
    }

    fn basic(&self, request: &RequestAuth) -> Result<Caller, SimError> {
        let from_header = request
            .authorization
            .and_then(|header| header.strip_prefix("Basic "))
            .and_then(|encoded| BASE64.decode(encoded.trim()).ok())
            .and_then(|decoded| String::from_utf8(decoded).ok())
            .and_then(|pair| {
                pair.split_once(':')
                    .map(|(key, secret)| (key.to_string(), secret.to_string()))
            });
        let param = |name: &str| {
            request
                .query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let from_query = param("consumer_key").zip(param("consumer_secret"));
        let Some((consumer_key, secret)) = from_header.or(from_query) else {
            return Ok(None);
        };
        // An unknown key leaves the request unauthenticated; only a known key with the
        // wrong secret is an authentication error (as the captures show).
        let Some(key) = self.key(&consumer_key) else {
            return Ok(None);
        };
        if key.consumer_secret != secret {
            return Err(SimError::authentication("Consumer secret is invalid."));
        }
        Ok(Some(key.clone()))
    }

    fn oauth(&mut self, request: &RequestAuth) -> Result<Caller, SimError> {
        let mut params: Vec<(String, String)> = request.query.to_vec();
        if let Some(header) = request.authorization.and_then(|h| h.strip_prefix("OAuth ")) {
            params.extend(parse_oauth_header(header));
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let Some(consumer_key) = param("oauth_consumer_key") else {
            return Ok(None);
        };
        for required in [
            "oauth_timestamp",
            "oauth_nonce",
            "oauth_signature",
            "oauth_signature_method",
        ] {
            if param(required).is_none() {
                return Err(SimError::authentication(&format!(
                    "Missing OAuth parameter {required}"
                )));
            }
        }
        let key = self
            .key(&consumer_key)
            .cloned()
            .ok_or_else(|| SimError::authentication("Consumer key is invalid."))?;
        let method = param("oauth_signature_method")
            .as_deref()
            .and_then(SignatureMethod::parse)
            .ok_or_else(|| {
                SimError::authentication("Invalid signature - signature method is invalid.")
            })?;
        let given = param("oauth_signature")
            .unwrap_or_default()
            .replace(' ', "+");
        let signed: Vec<(String, String)> = params
            .iter()
            .filter(|(name, _)| name != "oauth_signature")
            .cloned()
            .collect();
        let base = oauth1::base_string(request.method, request.url, &signed);
        let expected = oauth1::sign(method, &key.consumer_secret, &base);
        if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
            return Err(SimError::authentication(
                "Invalid signature - provided signature does not match.",
            ));
        }
        let timestamp: i64 = param("oauth_timestamp")
            .and_then(|ts| ts.parse().ok())
            .unwrap_or_default();
        if timestamp < request.now - OAUTH_WINDOW_S {
            return Err(SimError::authentication("Invalid timestamp."));
        }
        let nonce = param("oauth_nonce").unwrap_or_default();
        let seen = self.nonces.entry(key.consumer_key.clone()).or_default();
        seen.retain(|_, at| *at >= request.now - OAUTH_WINDOW_S);
        if seen.contains_key(&nonce) {
            return Err(SimError::authentication(
                "Invalid nonce - nonce has already been used.",
            ));
        }
        seen.insert(nonce, timestamp);
        Ok(Some(key))
    }
}

/// Whether `caller` may use `method`: GET needs read, anything else write. WooCommerce
/// answers a key without the scope like this (401, not 403).
pub fn check_scope(caller: &ApiKey, method: &str) -> Result<(), SimError> {
    let reading = method == "GET" || method == "HEAD";
    let allowed = match caller.permissions.as_str() {
        "read_write" => true,
        "read" => reading,
        "write" => !reading,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        let scope = if reading { "read" } else { "write" };
        Err(SimError::authentication(&format!(
            "The API key provided does not have {scope} permissions."
        )))
    }
}

fn parse_oauth_header(header: &str) -> Vec<(String, String)> {
    header
        .split(',')
        .filter_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            let value = value.trim().trim_matches('"');
            let decoded = url::form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())?;
            Some((key.trim().to_string(), decoded))
        })
        .collect()
}
