//! One-legged OAuth 1.0a, signed exactly as WooCommerce verifies it
//! (`WC_REST_Authentication::check_oauth_signature`):
//!
//! - the parameters are the request's query parameters plus the `oauth_*` ones, without
//!   `oauth_signature`, sorted by key in byte order (PHP's `strcmp`);
//! - each key and value is RFC 3986-encoded (`normalize_parameters`), and then each joined
//!   `key=value` is encoded again (`join_with_equals_sign`), so a value is encoded twice:
//!   `modified_after=2020-01-01T00:00:00` signs as
//!   `modified_after%3D2020-01-01T00%253A00%253A00`; a nested key `name[inner]` becomes
//!   `name%255Binner%255D`; the pairs are joined with `%26`;
//! - the base string is `METHOD&rawurlencode(store URL + path)&parameters`;
//! - the key is `consumer_secret&` (no token), the signature base64 of the raw HMAC.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
pub use woocommerce::SignatureMethod;

/// PHP's `rawurlencode`: everything but `A-Z a-z 0-9 - _ . ~` as `%XX`.
pub fn rawurlencode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The string WooCommerce signs. `url` is the store URL and path without the query;
/// `params` the decoded query and `oauth_*` parameters, `oauth_signature` excluded.
pub fn base_string(method: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, Option<&str>, &str)> = params
        .iter()
        .map(|(key, value)| {
            let (name, inner) = split_nested(key);
            (name, inner, value.as_str())
        })
        .collect();
    // PHP sorts the top-level keys only; values of one nested key keep their order.
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let pairs: Vec<String> = sorted
        .into_iter()
        .map(|(name, inner, value)| {
            let key = match inner {
                Some(inner) => format!("{}%5B{inner}%5D", rawurlencode(name)),
                None => rawurlencode(name),
            };
            rawurlencode(&format!("{key}={}", rawurlencode(value)))
        })
        .collect();
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        rawurlencode(url),
        pairs.join("%26")
    )
}

/// `name[inner]` as PHP parses a query key: the name and the inner key.
fn split_nested(key: &str) -> (&str, Option<&str>) {
    match key.find('[') {
        Some(open) if open > 0 && key.ends_with(']') => {
            (&key[..open], Some(&key[open + 1..key.len() - 1]))
        }
        _ => (key, None),
    }
}

/// The `oauth_signature` for `base_string`, keyed with the consumer secret.
pub fn sign(method: SignatureMethod, consumer_secret: &str, base_string: &str) -> String {
    let key = format!("{consumer_secret}&");
    let digest = match method {
        SignatureMethod::HmacSha256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
                .expect("HMAC accepts a key of any length");
            mac.update(base_string.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        SignatureMethod::HmacSha1 => {
            let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes())
                .expect("HMAC accepts a key of any length");
            mac.update(base_string.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    BASE64.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rawurlencode_matches_php() {
        assert_eq!(rawurlencode("a b+c~d_e.f-g"), "a%20b%2Bc~d_e.f-g");
        assert_eq!(
            rawurlencode("2020-01-01T00:00:00"),
            "2020-01-01T00%3A00%3A00"
        );
        assert_eq!(
            rawurlencode("id,date_modified_gmt"),
            "id%2Cdate_modified_gmt"
        );
    }

    #[test]
    fn values_are_encoded_twice_as_woocommerce_checks_them() {
        let params = [
            ("modified_after", "2020-01-01T00:00:00"),
            ("_fields", "id,date_modified_gmt"),
            ("per_page", "100"),
        ]
        .map(|(key, value)| (key.to_string(), value.to_string()));
        assert_eq!(
            base_string("GET", "http://s/x", &params),
            "GET&http%3A%2F%2Fs%2Fx&_fields%3Did%252Cdate_modified_gmt\
             %26modified_after%3D2020-01-01T00%253A00%253A00%26per_page%3D100"
        );
    }

    #[test]
    fn nested_keys_are_encoded_twice() {
        let params = vec![("filter[period]".to_string(), "week".to_string())];
        assert!(
            base_string("GET", "http://s/x", &params).ends_with("&filter%255Bperiod%255D%3Dweek")
        );
    }
}
