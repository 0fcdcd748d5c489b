//! `sync_run_children`: A parent whose children a sync run asked for (done once it has a
//! `sync_run_children_done` row).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sync_run_children")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: i64,
    /// The child resource (`product_variations`, `order_refunds`, ...).
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource: Resource,
    #[sea_orm(primary_key, auto_increment = false)]
    pub parent_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
