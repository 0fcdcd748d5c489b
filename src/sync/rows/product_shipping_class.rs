use entity::product_shipping_classes;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductShippingClass;

impl IntoRow for ProductShippingClass {
    type Entity = product_shipping_classes::Entity;

    fn into_model(self, row: RowContext) -> product_shipping_classes::Model {
        product_shipping_classes::Model {
            store_id: row.store_id,
            woo_id: self.id,
            name: self.name,
            slug: self.slug,
            count: self.count,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
