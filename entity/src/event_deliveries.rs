//! `event_deliveries`: An endpoint's delivery log: each event sent to it, how it went.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How the delivery of an event to an endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// The endpoint answered 2xx.
    Delivered,
    /// The last attempt failed; `next_attempt_at` says when the next is.
    Failing,
    /// Not sent yet: an earlier event of the same record is failing.
    Waiting,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "event_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub response_code: Option<i32>,
    pub latency_ms: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub last_attempt_at: DateTimeUtc,
    pub next_attempt_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
