use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Parent, Record};
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

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: self.product_type == "variable" && self.variations > 0,
            date_modified_gmt: self.date_modified_gmt,
        })
    }
}
