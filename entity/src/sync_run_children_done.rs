//! `sync_run_children_done`: A parent whose children a sync run asked for, with its children
//! written: by the job that wrote them, apart from the page's row that asked for them.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sync_run_children_done")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: i64,
    /// The child resource (`product_variations`, `order_refunds`, ...).
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource: Resource,
    #[sea_orm(primary_key, auto_increment = false)]
    pub parent_id: i64,
    /// Children the store listed under the parent.
    pub records: i64,
    pub done_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
