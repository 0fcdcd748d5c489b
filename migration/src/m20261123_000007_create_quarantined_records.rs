//! Creates `quarantined_records`: A record a store sent that could not be parsed, kept with its raw text and the reason.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(QuarantinedRecords::Table)
            .if_not_exists()
            .col(big_pk_auto(QuarantinedRecords::Id))
            .col(big_integer(QuarantinedRecords::StoreId))
            .col(string(QuarantinedRecords::Resource))
            .col(string_null(QuarantinedRecords::WooId))
            .col(big_integer_null(QuarantinedRecords::RunId))
            .col(text(QuarantinedRecords::Reason))
            .col(text(QuarantinedRecords::Raw))
            .col(timestamp_with_time_zone(QuarantinedRecords::CreatedAt));
        table.foreign_key(&mut belongs_to_store(
            QuarantinedRecords::Table,
            QuarantinedRecords::StoreId,
        ));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_quarantined_records_store_id_resource",
                QuarantinedRecords::Table,
                [QuarantinedRecords::StoreId, QuarantinedRecords::Resource],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QuarantinedRecords::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum QuarantinedRecords {
    Table,
    Id,
    StoreId,
    Resource,
    WooId,
    RunId,
    Reason,
    Raw,
    CreatedAt,
}
