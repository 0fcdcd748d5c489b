use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A refund, listed under its order.
#[derive(Debug, Deserialize)]
pub struct OrderRefund {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub refunded_by: Option<i64>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub refunded_payment: bool,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
}

impl Record for OrderRefund {
    const RESOURCE: Resource = Resource::OrderRefunds;
}
