//! Moves the marks of children done out of `sync_run_children` into
//! `sync_run_children_done`. The page that wants a parent's children and the job that
//! writes them are committed concurrently (the job is queued before the page is written);
//! when both wrote the same row, two transactions could wait on each other's rows, and
//! Postgres ends one only after `deadlock_timeout` (a second by default). Apart, each row
//! has one writer: a page its wanted parents, a children job its parents done.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SyncRunChildrenDone::Table)
            .if_not_exists()
            .col(big_integer(SyncRunChildrenDone::RunId))
            .col(string(SyncRunChildrenDone::Resource))
            .col(big_integer(SyncRunChildrenDone::ParentId))
            .col(big_integer(SyncRunChildrenDone::Records))
            .col(timestamp_with_time_zone(SyncRunChildrenDone::DoneAt));
        table.primary_key(
            Index::create()
                .col(SyncRunChildrenDone::RunId)
                .col(SyncRunChildrenDone::Resource)
                .col(SyncRunChildrenDone::ParentId),
        );
        table.foreign_key(
            ForeignKey::create()
                .from(SyncRunChildrenDone::Table, SyncRunChildrenDone::RunId)
                .to(SyncRuns::Table, SyncRuns::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
        manager.create_table(table).await?;
        let done = Query::select()
            .columns([
                SyncRunChildren::RunId,
                SyncRunChildren::Resource,
                SyncRunChildren::ParentId,
                SyncRunChildren::Records,
                SyncRunChildren::DoneAt,
            ])
            .from(SyncRunChildren::Table)
            .and_where(Expr::col(SyncRunChildren::DoneAt).is_not_null())
            .to_owned();
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SyncRunChildrenDone::Table)
                    .columns([
                        SyncRunChildrenDone::RunId,
                        SyncRunChildrenDone::Resource,
                        SyncRunChildrenDone::ParentId,
                        SyncRunChildrenDone::Records,
                        SyncRunChildrenDone::DoneAt,
                    ])
                    .select_from(done)
                    .map_err(|error| DbErr::Migration(error.to_string()))?
                    .to_owned(),
            )
            .await?;
        // One column an alteration: SQLite drops no more at once.
        for column in [SyncRunChildren::Records, SyncRunChildren::DoneAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SyncRunChildren::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            big_integer(SyncRunChildren::Records).default(0).to_owned(),
            timestamp_with_time_zone_null(SyncRunChildren::DoneAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SyncRunChildren::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sync_run_children SET records = d.records, done_at = d.done_at \
                 FROM sync_run_children_done d WHERE d.run_id = sync_run_children.run_id \
                 AND d.resource = sync_run_children.resource \
                 AND d.parent_id = sync_run_children.parent_id",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SyncRunChildrenDone::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SyncRunChildren {
    Table,
    RunId,
    Resource,
    ParentId,
    Records,
    DoneAt,
}

#[derive(DeriveIden)]
enum SyncRunChildrenDone {
    Table,
    RunId,
    Resource,
    ParentId,
    Records,
    DoneAt,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
}
