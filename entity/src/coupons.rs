//! `coupons`: A coupon.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "coupons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub woo_id: i64,
    pub code: String,
    pub status: Option<String>,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub amount: Option<Decimal>,
    pub discount_type: String,
    pub usage_count: i64,
    pub usage_limit: Option<i64>,
    pub date_expires_gmt: Option<DateTimeUtc>,
    pub date_created_gmt: Option<DateTimeUtc>,
    pub date_modified_gmt: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub content_hash: String,
    pub deleted_at: Option<DateTimeUtc>,
    pub synced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
