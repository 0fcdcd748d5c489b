use entity::product_variations;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductVariation;

impl IntoRow for ProductVariation {
    type Entity = product_variations::Entity;

    fn into_model(self, row: RowContext) -> product_variations::Model {
        product_variations::Model {
            store_id: row.store_id,
            product_id: row.parent_id,
            woo_id: self.id,
            sku: self.sku,
            status: self.status,
            price: self.price,
            regular_price: self.regular_price,
            sale_price: self.sale_price,
            manage_stock: self.manage_stock,
            stock_quantity: self.stock_quantity,
            stock_status: self.stock_status,
            backorders: self.backorders,
            low_stock_amount: self.low_stock_amount,
            date_created_gmt: self.date_created_gmt,
            date_modified_gmt: self.date_modified_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
