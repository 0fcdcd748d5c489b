use chrono::{DateTime, Utc};
use entity::order_refunds;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Record, RowContext};
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
    type Entity = order_refunds::Entity;

    fn into_model(self, row: RowContext) -> order_refunds::Model {
        order_refunds::Model {
            store_id: row.store_id,
            order_id: row.parent_id,
            woo_id: self.id,
            amount: self.amount,
            reason: self.reason,
            refunded_by: self.refunded_by,
            refunded_payment: self.refunded_payment,
            date_created_gmt: self.date_created_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
