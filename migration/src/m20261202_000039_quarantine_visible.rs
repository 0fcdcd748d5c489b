//! Quarantine made visible: a quarantined record keeps the parent it was listed under (so
//! it can be fetched again), one entry per record (`(store_id, resource, woo_id)` indexed,
//! an entry replaced by the record's next failure or cleared by its next success), and a
//! run counts the records it quarantined.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_quarantined_records_store_id_resource_woo_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(QuarantinedRecords::Table)
                    .add_column(big_integer(QuarantinedRecords::ParentId).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                INDEX,
                QuarantinedRecords::Table,
                [
                    QuarantinedRecords::StoreId,
                    QuarantinedRecords::Resource,
                    QuarantinedRecords::WooId,
                ],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SyncRuns::Table)
                    .add_column(big_integer(SyncRuns::RecordsQuarantined).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SyncRuns::Table)
                    .drop_column(SyncRuns::RecordsQuarantined)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(QuarantinedRecords::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(QuarantinedRecords::Table)
                    .drop_column(QuarantinedRecords::ParentId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum QuarantinedRecords {
    Table,
    StoreId,
    Resource,
    WooId,
    ParentId,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    RecordsQuarantined,
}
