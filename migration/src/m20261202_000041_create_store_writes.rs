//! `store_writes`: writes to stores made through the queue (creates and updates of orders,
//! products, variations and customers, stock set), each under an idempotency key unique in
//! its store, with what each attempt left behind to make it exactly once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{belongs_to_store, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut writes = Table::create();
        writes
            .table(StoreWrites::Table)
            .if_not_exists()
            .col(big_pk_auto(StoreWrites::Id))
            .col(big_integer(StoreWrites::StoreId))
            .col(string(StoreWrites::Operation))
            .col(big_integer_null(StoreWrites::RecordId))
            .col(big_integer(StoreWrites::ParentId).default(0))
            .col(string(StoreWrites::IdempotencyKey))
            .col(string(StoreWrites::RequestHash))
            .col(text(StoreWrites::Body))
            .col(string(StoreWrites::State))
            .col(integer(StoreWrites::Attempts).default(0))
            .col(timestamp_with_time_zone_null(StoreWrites::SentAt))
            .col(timestamp_with_time_zone_null(StoreWrites::StoreClockAtSend))
            .col(text_null(StoreWrites::Progress))
            .col(text_null(StoreWrites::Result))
            .col(string_null(StoreWrites::ErrorCode))
            .col(text_null(StoreWrites::ErrorMessage))
            .col(timestamp_with_time_zone(StoreWrites::CreatedAt))
            .col(timestamp_with_time_zone(StoreWrites::UpdatedAt))
            .col(timestamp_with_time_zone_null(StoreWrites::FinishedAt));
        writes.foreign_key(&mut belongs_to_store(
            StoreWrites::Table,
            StoreWrites::StoreId,
        ));
        manager.create_table(writes).await?;
        manager
            .create_index(unique_index(
                "idx_store_writes_store_id_idempotency_key",
                StoreWrites::Table,
                [StoreWrites::StoreId, StoreWrites::IdempotencyKey],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_store_writes_state",
                StoreWrites::Table,
                [StoreWrites::State],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StoreWrites::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StoreWrites {
    Table,
    Id,
    StoreId,
    Operation,
    RecordId,
    ParentId,
    IdempotencyKey,
    RequestHash,
    Body,
    State,
    Attempts,
    SentAt,
    StoreClockAtSend,
    Progress,
    Result,
    ErrorCode,
    ErrorMessage,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}
