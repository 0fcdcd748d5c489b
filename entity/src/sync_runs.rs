//! `sync_runs`: One sync of one resource of one store: a backfill, an incremental poll or a reconcile sweep.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sync_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub resource: String,
    pub kind: String,
    pub status: String,
    pub since: Option<DateTimeUtc>,
    pub pages_done: i64,
    pub pages_total: Option<i64>,
    pub records_written: i64,
    /// Records it could not parse or store, set aside in `quarantined_records`.
    pub records_quarantined: i64,
    pub error_count: i64,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// When its listing (and its sweep) ended; it succeeds once its children are in too.
    pub listed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
