//! Creates `sync_watermarks`: How far incremental syncs of a resource have come: advanced only when a run completes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::belongs_to_store;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SyncWatermarks::Table)
            .if_not_exists()
            .col(big_integer(SyncWatermarks::StoreId))
            .col(string(SyncWatermarks::Resource))
            .col(timestamp_with_time_zone(SyncWatermarks::Watermark))
            .col(big_integer(SyncWatermarks::RunId))
            .col(timestamp_with_time_zone(SyncWatermarks::UpdatedAt));
        table.primary_key(
            Index::create()
                .col(SyncWatermarks::StoreId)
                .col(SyncWatermarks::Resource),
        );
        table.foreign_key(&mut belongs_to_store(
            SyncWatermarks::Table,
            SyncWatermarks::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncWatermarks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SyncWatermarks {
    Table,
    StoreId,
    Resource,
    Watermark,
    RunId,
    UpdatedAt,
}
