use entity::coupons;

use super::{IntoRow, RowContext};
use crate::woo::records::Coupon;

impl IntoRow for Coupon {
    type Entity = coupons::Entity;

    fn into_model(self, row: RowContext) -> coupons::Model {
        coupons::Model {
            store_id: row.store_id,
            woo_id: self.id,
            code: self.code,
            status: self.status,
            amount: self.amount,
            discount_type: self.discount_type,
            usage_count: self.usage_count,
            usage_limit: self.usage_limit,
            date_expires_gmt: self.date_expires_gmt,
            date_created_gmt: self.date_created_gmt,
            date_modified_gmt: self.date_modified_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
