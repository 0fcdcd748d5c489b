use entity::tax_classes;

use super::{IntoRow, RowContext};
use crate::woo::records::TaxClass;

impl IntoRow for TaxClass {
    type Entity = tax_classes::Entity;

    fn into_model(self, row: RowContext) -> tax_classes::Model {
        tax_classes::Model {
            store_id: row.store_id,
            slug: self.slug,
            name: self.name,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
