//! `tax_rates`: A tax rate.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tax_rates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub woo_id: i64,
    pub country: String,
    pub state: String,
    #[sea_orm(column_type = "Decimal(Some((24, 8)))")]
    pub rate: Option<Decimal>,
    pub name: String,
    pub priority: i64,
    pub compound: bool,
    pub shipping: bool,
    pub tax_class: String,
    pub rate_order: i64,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub content_hash: String,
    pub deleted_at: Option<DateTimeUtc>,
    pub synced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
