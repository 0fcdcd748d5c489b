//! Creates `queue_jobs`: A job of the embedded queue (the SQLite queue used without REDIS_URL); times in ms since the epoch.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(QueueJobs::Table)
            .if_not_exists()
            .col(big_pk_auto(QueueJobs::Id))
            .col(string(QueueJobs::Queue))
            .col(text(QueueJobs::Payload))
            .col(string(QueueJobs::State))
            .col(integer(QueueJobs::Attempts))
            .col(integer(QueueJobs::MaxAttempts))
            .col(integer(QueueJobs::Crashes))
            .col(string_null(QueueJobs::DedupeKey))
            .col(big_integer_null(QueueJobs::StoreId))
            .col(big_integer(QueueJobs::RunAt))
            .col(string_null(QueueJobs::Worker))
            .col(text_null(QueueJobs::LastError))
            .col(text(QueueJobs::History))
            .col(big_integer(QueueJobs::CreatedAt))
            .col(big_integer(QueueJobs::UpdatedAt));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_queue_jobs_state_run_at_id",
                QueueJobs::Table,
                [QueueJobs::State, QueueJobs::RunAt, QueueJobs::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_queue_jobs_queue_state",
                QueueJobs::Table,
                [QueueJobs::Queue, QueueJobs::State],
            ))
            .await?;
        // A de-duplication key is held while its job is pending, scheduled or running.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS uniq_queue_jobs_live_dedupe_key ON queue_jobs (dedupe_key) \
                 WHERE dedupe_key IS NOT NULL AND state IN ('pending', 'scheduled', 'running')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QueueJobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum QueueJobs {
    Table,
    Id,
    Queue,
    Payload,
    State,
    Attempts,
    MaxAttempts,
    Crashes,
    DedupeKey,
    StoreId,
    RunAt,
    Worker,
    LastError,
    History,
    CreatedAt,
    UpdatedAt,
}
