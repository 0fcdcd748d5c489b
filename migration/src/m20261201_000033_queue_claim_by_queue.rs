//! The embedded queue claims a queue's due jobs in order, queue by queue (as a Redis worker
//! reads its streams): the index on `(queue, state)` becomes one on
//! `(queue, state, run_at, id)`, so each queue's claim walks its own jobs in order and
//! costs the same whatever the backlog.

use sea_orm_migration::prelude::*;

use crate::columns::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "idx_queue_jobs_queue_state";
const NEW: &str = "idx_queue_jobs_queue_state_run_at_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                NEW,
                QueueJobs::Table,
                [
                    QueueJobs::Queue,
                    QueueJobs::State,
                    QueueJobs::RunAt,
                    QueueJobs::Id,
                ],
            ))
            .await?;
        // The new index serves every query the old one did.
        manager.drop_index(index_drop(OLD)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                OLD,
                QueueJobs::Table,
                [QueueJobs::Queue, QueueJobs::State],
            ))
            .await?;
        manager.drop_index(index_drop(NEW)).await
    }
}

fn index_drop(name: &str) -> IndexDropStatement {
    Index::drop()
        .if_exists()
        .name(name)
        .table(QueueJobs::Table)
        .to_owned()
}

#[derive(DeriveIden)]
enum QueueJobs {
    Table,
    Queue,
    State,
    RunAt,
    Id,
}
