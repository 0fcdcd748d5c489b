//! `webhook_deliveries`: A webhook delivery received, kept for de-duplication and audit.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub topic: String,
    pub woo_id: Option<i64>,
    pub date_modified_gmt: Option<DateTimeUtc>,
    pub dedupe_key: String,
    pub delivery_id: Option<String>,
    pub outcome: String,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
