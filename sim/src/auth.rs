//! The simulated store's authentication, as WooCommerce's `WC_REST_Authentication` does it:
//! over HTTPS, HTTP Basic or `consumer_key`/`consumer_secret` in the query; over plain HTTP,
//! one-legged OAuth 1.0a only, with its timestamp window and nonce check.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::error::SimError;

/// How old an OAuth timestamp may be, and how long a nonce is remembered.
const OAUTH_WINDOW_S: i64 = 15 * 60;

/// A REST API key of the store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiKey {
    pub consumer_key: String,
    pub consumer_secret: String,
    /// `read`, `write` or `read_write`.
    pub permissions: String,
    /// Whether the key's user may manage WooCommerce (an administrator or shop manager),
    /// which reading the store's settings needs.
    #[serde(default = "manager")]
    pub manage_woocommerce: bool,
}

fn manager() -> bool {
    true
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
        let missing: Vec<&str> = [
            "oauth_timestamp",
            "oauth_nonce",
            "oauth_signature",
            "oauth_signature_method",
        ]
        .into_iter()
        .filter(|required| param(required).is_none_or(|value| value.is_empty()))
        .collect();
        if !missing.is_empty() {
            let noun = if missing.len() == 1 {
                "parameter"
            } else {
                "parameters"
            };
            return Err(SimError::new(
                401,
                "woocommerce_rest_authentication_missing_parameter",
                &format!("Missing OAuth {noun} {}", missing.join(", ")),
            ));
        }
        let key = self
            .key(&consumer_key)
            .cloned()
            .ok_or_else(|| SimError::authentication("Consumer key is invalid."))?;
        let given = param("oauth_signature")
            .unwrap_or_default()
            .replace(' ', "+");
        let signed: Vec<(String, String)> = params
            .iter()
            .filter(|(name, _)| name != "oauth_signature")
            .cloned()
            .collect();
        let string_to_sign = string_to_sign(request.method, request.url, &signed);
        let algorithm = param("oauth_signature_method").unwrap_or_default();
        let expected = hmac_base64(
            &algorithm,
            &format!("{}&", key.consumer_secret),
            &string_to_sign,
        )
        .ok_or_else(|| {
            SimError::authentication("Invalid signature - signature method is invalid.")
        })?;
        if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
            return Err(SimError::authentication(
                "Invalid signature - provided signature does not match.",
            ));
        }
        let timestamp: i64 = param("oauth_timestamp")
            .and_then(|ts| ts.parse().ok())
            .unwrap_or_default();
        if timestamp < request.now - OAUTH_WINDOW_S || timestamp > request.now + OAUTH_WINDOW_S {
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

/// A query parameter's value as PHP's `$_GET` holds it: `name[inner]` keys gather into an
/// array under `name` (`name[]` takes the next index).
enum PhpValue {
    Scalar(String),
    Array(Vec<(String, String)>),
}

/// The string WooCommerce signs, built step by step as `check_oauth_signature` builds it,
/// and written apart from woosync's signer (`woo::auth::oauth1`) so that the two cannot
/// share a misreading of the rules:
///
/// 1. `$_GET`: nested keys gathered, a repeated plain key keeping its last value;
/// 2. `uksort($params, 'strcmp')`: the top-level keys in byte order;
/// 3. `normalize_parameters`: each key and each value `rawurlencode`d (an array's values,
///    not its keys);
/// 4. `join_with_equals_sign`: each `key=value`, or `key%5Binner%5D=value` for an array,
///    `rawurlencode`d again; joined with `%26`;
/// 5. `METHOD&rawurlencode(url)&` and the joined pairs.
pub fn string_to_sign(method: &str, url: &str, query: &[(String, String)]) -> String {
    let mut params: Vec<(String, PhpValue)> = Vec::new();
    for (key, value) in query {
        let nested = key
            .find('[')
            .filter(|open| *open > 0 && key.ends_with(']'))
            .map(|open| (&key[..open], &key[open + 1..key.len() - 1]));
        match nested {
            Some((name, inner)) => {
                let position = params.iter().position(|(existing, _)| existing == name);
                let array = match position {
                    Some(index) => &mut params[index].1,
                    None => {
                        params.push((name.to_string(), PhpValue::Array(Vec::new())));
                        &mut params.last_mut().expect("just pushed").1
                    }
                };
                if !matches!(array, PhpValue::Array(_)) {
                    *array = PhpValue::Array(Vec::new());
                }
                if let PhpValue::Array(items) = array {
                    let inner = if inner.is_empty() {
                        // PHP's next index: one past the largest integer key, or 0.
                        items
                            .iter()
                            .filter_map(|(existing, _)| existing.parse::<i64>().ok())
                            .max()
                            .map_or(0, |largest| largest + 1)
                            .to_string()
                    } else {
                        inner.to_string()
                    };
                    items.retain(|(existing, _)| *existing != inner);
                    items.push((inner, value.clone()));
                }
            }
            None => {
                params.retain(|(existing, _)| existing != key);
                params.push((key.clone(), PhpValue::Scalar(value.clone())));
            }
        }
    }
    params.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut joined: Vec<String> = Vec::new();
    for (key, value) in params {
        let key = php_rawurlencode(&key);
        match value {
            PhpValue::Scalar(value) => {
                joined.push(php_rawurlencode(&format!(
                    "{key}={}",
                    php_rawurlencode(&value)
                )));
            }
            PhpValue::Array(items) => {
                for (inner, value) in items {
                    let pair = format!("{key}%5B{inner}%5D={}", php_rawurlencode(&value));
                    joined.push(php_rawurlencode(&pair));
                }
            }
        }
    }
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        php_rawurlencode(url),
        joined.join("%26")
    )
}

/// PHP's `rawurlencode` (RFC 3986: all but unreserved characters as `%XX`).
fn php_rawurlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `base64_encode(hash_hmac($algorithm, $text, $key, true))` for the two methods
/// WooCommerce accepts; none for any other.
fn hmac_base64(method: &str, key: &str, text: &str) -> Option<String> {
    let digest = match method {
        "HMAC-SHA1" => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).ok()?;
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        "HMAC-SHA256" => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).ok()?;
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => return None,
    };
    Some(BASE64.encode(digest))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_twice_as_woocommerce_10_does() {
        // The vector normalized by a real WooCommerce 10.0.2's own code.
        let query = [
            ("modified_after", "2020-01-01T00:00:00"),
            ("_fields", "id,date_modified_gmt"),
            ("per_page", "100"),
        ]
        .map(|(key, value)| (key.to_string(), value.to_string()));
        let signed = string_to_sign("get", "http://shop.example/wp-json/wc/v3/products", &query);
        assert_eq!(
            signed.split_once("products&").map(|(_, params)| params),
            Some(
                "_fields%3Did%252Cdate_modified_gmt%26modified_after%3D2020-01-01T00%253A00%253A00%26per_page%3D100"
            )
        );
    }

    #[test]
    fn nested_keys_gather_as_php_arrays() {
        let query = [("filter[period]", "week"), ("a", "1"), ("filter[]", "x y")]
            .map(|(key, value)| (key.to_string(), value.to_string()));
        assert_eq!(
            string_to_sign("GET", "http://s/", &query),
            "GET&http%3A%2F%2Fs%2F&a%3D1%26filter%255Bperiod%255D%3Dweek%26filter%255B0%255D%3Dx%2520y"
        );
    }
}
