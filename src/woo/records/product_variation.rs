use chrono::{DateTime, Utc};
use entity::product_variations;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A variation of a variable product. Its `manage_stock` may be `"parent"`: the stock is
/// managed, on the product, and `stock_quantity` shows the product's.
#[derive(Debug, Deserialize)]
pub struct ProductVariation {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub sku: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub regular_price: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub sale_price: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub manage_stock: bool,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub stock_quantity: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub stock_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub backorders: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub low_stock_amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
}

impl Record for ProductVariation {
    const RESOURCE: Resource = Resource::ProductVariations;
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
