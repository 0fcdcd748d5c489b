//! `sweep_listings`: A page of ids an ID sweep has listed, kept until the sweep ends.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sweep_listings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub page: i64,
    /// The pages the store said the listing has, if it said.
    pub total_pages: Option<i64>,
    /// Whether the page came back full, so another may follow.
    pub full: bool,
    pub listed_at: DateTimeUtc,
    /// The page's records as JSON `[[id, modified (Unix seconds) or null], ...]`.
    #[sea_orm(column_type = "Text")]
    pub records: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
