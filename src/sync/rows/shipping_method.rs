use entity::shipping_methods;

use super::{IntoRow, RowContext};
use crate::woo::records::ShippingMethod;

impl IntoRow for ShippingMethod {
    type Entity = shipping_methods::Entity;

    fn into_model(self, row: RowContext) -> shipping_methods::Model {
        shipping_methods::Model {
            store_id: row.store_id,
            woo_id: self.id,
            title: self.title,
            description: self.description,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
