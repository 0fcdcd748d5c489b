use chrono::{DateTime, Utc};
use entity::products;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Parent, Record, RowContext};
use crate::woo::{Resource, lenient};

/// A product: simple, variable, grouped or external.
#[derive(Debug, Deserialize)]
pub struct Product {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub parent_id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, rename = "type", deserialize_with = "lenient::text")]
    pub product_type: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub sku: Option<String>,
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
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub total_sales: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
    /// How many variations a variable product lists.
    #[serde(default, deserialize_with = "lenient::list_len")]
    pub variations: usize,
}

impl Record for Product {
    const RESOURCE: Resource = Resource::Products;
    type Entity = products::Entity;

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: self.product_type == "variable" && self.variations > 0,
            date_modified_gmt: self.date_modified_gmt,
        })
    }

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
