use entity::shipping_zone_locations;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A location of a zone (a country, state, postcode or continent), listed under its zone. It has no id: its code and type are its key.
#[derive(Debug, Deserialize)]
pub struct ShippingZoneLocation {
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: String,
    #[serde(default, rename = "type", deserialize_with = "lenient::text")]
    pub location_type: String,
}

impl Record for ShippingZoneLocation {
    const RESOURCE: Resource = Resource::ShippingZoneLocations;
    type Entity = shipping_zone_locations::Entity;

    fn into_model(self, row: RowContext) -> shipping_zone_locations::Model {
        shipping_zone_locations::Model {
            store_id: row.store_id,
            zone_id: row.parent_id,
            location_type: self.location_type,
            code: self.code,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
