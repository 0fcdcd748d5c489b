//! Creates `queue_workers`: A worker of the embedded queue and its last heartbeat (ms since the epoch).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(QueueWorkers::Table)
            .if_not_exists()
            .col(string(QueueWorkers::Name))
            .col(big_integer(QueueWorkers::Heartbeat));
        table.primary_key(Index::create().col(QueueWorkers::Name));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QueueWorkers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum QueueWorkers {
    Table,
    Name,
    Heartbeat,
}
