use chrono::{DateTime, Utc};
use entity::coupons;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Record, RowContext};
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
