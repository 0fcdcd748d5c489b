//! Creates `webhook_deliveries`: A webhook delivery received, kept for de-duplication and audit.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{belongs_to_store, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(WebhookDeliveries::Table)
            .if_not_exists()
            .col(big_pk_auto(WebhookDeliveries::Id))
            .col(big_integer(WebhookDeliveries::StoreId))
            .col(string(WebhookDeliveries::Topic))
            .col(big_integer_null(WebhookDeliveries::WooId))
            .col(timestamp_with_time_zone_null(
                WebhookDeliveries::DateModifiedGmt,
            ))
            .col(string(WebhookDeliveries::DedupeKey))
            .col(string_null(WebhookDeliveries::DeliveryId))
            .col(string(WebhookDeliveries::Outcome))
            .col(timestamp_with_time_zone(WebhookDeliveries::ReceivedAt));
        table.foreign_key(&mut belongs_to_store(
            WebhookDeliveries::Table,
            WebhookDeliveries::StoreId,
        ));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_webhook_deliveries_received_at",
                WebhookDeliveries::Table,
                [WebhookDeliveries::ReceivedAt],
            ))
            .await?;
        manager
            .create_index(unique_index(
                "uniq_webhook_deliveries_store_id_dedupe_key",
                WebhookDeliveries::Table,
                [WebhookDeliveries::StoreId, WebhookDeliveries::DedupeKey],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    StoreId,
    Topic,
    WooId,
    DateModifiedGmt,
    DedupeKey,
    DeliveryId,
    Outcome,
    ReceivedAt,
}
