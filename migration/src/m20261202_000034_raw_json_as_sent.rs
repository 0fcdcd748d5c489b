//! On Postgres, a record's `raw` becomes `json` instead of `jsonb`: `json` keeps the text
//! as the store sent it (numbers such as `51.199999999999996`, key order, `\u0000`
//! escapes, which `jsonb` refuses), so the read API answers byte for byte what the store
//! said. SQLite keeps JSON as text already.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table that keeps records of a store.
pub(crate) const RECORD_TABLES: [&str; 20] = [
    "products",
    "product_variations",
    "orders",
    "order_refunds",
    "order_notes",
    "customers",
    "product_categories",
    "product_tags",
    "product_attributes",
    "product_attribute_terms",
    "product_reviews",
    "product_shipping_classes",
    "coupons",
    "tax_rates",
    "tax_classes",
    "shipping_zones",
    "shipping_zone_locations",
    "shipping_zone_methods",
    "shipping_methods",
    "payment_gateways",
];

pub(crate) async fn retype(manager: &SchemaManager<'_>, to: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let connection = manager.get_connection();
    for table in RECORD_TABLES {
        connection
            .execute_unprepared(&format!(
                "ALTER TABLE {table} ALTER COLUMN raw TYPE {to} USING raw::{to}"
            ))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        retype(manager, "json").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        retype(manager, "jsonb").await
    }
}
