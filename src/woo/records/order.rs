use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::{Parent, Record};
use crate::woo::{Resource, lenient};

/// An order. Its `refunds` list says whether there are refunds to fetch.
#[derive(Debug, Deserialize)]
pub struct Order {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub parent_id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub number: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub currency: String,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub total: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub total_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub discount_total: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub shipping_total: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub customer_id: i64,
    #[serde(default)]
    pub billing: Option<Billing>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payment_method: Option<String>,
    #[serde(default)]
    pub refunds: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_paid_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_completed_gmt: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
pub struct Billing {
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub email: Option<String>,
}

impl Record for Order {
    const RESOURCE: Resource = Resource::Orders;

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: self
                .refunds
                .as_ref()
                .is_some_and(|refunds| !refunds.is_empty()),
            date_modified_gmt: self.date_modified_gmt,
        })
    }
}
