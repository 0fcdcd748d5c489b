//! The content hash of a record: equal for equal JSON, whatever the key order.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// A record's canonical JSON text (serde_json keeps object keys sorted) and its SHA-256 in
/// hex. The text is what is stored, so a record is serialized once for both.
pub fn canonical_text_and_hash(raw: &Value) -> (String, String) {
    let text = raw.to_string();
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    (text, hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hash(raw: &Value) -> String {
        canonical_text_and_hash(raw).1
    }

    #[test]
    fn key_order_does_not_matter_and_content_does() {
        let a: Value = serde_json::from_str(r#"{"id": 1, "name": "Chair"}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"name": "Chair", "id": 1}"#).unwrap();
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(hash(&a), hash(&json!({"id": 1, "name": "Table"})));
    }
}
