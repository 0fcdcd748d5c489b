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
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    StatementBuilder,
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

/// The condition, on a row of `sync_run_children`, that its children are written.
fn is_done() -> SimpleExpr {
    Expr::col((sync_run_children_done::Entity, DoneColumn::RunId))
        .equals((sync_run_children::Entity, Column::RunId))
        .and(
            Expr::col((sync_run_children_done::Entity, DoneColumn::Resource))
                .equals((sync_run_children::Entity, Column::Resource)),
        )
        .and(
            Expr::col((sync_run_children_done::Entity, DoneColumn::ParentId))
                .equals((sync_run_children::Entity, Column::ParentId)),
        )
}

/// The condition that a row of `sync_run_children` is wanted still.
fn not_done() -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(sync_run_children_done::Entity)
            .and_where(is_done())
            .to_owned(),
    )
    .not()
}

/// Whether `run` still wants any children.
pub async fn any_wanted<C: ConnectionTrait>(db: &C, run_id: i64) -> Result<bool, DbErr> {
    Ok(sync_run_children::Entity::find()
        .select_only()
        .column(Column::RunId)
        .filter(Expr::col((sync_run_children::Entity, Column::RunId)).eq(run_id))
        .filter(not_done())
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}

/// The children `run` still wants, by resource.
pub async fn still_wanted<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<Vec<WantedChildren>, DbErr> {
    let rows: Vec<(String, i64)> = sync_run_children::Entity::find()
        .select_only()
        .columns([Column::Resource, Column::ParentId])
        .filter(Expr::col((sync_run_children::Entity, Column::RunId)).eq(run_id))
        .filter(not_done())
        .into_tuple()
        .all(db)
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromQueryResult)]
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
pub async fn progress<C: ConnectionTrait>(
    db: &C,
    run_ids: &[i64],
) -> Result<HashMap<i64, ChildrenProgress>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        run_id: i64,
        parents: i64,
        parents_done: i64,
        records: Option<i64>,
        last_done_at: Option<DateTime<Utc>>,
    }
    if run_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let done = |column: DoneColumn| Expr::col((sync_run_children_done::Entity, column));
    let query = Query::select()
        .column((sync_run_children::Entity, Column::RunId))
        .expr_as(
            Expr::col((sync_run_children::Entity, Column::ParentId)).count(),
            "parents",
        )
        .expr_as(done(DoneColumn::DoneAt).count(), "parents_done")
        // Postgres sums bigints as numeric.
        .expr_as(
            done(DoneColumn::Records)
                .sum()
                .cast_as(Alias::new("bigint")),
            "records",
        )
        .expr_as(done(DoneColumn::DoneAt).max(), "last_done_at")
        .from(sync_run_children::Entity)
        .join(
            JoinType::LeftJoin,
            sync_run_children_done::Entity,
            is_done(),
        )
        .and_where(
            Expr::col((sync_run_children::Entity, Column::RunId)).is_in(run_ids.iter().copied()),
        )
        .group_by_col((sync_run_children::Entity, Column::RunId))
        .to_owned();
    let statement = StatementBuilder::build(&query, &db.get_database_backend());
    let rows = db
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|row| Row::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.run_id,
                ChildrenProgress {
                    parents: row.parents,
                    parents_done: row.parents_done,
                    records: row.records.unwrap_or(0),
                    last_done_at: row.last_done_at,
                },
            )
        })
        .collect())
}
