use entity::payment_gateways;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A payment gateway; its id is a string such as bacs.
#[derive(Debug, Deserialize)]
pub struct PaymentGateway {
    #[serde(deserialize_with = "lenient::text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "lenient::text")]
    pub method_title: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for PaymentGateway {
    const RESOURCE: Resource = Resource::PaymentGateways;
    type Entity = payment_gateways::Entity;

    fn into_model(self, row: RowContext) -> payment_gateways::Model {
        payment_gateways::Model {
            store_id: row.store_id,
            woo_id: self.id,
            title: self.title,
            enabled: self.enabled,
            method_title: self.method_title,
            gateway_order: self.order,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
