//! `order_refunds`: A refund of an order.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_refunds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub woo_id: i64,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub amount: Option<Decimal>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub refunded_by: Option<i64>,
    pub refunded_payment: bool,
    pub date_created_gmt: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub content_hash: String,
    pub deleted_at: Option<DateTimeUtc>,
    pub synced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
