//! Creates `sync_runs`: One sync of one resource of one store: a backfill, an incremental poll or a reconcile sweep.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SyncRuns::Table)
            .if_not_exists()
            .col(big_pk_auto(SyncRuns::Id))
            .col(big_integer(SyncRuns::StoreId))
            .col(string(SyncRuns::Resource))
            .col(string(SyncRuns::Kind))
            .col(string(SyncRuns::Status))
            .col(timestamp_with_time_zone_null(SyncRuns::Since))
            .col(big_integer(SyncRuns::PagesDone))
            .col(big_integer_null(SyncRuns::PagesTotal))
            .col(big_integer(SyncRuns::RecordsWritten))
            .col(big_integer(SyncRuns::ErrorCount))
            .col(text_null(SyncRuns::LastError))
            .col(timestamp_with_time_zone(SyncRuns::CreatedAt))
            .col(timestamp_with_time_zone_null(SyncRuns::StartedAt))
            .col(timestamp_with_time_zone_null(SyncRuns::FinishedAt));
        table.foreign_key(&mut belongs_to_store(SyncRuns::Table, SyncRuns::StoreId));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_sync_runs_store_id_resource_status",
                SyncRuns::Table,
                [SyncRuns::StoreId, SyncRuns::Resource, SyncRuns::Status],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_sync_runs_status",
                SyncRuns::Table,
                [SyncRuns::Status],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
    StoreId,
    Resource,
    Kind,
    Status,
    Since,
    PagesDone,
    PagesTotal,
    RecordsWritten,
    ErrorCount,
    LastError,
    CreatedAt,
    StartedAt,
    FinishedAt,
}
