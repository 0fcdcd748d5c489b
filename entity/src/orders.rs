//! `orders`: An order.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub woo_id: i64,
    pub parent_id: i64,
    pub number: String,
    pub status: String,
    pub currency: String,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub total: Option<Decimal>,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub total_tax: Option<Decimal>,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub discount_total: Option<Decimal>,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub shipping_total: Option<Decimal>,
    pub customer_id: i64,
    pub billing_email: Option<String>,
    pub payment_method: Option<String>,
    pub refund_count: i32,
    pub date_created_gmt: Option<DateTimeUtc>,
    pub date_modified_gmt: Option<DateTimeUtc>,
    pub date_paid_gmt: Option<DateTimeUtc>,
    pub date_completed_gmt: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub content_hash: String,
    pub deleted_at: Option<DateTimeUtc>,
    pub synced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
