use entity::shipping_zone_locations;

use super::{IntoRow, RowContext};
use crate::woo::records::ShippingZoneLocation;

impl IntoRow for ShippingZoneLocation {
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
