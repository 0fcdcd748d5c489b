//! Sync runs: one sync of one resource of one store, and the record of its pages written.
//!
//! The record lives in the database, written in the transaction that writes a page's rows,
//! so a run whose jobs were lost (a crash between a commit and an enqueue, or a queue lost
//! with Redis) is found here and resumed from what is marked done.

use chrono::{DateTime, Utc};
use entity::{sync_checkpoints, sync_runs, sync_watermarks};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, StatementBuilder,
};

use super::apply::{Applied, PreparedRecords};
use super::group_commit::{GroupCommit, GroupWrite, WriteFuture};
use super::outbox::Outbox;
use super::run_children;
use super::tombstone::Missing;
use super::write_txn::WriteTxn;
use crate::woo::Resource;

pub use entity::sync_runs::{RunKind, RunStatus};

/// Starts a run, unless one of the same store and resource is under way: then that one is
/// returned, with `false`.
pub async fn start_run<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    kind: RunKind,
    since: Option<DateTime<Utc>>,
) -> Result<(sync_runs::Model, bool), DbErr> {
    if let Some(live) = live_run(db, store_id, resource).await? {
        return Ok((live, false));
    }
    // The first copy of a resource is announced by one event when it is complete, not by
    // an event per record.
    let emits_events = has_succeeded(db, store_id, resource, None).await?;
    let inserted = sync_runs::ActiveModel {
        id: NotSet,
        store_id: Set(store_id),
        resource: Set(resource),
        kind: Set(kind),
        status: Set(RunStatus::Queued),
        since: Set(since),
        pages_done: Set(0),
        pages_total: Set(None),
        records_written: Set(0),
        records_quarantined: Set(0),
        error_count: Set(0),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
        listed_at: Set(None),
        emits_events: Set(emits_events),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(run) => Ok((run, true)),
        // Another process started one between our look and our insert: the unique index on
        // live runs refused ours.
        Err(error) => match live_run(db, store_id, resource).await? {
            Some(live) => Ok((live, false)),
            None => Err(error),
        },
    }
}

/// Whether a run of a store's resource (of this kind, if given) has succeeded: with no
/// kind, whether its first copy is complete.
pub async fn has_succeeded<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    kind: Option<RunKind>,
) -> Result<bool, DbErr> {
    let mut select = sync_runs::Entity::find()
        .filter(sync_runs::Column::StoreId.eq(store_id))
        .filter(sync_runs::Column::Resource.eq(resource))
        .filter(sync_runs::Column::Status.eq(RunStatus::Succeeded));
    if let Some(kind) = kind {
        select = select.filter(sync_runs::Column::Kind.eq(kind));
    }
    Ok(select.one(db).await?.is_some())
}

/// The queued or running run of a store's resource.
pub async fn live_run<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
) -> Result<Option<sync_runs::Model>, DbErr> {
    sync_runs::Entity::find()
        .filter(sync_runs::Column::StoreId.eq(store_id))
        .filter(sync_runs::Column::Resource.eq(resource))
        .filter(sync_runs::Column::Status.is_in([RunStatus::Queued, RunStatus::Running]))
        .one(db)
        .await
}

pub async fn find_run<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<Option<sync_runs::Model>, DbErr> {
    sync_runs::Entity::find_by_id(run_id).one(db).await
}

