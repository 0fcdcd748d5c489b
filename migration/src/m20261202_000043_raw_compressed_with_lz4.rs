//! On Postgres, a record's `raw` is compressed with LZ4 instead of pglz where the server
//! has it (Postgres 14 and later, built with LZ4): an order's JSON is a few kilobytes,
//! past the size Postgres compresses, and pglz took most of the time of writing a page of
//! orders. Values already stored keep their compression until rewritten.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

use crate::m20261202_000034_raw_json_as_sent::RECORD_TABLES;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) async fn compress_with(manager: &SchemaManager<'_>, method: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let connection = manager.get_connection();
    let has_lz4 = connection
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' \
             AND 'lz4' = ANY(enumvals)",
        ))
        .await?
        .is_some();
    if !has_lz4 {
        return Ok(());
    }
    for table in RECORD_TABLES {
        connection
            .execute_unprepared(&format!(
                "ALTER TABLE {table} ALTER COLUMN raw SET COMPRESSION {method}"
            ))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        compress_with(manager, "lz4").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        compress_with(manager, "default").await
    }
}
