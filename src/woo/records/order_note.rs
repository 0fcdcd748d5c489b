use chrono::{DateTime, Utc};
use entity::order_notes;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A note on an order, listed under its order.
#[derive(Debug, Deserialize)]
pub struct OrderNote {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub author: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub customer_note: bool,
    #[serde(default, deserialize_with = "lenient::text")]
    pub note: String,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
}

impl Record for OrderNote {
    const RESOURCE: Resource = Resource::OrderNotes;
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
