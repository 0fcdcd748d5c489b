//! `product_variations`: A variation of a variable product.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "product_variations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub woo_id: i64,
    pub sku: Option<String>,
    pub status: String,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub price: Option<Decimal>,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub regular_price: Option<Decimal>,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub sale_price: Option<Decimal>,
    pub manage_stock: bool,
    pub stock_quantity: Option<i64>,
    pub stock_status: Option<String>,
    pub backorders: Option<String>,
    pub low_stock_amount: Option<i64>,
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
