//! `quarantined_records`: A record a store sent that could not be parsed or stored, kept with its raw text and the reason.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "quarantined_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub resource: Resource,
    pub woo_id: Option<String>,
    /// The parent it was listed under (0 for a top-level resource).
    pub parent_id: i64,
    pub run_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
