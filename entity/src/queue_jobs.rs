//! `queue_jobs`: A job of the embedded queue (the SQLite queue used without REDIS_URL); times in ms since the epoch.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "queue_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub queue: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub crashes: i32,
    pub dedupe_key: Option<String>,
    /// Unix ms until which `dedupe_key` is held whatever the job's state, if it has a window.
    pub dedupe_until: Option<i64>,
    pub store_id: Option<i64>,
    pub run_at: i64,
    pub worker: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub history: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
