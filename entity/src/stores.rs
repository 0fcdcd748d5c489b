//! `stores`: A connected WooCommerce store and how to reach it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "stores")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub url: String,
    pub auth_mode: String,
    pub oauth_signature_method: String,
    pub consumer_key: String,
    #[sea_orm(column_type = "Text")]
    pub consumer_secret_enc: String,
    #[sea_orm(column_type = "Text")]
    pub webhook_secret_enc: Option<String>,
    pub rate_limit_per_s: f64,
    pub status: String,
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
