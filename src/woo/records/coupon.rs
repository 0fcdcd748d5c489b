use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A coupon.
#[derive(Debug, Deserialize)]
pub struct Coupon {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: String,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub discount_type: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub usage_count: i64,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub usage_limit: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_expires_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
}

impl Record for Coupon {
    const RESOURCE: Resource = Resource::Coupons;
}
