use entity::products;

use super::{IntoRow, RowContext};
use crate::woo::records::Product;

impl IntoRow for Product {
    type Entity = products::Entity;

    fn into_model(self, row: RowContext) -> products::Model {
        products::Model {
            store_id: row.store_id,
            woo_id: self.id,
            parent_id: self.parent_id,
            name: self.name,
            slug: self.slug,
            product_type: self.product_type,
            status: self.status,
            sku: self.sku,
            price: self.price,
            regular_price: self.regular_price,
            sale_price: self.sale_price,
            manage_stock: self.manage_stock,
            stock_quantity: self.stock_quantity,
            stock_status: self.stock_status,
            backorders: self.backorders,
            low_stock_amount: self.low_stock_amount,
            total_sales: self.total_sales,
            date_created_gmt: self.date_created_gmt,
            date_modified_gmt: self.date_modified_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
