//! `sync_checkpoints`: A page of a sync run whose rows are written: committed in the same transaction as the rows.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sync_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub page: i64,
    pub store_id: i64,
    pub resource: Resource,
    pub records: i64,
    pub written_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
