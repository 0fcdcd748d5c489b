use entity::shipping_zone_methods;

use super::{IntoRow, RowContext};
use crate::woo::records::ShippingZoneMethod;

impl IntoRow for ShippingZoneMethod {
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
