//! `connect_attempts`: one-click connects under way: a merchant sent to their store's
//! `/wc-auth/v1/authorize`, and the callback that brings the keys, bound to the attempt by
//! a token (kept hashed), used once, within an hour.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConnectAttempts::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ConnectAttempts::Id))
                    .col(string(ConnectAttempts::TokenHash))
                    .col(text(ConnectAttempts::StoreUrl))
                    .col(text(ConnectAttempts::ReturnUrl))
                    .col(string(ConnectAttempts::Scope))
                    .col(string_null(ConnectAttempts::Name))
                    .col(double_null(ConnectAttempts::RateLimit))
                    .col(boolean_null(ConnectAttempts::BackfillOrderNotes))
                    .col(big_integer_null(ConnectAttempts::StoreId))
                    .col(timestamp_with_time_zone(ConnectAttempts::CreatedAt))
                    .col(timestamp_with_time_zone(ConnectAttempts::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ConnectAttempts::CompletedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConnectAttempts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ConnectAttempts {
    Table,
    Id,
    TokenHash,
    StoreUrl,
    ReturnUrl,
    Scope,
    Name,
    RateLimit,
    BackfillOrderNotes,
    StoreId,
    CreatedAt,
    ExpiresAt,
    CompletedAt,
}
