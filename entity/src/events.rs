//! `events`: The change feed: one row per change applied, written in the change's own
//! transaction; its id is the feed position.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    /// Such as `orders.updated`, `order.status_changed` or `sync.backfill_completed`.
    #[sea_orm(column_name = "type")]
    pub kind: String,
    pub resource: Option<Resource>,
    /// The record's id (its slug, or type and code, where WooCommerce keys it so).
    pub record_id: Option<String>,
    /// The parent a child record is listed under; 0 for others.
    pub parent_id: i64,
    /// JSON: the record as held after the change, or what a `sync.*` event says.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// JSON: what the event type defines of the state before (a previous status, ...).
    #[sea_orm(column_type = "Text")]
    pub previous: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
