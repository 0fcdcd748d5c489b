//! `stores`: A connected WooCommerce store and how to reach it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
pub use woocommerce::{AuthMode, SignatureMethod};

/// Where a store stands; anything but `Active` stops its syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum StoreStatus {
    Active,
    /// The store refused the key: it was revoked, or lost its rights.
    AuthFailed,
    /// The store answers, but not its REST API.
    RestDisabled,
    /// Paused by an operator.
    Paused,
}

impl StoreStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreStatus::Active => "active",
            StoreStatus::AuthFailed => "auth_failed",
            StoreStatus::RestDisabled => "rest_disabled",
            StoreStatus::Paused => "paused",
        }
    }
}

impl std::fmt::Display for StoreStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "stores")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub url: String,
    pub auth_mode: AuthMode,
    pub oauth_signature_method: SignatureMethod,
    pub consumer_key: String,
    #[sea_orm(column_type = "Text")]
    pub consumer_secret_enc: String,
    #[sea_orm(column_type = "Text")]
    pub webhook_secret_enc: Option<String>,
    pub rate_limit_per_s: f64,
    pub status: StoreStatus,
    #[sea_orm(column_type = "Text")]
    pub status_reason: Option<String>,
    pub wc_version: Option<String>,
    pub wp_version: Option<String>,
    pub currency: Option<String>,
    pub backfill_order_notes: bool,
    /// The store's `woocommerce_notify_low_stock_amount`, or WooCommerce's default of 2.
    pub low_stock_amount: i64,
    /// Why `low_stock_amount` is the default and not the store's own setting.
    #[sea_orm(column_type = "Text")]
    pub low_stock_amount_note: Option<String>,
    pub poll_cron: Option<String>,
    pub sweep_cron: Option<String>,
    pub refresh_cron: Option<String>,
    pub connected_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
