use entity::order_refunds;

use super::{IntoRow, RowContext};
use crate::woo::records::OrderRefund;

impl IntoRow for OrderRefund {
    type Entity = order_refunds::Entity;

    fn into_model(self, row: RowContext) -> order_refunds::Model {
        order_refunds::Model {
            store_id: row.store_id,
            order_id: row.parent_id,
            woo_id: self.id,
            amount: self.amount,
            reason: self.reason,
            refunded_by: self.refunded_by,
            refunded_payment: self.refunded_payment,
            date_created_gmt: self.date_created_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
