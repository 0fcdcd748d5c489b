//! `inventory`: a read-only view of the stock of every product and variation.
//! A product's own row has `variation_id` 0.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "inventory")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub variation_id: i64,
    pub sku: Option<String>,
    pub stock_quantity: Option<i64>,
    pub stock_status: Option<String>,
    pub manage_stock: bool,
    pub backorders: Option<String>,
    pub low_stock_amount: Option<i64>,
    pub low_stock: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
