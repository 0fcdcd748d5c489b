use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::Record;
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
}
