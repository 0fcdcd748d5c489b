//! `product_attribute_terms`: A term of a global product attribute (such as Blue).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "product_attribute_terms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub attribute_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub woo_id: i64,
    pub name: String,
    pub slug: String,
    pub menu_order: i64,
    pub count: i64,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub content_hash: String,
    pub deleted_at: Option<DateTimeUtc>,
    pub synced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
