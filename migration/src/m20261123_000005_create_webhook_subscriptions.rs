//! Creates `webhook_subscriptions`: A webhook woosync registered at a store.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{belongs_to_store, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(WebhookSubscriptions::Table)
            .if_not_exists()
            .col(big_pk_auto(WebhookSubscriptions::Id))
            .col(big_integer(WebhookSubscriptions::StoreId))
            .col(big_integer(WebhookSubscriptions::WooWebhookId))
            .col(string(WebhookSubscriptions::Topic))
            .col(text(WebhookSubscriptions::DeliveryUrl))
            .col(string(WebhookSubscriptions::Status))
            .col(timestamp_with_time_zone(WebhookSubscriptions::CreatedAt))
            .col(timestamp_with_time_zone(WebhookSubscriptions::UpdatedAt))
            .col(timestamp_with_time_zone_null(
                WebhookSubscriptions::CheckedAt,
            ))
            .col(timestamp_with_time_zone_null(
                WebhookSubscriptions::DisabledAt,
            ));
        table.foreign_key(&mut belongs_to_store(
            WebhookSubscriptions::Table,
            WebhookSubscriptions::StoreId,
        ));
        manager.create_table(table).await?;
        manager
            .create_index(unique_index(
                "uniq_webhook_subscriptions_store_id_topic",
                WebhookSubscriptions::Table,
                [WebhookSubscriptions::StoreId, WebhookSubscriptions::Topic],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookSubscriptions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookSubscriptions {
    Table,
    Id,
    StoreId,
    WooWebhookId,
    Topic,
    DeliveryUrl,
    Status,
    CreatedAt,
    UpdatedAt,
    CheckedAt,
    DisabledAt,
}
