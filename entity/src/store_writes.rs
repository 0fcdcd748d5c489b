//! `store_writes`: A write to a store made through the queue, exactly once.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a write is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum WriteState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl WriteState {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteState::Queued => "queued",
            WriteState::Running => "running",
            WriteState::Succeeded => "succeeded",
            WriteState::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "store_writes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    /// Such as `create_order` or `set_stock`.
    pub operation: String,
    /// The record updated, or once known the record created.
    pub record_id: Option<i64>,
    /// The product of a variation; 0 otherwise.
    pub parent_id: i64,
    pub idempotency_key: String,
    /// A hash of the operation and body, to tell a repeated request from another one
    /// under the same key.
    pub request_hash: String,
    /// The body as received: WooCommerce's JSON for the resource.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub state: WriteState,
    pub attempts: i32,
    /// When a request that changes the store was first sent: from then on, a retry must
    /// find out what it did before it sends again.
    pub sent_at: Option<DateTimeUtc>,
    /// The store's own clock just before that request, the start of the window the
    /// retry looks in.
    pub store_clock_at_send: Option<DateTimeUtc>,
    /// JSON: the steps of a write of several requests done so far (stock items, notes).
    #[sea_orm(column_type = "Text")]
    pub progress: Option<String>,
    /// JSON: the store's record once succeeded (the items, for stock).
    #[sea_orm(column_type = "Text")]
    pub result: Option<String>,
    /// WooCommerce's error code once failed (or woosync's own, such as `conflict`).
    pub error_code: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub error_message: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
