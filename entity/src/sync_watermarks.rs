//! `sync_watermarks`: How far incremental syncs of a resource have come: advanced only when a run completes.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sync_watermarks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource: Resource,
    pub watermark: DateTimeUtc,
    pub run_id: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
