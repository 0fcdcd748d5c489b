use entity::shipping_zones;

use super::{IntoRow, RowContext};
use crate::woo::records::ShippingZone;

impl IntoRow for ShippingZone {
    type Entity = shipping_zones::Entity;

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
