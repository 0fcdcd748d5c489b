use entity::product_attribute_terms;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductAttributeTerm;

impl IntoRow for ProductAttributeTerm {
    type Entity = product_attribute_terms::Entity;

    fn into_model(self, row: RowContext) -> product_attribute_terms::Model {
        product_attribute_terms::Model {
            store_id: row.store_id,
            attribute_id: row.parent_id,
            woo_id: self.id,
            name: self.name,
            slug: self.slug,
            menu_order: self.menu_order,
            count: self.count,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