/// The latest runs, the newest first.
pub async fn latest_runs<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<sync_runs::Model>, DbErr> {
    sync_runs::Entity::find()
        .order_by_desc(sync_runs::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Whether a run still wants work done: neither finished nor gone.
pub fn is_open(run: &sync_runs::Model) -> bool {
    run.status != RunStatus::Succeeded
}

/// A page of a run as fetched from the store.
pub struct FetchedPage {
    pub page: u32,
    /// How many records the store listed on it.
    pub listed: usize,
    pub records: PreparedRecords,
    /// Pages the store says the listing has, if it said.
    pub total_pages: Option<u32>,
    /// Whether the page came back full, so another may follow.
    pub full: bool,
    /// For a page that is the whole collection (a resource listed in one answer), the
    /// records kept that it no longer holds: marked deleted in the same transaction.
    pub whole: Option<Missing>,
    /// When it was asked for: the run started at its earliest page's request.
    pub requested_at: DateTime<Utc>,
}

/// The pages a listing has at least, as page `page` shows it: those the store said (this
/// page's number if it said none), and one more after a full page at its end.
pub fn pages_at_least(page: u32, total_pages: Option<u32>, full: bool) -> u32 {
    let said = total_pages.unwrap_or(page);
    if full {
        said.max(page.saturating_add(1))
    } else {
        said
    }
}

/// Where a run stands after one of its pages was written.
#[derive(Debug, Clone)]
pub struct PageProgress {
    pub run: sync_runs::Model,
    /// False when another worker had written the page already.
    pub written_now: bool,
    /// What writing the page did, when it was written now.
    pub applied: Option<Applied>,
}

/// Writes a page's rows and marks it done, in one transaction (with whatever other writes
/// are waiting). A page already marked done is not written again. The run's page count
/// grows when a page at its end came back full (hosts strip or miscount the paging
/// headers), so the listing is followed to its end.
pub async fn write_page(
    writer: &GroupCommit,
    run: &sync_runs::Model,
    resource: Resource,
    page: FetchedPage,
) -> Result<PageProgress, DbErr> {
    let progress = writer
        .write(PageWrite {
            run_id: run.id,
            store_id: run.store_id,
            resource,
            page,
        })
        .await?;
    if let Some(applied) = progress.applied {
        applied.count_committed(resource);
    }
    Ok(progress)
}

struct PageWrite {
    run_id: i64,
    store_id: i64,
    resource: Resource,
    page: FetchedPage,
}

impl GroupWrite for PageWrite {
    type Output = PageProgress;

    fn write<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, PageProgress> {
        Box::pin(self.write_in(txn, outbox))
    }

    fn run_row(&self) -> Option<i64> {
        Some(self.run_id)
    }
}

impl PageWrite {
    async fn write_in(&self, txn: &WriteTxn, outbox: &Outbox) -> Result<PageProgress, DbErr> {
        let page = &self.page;
        let now = Utc::now();
        let marked = sync_checkpoints::Entity::insert(sync_checkpoints::ActiveModel {
            run_id: Set(self.run_id),
            page: Set(i64::from(page.page)),
            store_id: Set(self.store_id),
            resource: Set(self.resource),
            records: Set(page.listed as i64),
            written_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                sync_checkpoints::Column::RunId,
                sync_checkpoints::Column::Page,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
        if marked == 0 {
            let run = find_run(txn, self.run_id)
                .await?
                .ok_or_else(|| DbErr::RecordNotFound(format!("sync run {}", self.run_id)))?;
            return Ok(PageProgress {
                run,
                written_now: false,
                applied: None,
            });
        }
        if let Some(missing) = &page.whole {
            missing
                .mark(txn, now, page.records.announces().then_some(outbox))
                .await?;
        }
        let applied = page.records.write(txn, outbox).await?;
        let at_least = i64::from(pages_at_least(page.page, page.total_pages, page.full));
        let mut run = count_page(txn, self.run_id, at_least, applied, page.requested_at).await?;
        // The last page of a listing no sweep follows ends the run here, rather than in
        // transactions of their own after it (SQLite's one writer is the scarce thing).
        if all_pages_written(&run) && !needs_sweep(&run) {
            run = end_listing(txn, outbox, run, now).await?;
        }
        Ok(PageProgress {
            run,
            written_now: true,
            applied: Some(applied),
        })
    }
}

/// Whether every page the run's listing is known to have is written.
pub fn all_pages_written(run: &sync_runs::Model) -> bool {
    run.pages_done >= run.pages_total.unwrap_or(1).max(1)
}

/// Whether a run's listing, once written, is followed by a sweep: a listing that cannot
/// have seen deletions. A backfill whose one page held the whole collection saw it at one
/// instant, and marked what it lacked deleted as it was written, as a collection listed
/// whole does.
pub fn needs_sweep(run: &sync_runs::Model) -> bool {
    let (resource, kind) = (run.resource, run.kind);
    let listed_at_once =
        resource.listed_whole() || (kind == RunKind::Backfill && run.pages_total == Some(1));
    !listed_at_once && (kind == RunKind::Backfill || !resource.has_modified_filter())
}

/// The run's listing is written (in `txn`): it ends unless children it asked for are
/// still wanted (whose writer then ends it).
async fn end_listing<C: ConnectionTrait>(
    txn: &C,
    outbox: &Outbox,
    mut run: sync_runs::Model,
    now: DateTime<Utc>,
) -> Result<sync_runs::Model, DbErr> {
    if run.listed_at.is_none() {
        sync_runs::Entity::update_many()
            .col_expr(sync_runs::Column::ListedAt, Expr::value(now))
            .filter(sync_runs::Column::Id.eq(run.id))
            .exec(txn)
            .await?;
        run.listed_at = Some(now);
    }
    if run_children::any_wanted(txn, run.id).await? {
        return Ok(run);
    }
    succeed_in(txn, outbox, run, now).await
}

/// Counts a page written in its run, in one statement (a read and a write of the run would
/// each be a round trip while SQLite's write lock is held); returns the run as it is now.
/// The run is running, and started no later than this page was asked for.
async fn count_page<C: ConnectionTrait>(
    txn: &C,
    run_id: i64,
    pages_at_least: i64,
    applied: Applied,
    requested_at: DateTime<Utc>,
) -> Result<sync_runs::Model, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    use sync_runs::Column;
    let pages_total = Expr::col(Column::PagesTotal).if_null(0);
    let mut update = Query::update();
    update
        .table(sync_runs::Entity)
        .value(Column::PagesDone, Expr::col(Column::PagesDone).add(1))
        .value(
            Column::PagesTotal,
            Expr::case(pages_total.clone().gt(pages_at_least), pages_total).finally(pages_at_least),
        )
        .value(
            Column::RecordsWritten,
            Expr::col(Column::RecordsWritten).add(applied.written as i64),
        )
        .value(
            Column::RecordsQuarantined,
            Expr::col(Column::RecordsQuarantined).add(applied.quarantined as i64),
        )
        .value(
            Column::Status,
            Expr::case(
                Expr::col(Column::Status).is_in([RunStatus::Queued, RunStatus::Failed]),
                RunStatus::Running,
            )
            .finally(Expr::col(Column::Status)),
        )
        .value(
            Column::StartedAt,
            Expr::case(
                Expr::col(Column::StartedAt)
                    .is_null()
                    .or(Expr::col(Column::StartedAt).gt(requested_at)),
                requested_at,
            )
            .finally(Expr::col(Column::StartedAt)),
        )
        .and_where(Expr::col(Column::Id).eq(run_id))
        .returning_all();
    let statement = StatementBuilder::build(&update, &txn.get_database_backend());
    let row = txn
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("sync run {run_id}")))?;
    sync_runs::Model::from_query_result(&row, "")
}

/// The pages of a run written so far and how many records each held.
pub async fn written_pages<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<Vec<(u32, i64)>, DbErr> {
    Ok(sync_checkpoints::Entity::find()
        .filter(sync_checkpoints::Column::RunId.eq(run_id))
        .order_by_asc(sync_checkpoints::Column::Page)
        .all(db)
        .await?
        .into_iter()
        .map(|checkpoint| (checkpoint.page as u32, checkpoint.records))
        .collect())
}

/// Marks a run running (its first job has started), keeping its start time.
pub async fn mark_running<C: ConnectionTrait>(
    db: &C,
    run: &sync_runs::Model,
) -> Result<sync_runs::Model, DbErr> {
    if run.status == RunStatus::Running && run.started_at.is_some() {
        return Ok(run.clone());
    }
    let mut update: sync_runs::ActiveModel = run.clone().into();
    update.status = Set(RunStatus::Running);
    if run.started_at.is_none() {
        update.started_at = Set(Some(Utc::now()));
    }
    update.update(db).await
}

/// The run's listing (and its sweep, where it has one) is written, with what the sweep
/// wrote besides: the run ends once the children it asked for are in too, and what its
/// sweep kept of the listing is forgotten. (What the sweep set aside is not counted again:
/// it asks for the records its listing set aside.)
pub async fn listing_finished(
    db: &DatabaseConnection,
    run: &sync_runs::Model,
    extra_written: u64,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let txn = crate::database::begin_write(db).await?;
    let Some(mut current) = lock_open_run(&txn, run.id).await? else {
        return Ok(());
    };
    if extra_written > 0 {
        sync_runs::Entity::update_many()
            .col_expr(
                sync_runs::Column::RecordsWritten,
                Expr::col(sync_runs::Column::RecordsWritten).add(extra_written as i64),
            )
            .filter(sync_runs::Column::Id.eq(run.id))
            .exec(&txn)
            .await?;
        current.records_written += extra_written as i64;
    }
    super::sweep_listing::forget(&txn, run.id).await?;
    let outbox = Outbox::default();
    let current = end_listing(&txn, &outbox, current, Utc::now()).await?;
    outbox.flush(&txn).await?;
    txn.commit().await?;
    if is_open(&current) {
        // Children were wanted as this committed: looked at again now, as their writer
        // looks after its own commit, so that whichever commits last sees both.
        finish_if_complete(db, run.id).await?;
    }
    Ok(())
}

/// The run, locked until `txn` ends, unless it is gone or has already succeeded.
async fn lock_open_run<C: ConnectionTrait>(
    txn: &C,
    run_id: i64,
) -> Result<Option<sync_runs::Model>, DbErr> {
    let run = sync_runs::Entity::find_by_id(run_id)
        .lock_exclusive()
        .one(txn)
        .await?;
    Ok(run.filter(|run| run.status != RunStatus::Succeeded))
}

/// Ends a run whose listing is done and whose children are all written: called by each
/// side after its own commit, so whichever commits last sees both.
pub async fn finish_if_complete(db: &DatabaseConnection, run_id: i64) -> Result<(), DbErr> {
    let Some(run) = find_run(db, run_id).await? else {
        return Ok(());
    };
    if run.status == RunStatus::Succeeded || run.listed_at.is_none() {
        return Ok(());
    }
    if run_children::any_wanted(db, run_id).await? {
        return Ok(());
    }
    succeed(db, run_id).await
}

/// Ends a run: succeeded, and for resources with a modified filter the watermark moves to
/// when the run started (what changed since is the next incremental run's), in one
/// transaction.
async fn succeed(db: &DatabaseConnection, run_id: i64) -> Result<(), DbErr> {
    let txn = crate::database::begin_write(db).await?;
    let Some(current) = lock_open_run(&txn, run_id).await? else {
        return Ok(());
    };
    let outbox = Outbox::default();
    succeed_in(&txn, &outbox, current, Utc::now()).await?;
    outbox.flush(&txn).await?;
    txn.commit().await
}

/// `succeed` in a transaction that holds the run's row.
async fn succeed_in<C: ConnectionTrait>(
    txn: &C,
    outbox: &Outbox,
    current: sync_runs::Model,
    now: DateTime<Utc>,
) -> Result<sync_runs::Model, DbErr> {
    let started = current.started_at.unwrap_or(current.created_at);
    let mut update: sync_runs::ActiveModel = current.clone().into();
    update.status = Set(RunStatus::Succeeded);
    update.finished_at = Set(Some(now));
    update.started_at = Set(Some(started));
    let run = update.update(txn).await?;
    if !current.emits_events {
        outbox.add(super::changes::first_copy_completed(&current));
    }
    if current.resource.has_modified_filter() {
        advance_watermark(txn, current.store_id, current.resource, started, current.id).await?;
    }
    Ok(run)
}

async fn advance_watermark<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    to: DateTime<Utc>,
    run_id: i64,
) -> Result<(), DbErr> {
    let existing = watermark(db, store_id, resource).await?;
    if existing.is_some_and(|at| at >= to) {
        return Ok(());
    }
    sync_watermarks::Entity::insert(sync_watermarks::ActiveModel {
        store_id: Set(store_id),
        resource: Set(resource),
        watermark: Set(to),
        run_id: Set(run_id),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            sync_watermarks::Column::StoreId,
            sync_watermarks::Column::Resource,
        ])
        .update_columns([
            sync_watermarks::Column::Watermark,
            sync_watermarks::Column::RunId,
            sync_watermarks::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// How far incremental syncs of a store's resource have come.
pub async fn watermark<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(sync_watermarks::Entity::find_by_id((store_id, resource))
        .one(db)
        .await?
        .map(|row| row.watermark))
}

/// Records a failed attempt of a run's job; `fatal` when it is out of attempts, which
/// fails the run until the job is retried.
pub async fn record_error<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    error: &str,
    fatal: bool,
) -> Result<(), DbErr> {
    let Some(run) = find_run(db, run_id).await? else {
        return Ok(());
    };
    if run.status == RunStatus::Succeeded {
        return Ok(());
    }
    let mut update: sync_runs::ActiveModel = run.clone().into();
    update.error_count = Set(run.error_count + 1);
    update.last_error = Set(Some(error.to_string()));
    if fatal {
        update.status = Set(RunStatus::Failed);
        update.finished_at = Set(Some(Utc::now()));
    }
    update.update(db).await?;
    Ok(())
}

/// When each store's resources last finished a run that succeeded: (store, resource, time).
pub async fn last_synced<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(i64, Resource, DateTime<Utc>)>, DbErr> {
    let rows: Vec<(i64, Resource, Option<DateTime<Utc>>)> = sync_runs::Entity::find()
        .select_only()
        .column(sync_runs::Column::StoreId)
        .column(sync_runs::Column::Resource)
        .column_as(sync_runs::Column::FinishedAt.max(), "last_synced_at")
        .filter(sync_runs::Column::Status.eq(RunStatus::Succeeded))
        .group_by(sync_runs::Column::StoreId)
        .group_by(sync_runs::Column::Resource)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(store, resource, at)| Some((store, resource, at?)))
        .collect())
}

