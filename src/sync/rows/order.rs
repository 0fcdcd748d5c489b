use entity::orders;

use super::{IntoRow, RowContext};
use crate::woo::records::Order;

impl IntoRow for Order {
    type Entity = orders::Entity;

    fn into_model(self, row: RowContext) -> orders::Model {
        orders::Model {
            store_id: row.store_id,
            woo_id: self.id,
            parent_id: self.parent_id,
            number: self.number,
            status: self.status,
            currency: self.currency,
            total: self.total,
            total_tax: self.total_tax,
            discount_total: self.discount_total,
            shipping_total: self.shipping_total,
            customer_id: self.customer_id,
            billing_email: self.billing.and_then(|billing| billing.email),
            payment_method: self.payment_method,
            refund_count: self.refunds.map_or(0, |refunds| refunds.len() as i32),
            date_created_gmt: self.date_created_gmt,
            date_modified_gmt: self.date_modified_gmt,
            date_paid_gmt: self.date_paid_gmt,
            date_completed_gmt: self.date_completed_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
