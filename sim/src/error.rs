//! WooCommerce's error answers: `{"code", "message", "data": {"status"}}`.

use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub struct SimError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// What WordPress adds under `data` besides the status (a refused parameter's
    /// details, the holder of a duplicate SKU).
    pub data: serde_json::Map<String, serde_json::Value>,
}

impl SimError {
    pub fn new(status: u16, code: &str, message: &str) -> SimError {
        SimError {
            status,
            code: code.into(),
            message: message.into(),
            data: serde_json::Map::new(),
        }
    }

    /// The error with `key` added under `data`.
    pub fn with_data(mut self, key: &str, value: serde_json::Value) -> SimError {
        self.data.insert(key.into(), value);
        self
    }

    pub fn no_route() -> SimError {
        SimError::new(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        )
    }

    pub fn invalid_id(kind: &str) -> SimError {
        SimError::new(
            404,
            &format!("woocommerce_rest_{kind}_invalid_id"),
            "Invalid ID.",
        )
    }

    pub fn cannot_view(listing: bool) -> SimError {
        let message = if listing {
            "Sorry, you cannot list resources."
        } else {
            "Sorry, you cannot view this resource."
        };
        SimError::new(401, "woocommerce_rest_cannot_view", message)
    }

    pub fn authentication(message: &str) -> SimError {
        SimError::new(401, "woocommerce_rest_authentication_error", message)
    }

    pub fn body(&self) -> String {
        let mut data = serde_json::Map::new();
        data.insert("status".into(), json!(self.status));
        data.extend(self.data.clone());
        json!({"code": self.code, "message": self.message, "data": data}).to_string()
    }
}
