//! On Postgres, a record's `raw` becomes `text`, as it is on SQLite. The worker has parsed
//! every record before it writes it, so `json`'s check of the text on every write was
//! done twice (see docs/performance.md). `text` keeps the text as sent, byte for byte,
//! as `json` did, and `raw::json` reads it as JSON at the cost `json` had, since a `json`
//! value is parsed again on every read anyway. A new type resets the column's
//! compression, so LZ4 is set again.

use sea_orm_migration::prelude::*;

use crate::m20261202_000034_raw_json_as_sent::retype;
use crate::m20261202_000043_raw_compressed_with_lz4::compress_with;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        retype(manager, "text").await?;
        compress_with(manager, "lz4").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        retype(manager, "json").await?;
        compress_with(manager, "lz4").await
    }
}
