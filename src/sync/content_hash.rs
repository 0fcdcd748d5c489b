//! The content hash of a record: equal for equal JSON, whatever the key order.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 of the record's canonical JSON (serde_json keeps object keys sorted), in hex.
pub fn content_hash(raw: &Value) -> String {
    let mut hasher = Sha256::new();
    // Writing a Value into a hasher cannot fail: the writer never errors.
    serde_json::to_writer(HashWriter(&mut hasher), raw).expect("hashing JSON cannot fail");
    hex::encode(hasher.finalize())
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter_and_content_does() {
        let a: Value = serde_json::from_str(r#"{"id": 1, "name": "Chair"}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"name": "Chair", "id": 1}"#).unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(
            content_hash(&a),
            content_hash(&json!({"id": 1, "name": "Table"}))
        );
    }
}
