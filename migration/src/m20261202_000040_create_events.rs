//! The change feed: `events` (every change applied, written in the transaction of the
//! change), `event_feed` (how far retention has pruned it), `event_endpoints` (consumers
//! that receive it as signed webhooks) and `event_deliveries` (each endpoint's delivery
//! log); and `sync_runs.emits_events`, false for a store's first backfill of a resource,
//! whose records are announced by one `sync.backfill_completed` instead of one event each;
//! and an index of orders by their number, for lookups.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{belongs_to_store, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut events = Table::create();
        events
            .table(Events::Table)
            .if_not_exists()
            .col(big_pk_auto(Events::Id))
            .col(big_integer(Events::StoreId))
            .col(string(Events::Type))
            .col(string_null(Events::Resource))
            .col(string_null(Events::RecordId))
            .col(big_integer(Events::ParentId).default(0))
            .col(text(Events::Data))
            .col(text_null(Events::Previous))
            .col(timestamp_with_time_zone(Events::CreatedAt));
        events.foreign_key(&mut belongs_to_store(Events::Table, Events::StoreId));
        manager.create_table(events).await?;
        manager
            .create_index(index(
                "idx_events_created_at",
                Events::Table,
                [Events::CreatedAt],
            ))
            .await?;

        let mut feed = Table::create();
        feed.table(EventFeed::Table)
            .if_not_exists()
            .col(integer(EventFeed::Id).primary_key())
            .col(big_integer(EventFeed::PrunedThrough).default(0));
        manager.create_table(feed).await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(EventFeed::Table)
                    .columns([EventFeed::Id, EventFeed::PrunedThrough])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await?;

        let mut endpoints = Table::create();
        endpoints
            .table(EventEndpoints::Table)
            .if_not_exists()
            .col(big_pk_auto(EventEndpoints::Id))
            .col(text(EventEndpoints::Url))
            .col(text_null(EventEndpoints::Description))
            .col(text_null(EventEndpoints::Types))
            .col(text_null(EventEndpoints::StoreIds))
            .col(text(EventEndpoints::SecretEnc))
            .col(string(EventEndpoints::Status))
            .col(text_null(EventEndpoints::StatusReason))
            .col(big_integer(EventEndpoints::Cursor))
            .col(big_integer(EventEndpoints::ReadThrough))
            .col(timestamp_with_time_zone_null(EventEndpoints::FailingSince))
            .col(timestamp_with_time_zone(EventEndpoints::CreatedAt))
            .col(timestamp_with_time_zone(EventEndpoints::UpdatedAt));
        manager.create_table(endpoints).await?;

        let mut deliveries = Table::create();
        deliveries
            .table(EventDeliveries::Table)
            .if_not_exists()
            .col(big_pk_auto(EventDeliveries::Id))
            .col(big_integer(EventDeliveries::EndpointId))
            .col(big_integer(EventDeliveries::EventId))
            .col(string(EventDeliveries::Status))
            .col(integer(EventDeliveries::Attempts))
            .col(integer_null(EventDeliveries::ResponseCode))
            .col(big_integer_null(EventDeliveries::LatencyMs))
            .col(text_null(EventDeliveries::LastError))
            .col(timestamp_with_time_zone(EventDeliveries::LastAttemptAt))
            .col(timestamp_with_time_zone_null(
                EventDeliveries::NextAttemptAt,
            ));
        deliveries.foreign_key(
            ForeignKey::create()
                .from(EventDeliveries::Table, EventDeliveries::EndpointId)
                .to(EventEndpoints::Table, EventEndpoints::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
        manager.create_table(deliveries).await?;
        manager
            .create_index(unique_index(
                "idx_event_deliveries_endpoint_id_event_id",
                EventDeliveries::Table,
                [EventDeliveries::EndpointId, EventDeliveries::EventId],
            ))
            .await?;

        // Orders are looked up by the number customers see.
        manager
            .create_index(index(
                "idx_orders_store_id_number",
                Orders::Table,
                [Orders::StoreId, Orders::Number],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SyncRuns::Table)
                    .add_column(boolean(SyncRuns::EmitsEvents).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SyncRuns::Table)
                    .drop_column(SyncRuns::EmitsEvents)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_orders_store_id_number")
                    .table(Orders::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            EventDeliveries::Table.into_iden(),
            EventEndpoints::Table.into_iden(),
            EventFeed::Table.into_iden(),
            Events::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    StoreId,
    Type,
    Resource,
    RecordId,
    ParentId,
    Data,
    Previous,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EventFeed {
    Table,
    Id,
    PrunedThrough,
}

#[derive(DeriveIden)]
enum EventEndpoints {
    Table,
    Id,
    Url,
    Description,
    Types,
    StoreIds,
    SecretEnc,
    Status,
    StatusReason,
    Cursor,
    ReadThrough,
    FailingSince,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EventDeliveries {
    Table,
    Id,
    EndpointId,
    EventId,
    Status,
    Attempts,
    ResponseCode,
    LatencyMs,
    LastError,
    LastAttemptAt,
    NextAttemptAt,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    EmitsEvents,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    StoreId,
    Number,
}