/// Runs that are queued or running but have shown no progress since `quiet_since` (of one
/// store, or of all): their jobs may have been lost.
pub async fn quiet_runs<C: ConnectionTrait>(
    db: &C,
    quiet_since: DateTime<Utc>,
    store_id: Option<i64>,
) -> Result<Vec<sync_runs::Model>, DbErr> {
    let mut live = sync_runs::Entity::find()
        .filter(sync_runs::Column::Status.is_in([RunStatus::Queued, RunStatus::Running]));
    if let Some(store_id) = store_id {
        live = live.filter(sync_runs::Column::StoreId.eq(store_id));
    }
    let live = live.all(db).await?;
    let mut quiet = Vec::new();
    for run in live {
        let last_page = sync_checkpoints::Entity::find()
            .filter(sync_checkpoints::Column::RunId.eq(run.id))
            .select_only()
            .column_as(sync_checkpoints::Column::WrittenAt.max(), "last")
            .into_tuple::<Option<DateTime<Utc>>>()
            .one(db)
            .await?
            .flatten();
        let last_child = run_children::progress(db, &[run.id])
            .await?
            .get(&run.id)
            .and_then(|progress| progress.last_done_at);
        let last_sign = last_page
            .max(last_child)
            .or(run.started_at)
            .unwrap_or(run.created_at)
            .max(run.created_at);
        if last_sign < quiet_since {
            quiet.push(run);
        }
    }
    Ok(quiet)
}
