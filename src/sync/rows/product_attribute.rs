use entity::product_attributes;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductAttribute;

impl IntoRow for ProductAttribute {
    type Entity = product_attributes::Entity;

    fn into_model(self, row: RowContext) -> product_attributes::Model {
        product_attributes::Model {
            store_id: row.store_id,
            woo_id: self.id,
            name: self.name,
            slug: self.slug,
            attribute_type: self.attribute_type,
            order_by: self.order_by,
            has_archives: self.has_archives,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
