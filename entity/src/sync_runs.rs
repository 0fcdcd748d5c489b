//! `sync_runs`: One sync of one resource of one store: a backfill, an incremental poll or a reconcile sweep.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use woocommerce::Resource;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum RunKind {
    /// Every record, paged by id, then a reconcile sweep.
    Backfill,
    /// What changed since the watermark (or, without a modified filter, a full listing
    /// compared by content), then, where needed, a sweep for deletions.
    Incremental,
    /// Ids and modified dates only, fetching what is missing or newer.
    Sweep,
}

/// Where a run stands: queued, running, then succeeded or failed (a failed run may be
/// resumed, and run again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Backfill => "backfill",
            RunKind::Incremental => "incremental",
            RunKind::Sweep => "sweep",
        }
    }

    pub fn parse(name: &str) -> Option<RunKind> {
        [RunKind::Backfill, RunKind::Incremental, RunKind::Sweep]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }

    /// Whether the run is over (it may still be resumed if it failed).
    pub fn is_finished(self) -> bool {
        matches!(self, RunStatus::Succeeded | RunStatus::Failed)
    }
}

impl std::fmt::Display for RunKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sync_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub resource: Resource,
    pub kind: RunKind,
    pub status: RunStatus,
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
    /// Whether what it writes makes events: not for a store's first backfill of a
    /// resource, which ends with one `sync.backfill_completed` instead.
    pub emits_events: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
