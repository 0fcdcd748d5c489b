use entity::product_tags;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductTag;

impl IntoRow for ProductTag {
    type Entity = product_tags::Entity;

    fn into_model(self, row: RowContext) -> product_tags::Model {
        product_tags::Model {
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
