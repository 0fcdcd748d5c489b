//! Reading a store's response body as real stores send it: a UTF-8 BOM or PHP notices may
//! come before the JSON.

use serde::de::DeserializeOwned;

use super::error::WooError;

/// How many candidate starts of JSON to try after leading noise; bounds the work on a
/// body that holds no JSON at all.
const MAX_JSON_STARTS: usize = 64;

/// The JSON in `body`, after any BOM and PHP notices, as `T`.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, WooError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let starts = body
        .iter()
        .enumerate()
        .filter(|(_, byte)| matches!(byte, b'{' | b'['))
        .map(|(at, _)| at)
        .take(MAX_JSON_STARTS);
    for start in starts {
        if let Ok(value) = serde_json::from_slice(&body[start..]) {
            return Ok(value);
        }
    }
    Err(not_json(body))
}

fn not_json(body: &[u8]) -> WooError {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    if head.contains("<html") || head.contains("<!doctype") || head.contains("wp-login") {
        WooError::NotWooCommerce {
            detail: "an HTML page came where JSON was due".into(),
        }
    } else if body.is_empty() {
        WooError::Malformed {
            detail: "the body is empty".into(),
        }
    } else {
        WooError::Malformed {
            detail: format!("the body is not JSON (it starts {:?})", excerpt(body)),
        }
    }
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tolerates_a_bom_and_php_notices() {
        let parse = |body: &[u8]| parse_json::<serde_json::Value>(body).unwrap();
        assert_eq!(parse(b"\xEF\xBB\xBF[1,2]"), json!([1, 2]));
        let noisy = b"<br />\n<b>Notice</b>:  Undefined index: x in <b>/var/www/a.php</b> on line <b>3</b><br />\n{\"id\": 5}";
        assert_eq!(parse(noisy), json!({"id": 5}));
        let deprecated = b"PHP Deprecated: something [deprecated] in x.php\n[{\"id\":1}]";
        assert_eq!(parse(deprecated), json!([{"id": 1}]));
    }

    #[test]
    fn tells_html_from_garbage() {
        let parse = |body: &[u8]| parse_json::<serde_json::Value>(body);
        assert!(matches!(
            parse(b"<!DOCTYPE html><html><body>Log in</body></html>"),
            Err(WooError::NotWooCommerce { .. })
        ));
        assert!(matches!(
            parse(b"[{\"id\": 1}, {\"id\""),
            Err(WooError::Malformed { .. })
        ));
        assert!(matches!(parse(b""), Err(WooError::Malformed { .. })));
    }
}
