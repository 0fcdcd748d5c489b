//! Webhooks as WooCommerce keeps and sends them: a ping on creation, deliveries signed with
//! HMAC-SHA256 over the raw body with every `X-WC-Webhook-*` header, `{"id": N}` for
//! deletions, and a webhook disabled after repeated failed deliveries (never retried).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What the store says it is in the `User-Agent` of its deliveries.
pub const USER_AGENT: &str = "WooCommerce/10.0.2 Hookshot (WordPress/6.8.8)";
/// Consecutive failed deliveries after which WooCommerce disables a webhook (the filter's
/// default is 5; the comparison in its code disables on the 7th).
pub const FAILURES_BEFORE_DISABLED: u32 = 6;

#[derive(Debug, Clone)]
pub struct SimWebhook {
    pub id: i64,
    pub name: String,
    pub topic: String,
    pub delivery_url: String,
    pub secret: String,
    pub status: String,
    /// Consecutive failures; re-activating a webhook does not reset it (as in WooCommerce).
    pub failure_count: u32,
    pub date_created_gmt: String,
    pub date_modified_gmt: String,
}

impl SimWebhook {
    pub fn to_json(&self, site_url: &str) -> Value {
        let (resource, event) = self.topic.split_once('.').unwrap_or((&self.topic, ""));
        json!({
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "topic": self.topic,
            "resource": resource,
            "event": event,
            "hooks": [format!("woocommerce_{resource}_{event}")],
            "delivery_url": self.delivery_url,
            "date_created": self.date_created_gmt,
            "date_created_gmt": self.date_created_gmt,
            "date_modified": self.date_modified_gmt,
            "date_modified_gmt": self.date_modified_gmt,
            "_links": {
                "self": [{"href": format!("{site_url}/wp-json/wc/v3/webhooks/{}", self.id)}],
                "collection": [{"href": format!("{site_url}/wp-json/wc/v3/webhooks")}],
            },
        })
    }
}

/// `X-WC-Webhook-Signature`: base64 of HMAC-SHA256 over the raw body, keyed with the secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts a key of any length");
    mac.update(body);
    BASE64.encode(mac.finalize().into_bytes())
}

/// `X-WC-Webhook-Delivery-ID`: a hash of the webhook id and the current second, so two
/// deliveries in one second share it (it is no idempotency key).
pub fn delivery_id(webhook_id: i64, unix_second: i64) -> String {
    let digest = Sha256::digest(format!("{webhook_id}{unix_second}").as_bytes());
    hex::encode(&digest[..16])
}

/// Sends the creation ping; WooCommerce refuses to create the webhook unless it gets a 200.
pub async fn ping(http: &reqwest::Client, url: &str, webhook_id: i64) -> Result<(), String> {
    let response = http
        .post(url)
        .header("User-Agent", USER_AGENT)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("webhook_id={webhook_id}"))
        .send()
        .await
        .map_err(|error| format!("Error: Delivery URL cannot be reached: {error}"))?;
    if response.status().as_u16() == 200 {
        Ok(())
    } else {
        Err(format!(
            "Error: Delivery URL returned response code: {}",
            response.status().as_u16()
        ))
    }
}

/// Sends one delivery; success is a 2xx or 3xx up to 302 (redirects are not followed).
pub async fn deliver(
    http: &reqwest::Client,
    site_url: &str,
    webhook: &SimWebhook,
    body: &[u8],
    unix_second: i64,
) -> bool {
    let (resource, event) = webhook
        .topic
        .split_once('.')
        .unwrap_or((&webhook.topic, ""));
    let response = http
        .post(&webhook.delivery_url)
        .header("User-Agent", USER_AGENT)
        .header("Content-Type", "application/json")
        .header("X-WC-Webhook-Source", format!("{site_url}/"))
        .header("X-WC-Webhook-Topic", &webhook.topic)
        .header("X-WC-Webhook-Resource", resource)
        .header("X-WC-Webhook-Event", event)
        .header("X-WC-Webhook-Signature", signature(&webhook.secret, body))
        .header("X-WC-Webhook-ID", webhook.id.to_string())
        .header(
            "X-WC-Webhook-Delivery-ID",
            delivery_id(webhook.id, unix_second),
        )
        .body(body.to_vec())
        .send()
        .await;
    matches!(response, Ok(response) if (200..=302).contains(&response.status().as_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_the_captured_deliveries() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/woocommerce");
        for name in ["webhook-product.updated.json", "webhook-order.created.json"] {
            let Ok(text) = std::fs::read_to_string(format!("{dir}/{name}")) else {
                panic!("the capture {name} is missing from {dir}");
            };
            let capture: Value = serde_json::from_str(&text).unwrap();
            let body = capture["body"].as_str().unwrap();
            assert_eq!(
                signature("whsec_local_test_secret", body.as_bytes()),
                capture["headers"]["X-WC-Webhook-Signature"]
                    .as_str()
                    .unwrap(),
                "{name}"
            );
        }
    }
}
