use entity::order_notes;

use super::{IntoRow, RowContext};
use crate::woo::records::OrderNote;

impl IntoRow for OrderNote {
    type Entity = order_notes::Entity;

    fn into_model(self, row: RowContext) -> order_notes::Model {
        order_notes::Model {
            store_id: row.store_id,
            order_id: row.parent_id,
            woo_id: self.id,
            author: self.author,
            customer_note: self.customer_note,
            note: self.note,
            date_created_gmt: self.date_created_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
