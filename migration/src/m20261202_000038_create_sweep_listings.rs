//! Creates `sweep_listings`: the pages of ids an ID sweep has listed so far, each kept as it
//! arrives, so that a sweep whose attempt met a failing page goes on from the pages it has
//! instead of listing the store again (at 10% of requests failing, an 80-page listing
//! almost never came through whole).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SweepListings::Table)
            .if_not_exists()
            .col(big_integer(SweepListings::RunId))
            .col(big_integer(SweepListings::Page))
            .col(big_integer_null(SweepListings::TotalPages))
            .col(boolean(SweepListings::Full))
            .col(timestamp_with_time_zone(SweepListings::ListedAt))
            .col(text(SweepListings::Records));
        table.primary_key(
            Index::create()
                .col(SweepListings::RunId)
                .col(SweepListings::Page),
        );
        table.foreign_key(
            ForeignKey::create()
                .from(SweepListings::Table, SweepListings::RunId)
                .to(SyncRuns::Table, SyncRuns::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
        manager.create_table(table).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SweepListings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SweepListings {
    Table,
    RunId,
    Page,
    TotalPages,
    Full,
    ListedAt,
    Records,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
}
