//! Creates `stores`: A connected WooCommerce store and how to reach it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Stores::Table)
            .if_not_exists()
            .col(big_pk_auto(Stores::Id))
            .col(string(Stores::Name))
            .col(string(Stores::Url))
            .col(string(Stores::AuthMode))
            .col(string(Stores::OauthSignatureMethod))
            .col(string(Stores::ConsumerKey))
            .col(text(Stores::ConsumerSecretEnc))
            .col(text_null(Stores::WebhookSecretEnc))
            .col(double(Stores::RateLimitPerS))
            .col(string(Stores::Status))
            .col(text_null(Stores::StatusReason))
            .col(string_null(Stores::WcVersion))
            .col(string_null(Stores::WpVersion))
            .col(string_null(Stores::Currency))
            .col(boolean(Stores::BackfillOrderNotes))
            .col(big_integer(Stores::LowStockAmount))
            .col(string_null(Stores::PollCron))
            .col(string_null(Stores::SweepCron))
            .col(timestamp_with_time_zone(Stores::ConnectedAt))
            .col(timestamp_with_time_zone(Stores::CreatedAt))
            .col(timestamp_with_time_zone(Stores::UpdatedAt));
        manager.create_table(table).await?;
        manager
            .create_index(unique_index(
                "uniq_stores_url",
                Stores::Table,
                [Stores::Url],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Stores::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
    Name,
    Url,
    AuthMode,
    OauthSignatureMethod,
    ConsumerKey,
    ConsumerSecretEnc,
    WebhookSecretEnc,
    RateLimitPerS,
    Status,
    StatusReason,
    WcVersion,
    WpVersion,
    Currency,
    BackfillOrderNotes,
    LowStockAmount,
    PollCron,
    SweepCron,
    ConnectedAt,
    CreatedAt,
    UpdatedAt,
}
