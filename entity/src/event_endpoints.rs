//! `event_endpoints`: A consumer that receives the change feed as signed webhooks.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether an endpoint receives events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum EndpointStatus {
    Active,
    /// Paused by a person; events wait for it.
    Paused,
    /// Failing for longer than deliveries are retried; events wait for it.
    Disabled,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointStatus::Active => "active",
            EndpointStatus::Paused => "paused",
            EndpointStatus::Disabled => "disabled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "event_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    /// JSON array of the event types it takes; none for all.
    #[sea_orm(column_type = "Text")]
    pub types: Option<String>,
    /// JSON array of the stores whose events it takes; none for all.
    #[sea_orm(column_type = "Text")]
    pub store_ids: Option<String>,
    /// The signing secret, sealed.
    #[sea_orm(column_type = "Text")]
    pub secret_enc: String,
    pub status: EndpointStatus,
    #[sea_orm(column_type = "Text")]
    pub status_reason: Option<String>,
    /// Every event up to this position is delivered (or not for it).
    pub cursor: i64,
    /// Every event up to this position has been read: delivered, or waiting in
    /// `event_deliveries` for a retry.
    pub read_through: i64,
    /// Since when its oldest undelivered event has been failing.
    pub failing_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
