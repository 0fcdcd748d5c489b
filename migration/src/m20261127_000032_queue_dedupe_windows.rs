//! A de-duplication key the embedded queue holds for a window after the enqueue, not only
//! while its job lives: webhook deliveries are de-duplicated on their content for a day.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(QueueJobs::Table)
                    .add_column(ColumnDef::new(QueueJobs::DedupeUntil).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_queue_jobs_dedupe_until ON queue_jobs (dedupe_key, dedupe_until) \
                 WHERE dedupe_until IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_queue_jobs_dedupe_until")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(QueueJobs::Table)
                    .drop_column(QueueJobs::DedupeUntil)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum QueueJobs {
    Table,
    DedupeUntil,
}
