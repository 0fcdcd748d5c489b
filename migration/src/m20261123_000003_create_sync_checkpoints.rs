//! Creates `sync_checkpoints`: A page of a sync run whose rows are written: committed in the same transaction as the rows.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::belongs_to_store;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SyncCheckpoints::Table)
            .if_not_exists()
            .col(big_integer(SyncCheckpoints::RunId))
            .col(big_integer(SyncCheckpoints::Page))
            .col(big_integer(SyncCheckpoints::StoreId))
            .col(string(SyncCheckpoints::Resource))
            .col(big_integer(SyncCheckpoints::Records))
            .col(timestamp_with_time_zone(SyncCheckpoints::WrittenAt));
        table.primary_key(
            Index::create()
                .col(SyncCheckpoints::RunId)
                .col(SyncCheckpoints::Page),
        );
        table.foreign_key(&mut belongs_to_store(
            SyncCheckpoints::Table,
            SyncCheckpoints::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncCheckpoints::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SyncCheckpoints {
    Table,
    RunId,
    Page,
    StoreId,
    Resource,
    Records,
    WrittenAt,
}
