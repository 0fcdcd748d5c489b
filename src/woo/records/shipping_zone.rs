use entity::shipping_zones;
use serde::Deserialize;

use super::{Parent, Record, RowContext};
use crate::woo::{Resource, lenient};

/// A shipping zone (zone 0 is "everywhere else").
#[derive(Debug, Deserialize)]
pub struct ShippingZone {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for ShippingZone {
    const RESOURCE: Resource = Resource::ShippingZones;
    type Entity = shipping_zones::Entity;

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: true,
            date_modified_gmt: None,
        })
    }

    fn into_model(self, row: RowContext) -> shipping_zones::Model {
        shipping_zones::Model {
            store_id: row.store_id,
            woo_id: self.id,
            name: self.name,
            zone_order: self.order,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
