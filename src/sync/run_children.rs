//! The children a sync run asked for: each parent whose children it wants (a variable
//! product's variations, an order's refunds and notes) is written as wanted in the
//! transaction that writes the parent, and as done, in a table of its own, in the one that
//! writes its children. A run is done when its listing is and none of its children are
//! wanted still; what is still wanted is what a resumed run fetches again.
//!
//! Each row has one writer, so that the two transactions, often committed at the same
//! time (the children's job is queued before the page is written), never wait on each
//! other's rows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::sync_run_children::{self, Column};
use entity::sync_run_children_done::{self, Column as DoneColumn};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityName, EntityTrait, QueryFilter, QuerySelect,
    StatementBuilder, TryGetableMany,
};

use crate::woo::Resource;

/// Children of one resource wanted under these parents.
#[derive(Debug, Clone, PartialEq)]
pub struct WantedChildren {
    pub resource: Resource,
    pub parent_ids: Vec<i64>,
}

/// Rows written in one statement at most (five values each at most).
const ROWS_PER_STATEMENT: usize = 1_000;

/// Notes that `run` wants these children, unless already noted.
pub async fn mark_wanted<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    wanted: &[WantedChildren],
) -> Result<(), DbErr> {
    let rows: Vec<sync_run_children::ActiveModel> = wanted
        .iter()
        .flat_map(|children| {
            children
                .parent_ids
                .iter()
                .map(|parent_id| sync_run_children::ActiveModel {
                    run_id: Set(run_id),
                    resource: Set(children.resource),
                    parent_id: Set(*parent_id),
                })
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        sync_run_children::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([Column::RunId, Column::Resource, Column::ParentId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Marks the children of these parents done, with how many each listed (a children job
/// may finish before the page that asked for it is committed).
pub async fn mark_done<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    resource: Resource,
    listed: &[(i64, usize)],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let rows: Vec<sync_run_children_done::ActiveModel> = listed
        .iter()
        .map(|(parent_id, records)| sync_run_children_done::ActiveModel {
            run_id: Set(run_id),
            resource: Set(resource),
            parent_id: Set(*parent_id),
            records: Set(*records as i64),
            done_at: Set(at),
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        sync_run_children_done::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    DoneColumn::RunId,
                    DoneColumn::Resource,
                    DoneColumn::ParentId,
                ])
                .update_columns([DoneColumn::Records, DoneColumn::DoneAt])
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The rows of `sync_run_children` of these runs with no done mark, as a set difference.
///
/// Postgres plans a set difference by hashing or sorting both sides, whatever it guesses
/// their sizes to be. As a `NOT EXISTS` or an outer join, it was planned as a nested loop
/// over the done rows whenever the tables' statistics were young or a run larger than most,
/// which takes time in the square of a run's parents.
fn wanted_not_done(run_ids: &[i64]) -> SelectStatement {
    let keys = |table: Alias| {
        Query::select()
            .columns(
                ["run_id", "resource", "parent_id"].map(|name| (table.clone(), Alias::new(name))),
            )
            .from(table.clone())
            .and_where(Expr::col((table, Alias::new("run_id"))).is_in(run_ids.iter().copied()))
            .to_owned()
    };
    keys(Alias::new(sync_run_children::Entity.table_name()))
        .union(
            UnionType::Except,
            keys(Alias::new(sync_run_children_done::Entity.table_name())),
        )
        .to_owned()
}

/// `query`'s rows, read from the rows still wanted of these runs (named `still`).
async fn from_still_wanted<C: ConnectionTrait, T: TryGetableMany>(
    db: &C,
    run_ids: &[i64],
    query: &mut SelectStatement,
) -> Result<Vec<T>, DbErr> {
    let query = query
        .from_subquery(wanted_not_done(run_ids), Alias::new("still"))
        .to_owned();
    db.query_all_raw(StatementBuilder::build(&query, &db.get_database_backend()))
        .await?
        .iter()
        .map(T::try_get_many_by_index)
        .collect::<Result<_, _>>()
        .map_err(|error| DbErr::Type(format!("{error:?}")))
}

/// Whether `run` still wants any children.
pub async fn any_wanted<C: ConnectionTrait>(db: &C, run_id: i64) -> Result<bool, DbErr> {
    let still: Vec<i64> = from_still_wanted(
        db,
        &[run_id],
        Query::select().column(Alias::new("run_id")).limit(1),
    )
    .await?;
    Ok(!still.is_empty())
}

/// The children `run` still wants, by resource.
pub async fn still_wanted<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<Vec<WantedChildren>, DbErr> {
    let rows: Vec<(String, i64)> = from_still_wanted(
        db,
        &[run_id],
        Query::select().columns([Alias::new("resource"), Alias::new("parent_id")]),
    )
    .await?;
    let mut wanted: Vec<WantedChildren> = Vec::new();
    for (resource, parent_id) in rows {
        let Ok(resource) = resource.parse::<Resource>() else {
            continue;
        };
        match wanted
            .iter_mut()
            .find(|children| children.resource == resource)
        {
            Some(children) => children.parent_ids.push(parent_id),
            None => wanted.push(WantedChildren {
                resource,
                parent_ids: vec![parent_id],
            }),
        }
    }
    Ok(wanted)
}

/// How far a run's children have come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChildrenProgress {
    /// Parents whose children the run asked for.
    pub parents: i64,
    /// Those whose children are written.
    pub parents_done: i64,
    /// Children listed under the parents done.
    pub records: i64,
    /// When the last of them was written.
    pub last_done_at: Option<DateTime<Utc>>,
}

/// The children progress of each of these runs (none for a run that asked for none).
///
/// Counted apart, the wanted rows, those still wanted, and the done marks: no join between
/// the two tables for Postgres to plan badly. A done mark whose parent's page is not
/// committed yet counts in `records` a little before it counts in `parents_done`.
pub async fn progress<C: ConnectionTrait>(
    db: &C,
    run_ids: &[i64],
) -> Result<HashMap<i64, ChildrenProgress>, DbErr> {
    if run_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let parents: Vec<(i64, i64)> = sync_run_children::Entity::find()
        .select_only()
        .column(Column::RunId)
        .column_as(Column::ParentId.count(), "parents")
        .filter(Column::RunId.is_in(run_ids.iter().copied()))
        .group_by(Column::RunId)
        .into_tuple()
        .all(db)
        .await?;
    let run_id = Alias::new("run_id");
    let still: Vec<(i64, i64)> = from_still_wanted(
        db,
        run_ids,
        Query::select()
            .column(run_id.clone())
            .expr(Expr::col(run_id.clone()).count())
            .group_by_col(run_id),
    )
    .await?;
    let still: HashMap<i64, i64> = still.into_iter().collect();
    let done: Vec<(i64, Option<i64>, Option<DateTime<Utc>>)> =
        sync_run_children_done::Entity::find()
            .select_only()
            .column(DoneColumn::RunId)
            // Postgres sums bigints as numeric.
            .column_as(
                DoneColumn::Records.sum().cast_as(Alias::new("bigint")),
                "records",
            )
            .column_as(DoneColumn::DoneAt.max(), "last_done_at")
            .filter(DoneColumn::RunId.is_in(run_ids.iter().copied()))
            .group_by(DoneColumn::RunId)
            .into_tuple()
            .all(db)
            .await?;
    let done: HashMap<i64, (Option<i64>, Option<DateTime<Utc>>)> = done
        .into_iter()
        .map(|(run_id, records, last_done_at)| (run_id, (records, last_done_at)))
        .collect();
    Ok(parents
        .into_iter()
        .map(|(run_id, parents)| {
            let (records, last_done_at) = done.get(&run_id).copied().unwrap_or_default();
            let still = still.get(&run_id).copied().unwrap_or(0);
            (
                run_id,
                ChildrenProgress {
                    parents,
                    parents_done: parents - still,
                    records: records.unwrap_or(0),
                    last_done_at,
                },
            )
        })
        .collect())
}
