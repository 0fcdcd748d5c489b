//! Creates `sync_run_children`: the parents whose children a run asked for (a variable
//! product's variations, an order's refunds and notes), each marked done in the
//! transaction that writes its children; and `sync_runs.listed_at`, when the run's own
//! listing (and its sweep) ended. A run succeeds once both are done, so it says
//! `succeeded` only when everything it started is written.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SyncRunChildren::Table)
            .if_not_exists()
            .col(big_integer(SyncRunChildren::RunId))
            .col(string(SyncRunChildren::Resource))
            .col(big_integer(SyncRunChildren::ParentId))
            .col(big_integer(SyncRunChildren::Records).default(0))
            .col(timestamp_with_time_zone_null(SyncRunChildren::DoneAt));
        table.primary_key(
            Index::create()
                .col(SyncRunChildren::RunId)
                .col(SyncRunChildren::Resource)
                .col(SyncRunChildren::ParentId),
        );
        table.foreign_key(
            ForeignKey::create()
                .from(SyncRunChildren::Table, SyncRunChildren::RunId)
                .to(SyncRuns::Table, SyncRuns::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
        manager.create_table(table).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SyncRuns::Table)
                    .add_column(timestamp_with_time_zone_null(SyncRuns::ListedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SyncRuns::Table)
                    .drop_column(SyncRuns::ListedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SyncRunChildren::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SyncRunChildren {
    Table,
    RunId,
    Resource,
    ParentId,
    Records,
    DoneAt,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
    ListedAt,
}
