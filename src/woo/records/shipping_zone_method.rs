use entity::shipping_zone_methods;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A shipping method instance of a zone, listed under its zone; keyed by its instance id.
#[derive(Debug, Deserialize)]
pub struct ShippingZoneMethod {
    #[serde(deserialize_with = "lenient::id")]
    pub instance_id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub method_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for ShippingZoneMethod {
    const RESOURCE: Resource = Resource::ShippingZoneMethods;
    type Entity = shipping_zone_methods::Entity;

    fn into_model(self, row: RowContext) -> shipping_zone_methods::Model {
        shipping_zone_methods::Model {
            store_id: row.store_id,
            zone_id: row.parent_id,
            woo_id: self.instance_id,
            method_id: self.method_id,
            title: self.title,
            enabled: self.enabled,
            method_order: self.order,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
