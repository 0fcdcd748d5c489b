//! `connect_attempts`: A one-click connect under way, or done.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "connect_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the token the callback's `user_id` carries.
    pub token_hash: String,
    #[sea_orm(column_type = "Text")]
    pub store_url: String,
    /// Where the merchant is sent back.
    #[sea_orm(column_type = "Text")]
    pub return_url: String,
    /// `read` or `read_write`.
    pub scope: String,
    pub name: Option<String>,
    pub rate_limit: Option<f64>,
    pub backfill_order_notes: Option<bool>,
    /// The store connected by it.
    pub store_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When its callback was taken: it is used once.
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
