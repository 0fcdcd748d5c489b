use entity::product_categories;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductCategory;

impl IntoRow for ProductCategory {
    type Entity = product_categories::Entity;

    fn into_model(self, row: RowContext) -> product_categories::Model {
        product_categories::Model {
            store_id: row.store_id,
            woo_id: self.id,
            parent_id: self.parent,
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
