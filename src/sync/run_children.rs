//! The children a sync run asked for: each parent whose children it wants (a variable
//! product's variations, an order's refunds and notes) is written as wanted in the
//! transaction that writes the parent, and marked done in the one that writes its
//! children. A run is done when its listing is and none of its children are wanted still;
//! what is still wanted is what a resumed run fetches again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::sync_run_children::{self, Column};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use crate::woo::Resource;

/// Children of one resource wanted under these parents.
#[derive(Debug, Clone, PartialEq)]
pub struct WantedChildren {
    pub resource: Resource,
    pub parent_ids: Vec<i64>,
}

/// Rows written in one statement at most (five values each).
const ROWS_PER_STATEMENT: usize = 1_000;

/// Notes that `run` wants these children, unless already noted (or already done: a
/// children job may finish before the page that asked for it is committed).
pub async fn mark_wanted<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    wanted: &[WantedChildren],
) -> Result<(), DbErr> {
    let mut keys: Vec<(Resource, i64)> = wanted
        .iter()
        .flat_map(|children| {
            children
                .parent_ids
                .iter()
                .map(|parent_id| (children.resource, *parent_id))
        })
        .collect();
    // In key order, as `mark_done` writes them, so that the two lock the rows they share
    // in the same order.
    keys.sort_by_key(|(resource, parent_id)| (resource.name(), *parent_id));
    let rows: Vec<sync_run_children::ActiveModel> = keys
        .into_iter()
        .map(|(resource, parent_id)| sync_run_children::ActiveModel {
            run_id: Set(run_id),
            resource: Set(resource),
            parent_id: Set(parent_id),
            records: Set(0),
            done_at: Set(None),
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

/// Marks the children of these parents done, with how many each listed.
pub async fn mark_done<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    resource: Resource,
    listed: &[(i64, usize)],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut listed = listed.to_vec();
    listed.sort_by_key(|(parent_id, _)| *parent_id);
    let rows: Vec<sync_run_children::ActiveModel> = listed
        .iter()
        .map(|(parent_id, records)| sync_run_children::ActiveModel {
            run_id: Set(run_id),
            resource: Set(resource),
            parent_id: Set(*parent_id),
            records: Set(*records as i64),
            done_at: Set(Some(at)),
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        sync_run_children::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([Column::RunId, Column::Resource, Column::ParentId])
                    .update_columns([Column::Records, Column::DoneAt])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Whether `run` still wants any children.
pub async fn any_wanted<C: ConnectionTrait>(db: &C, run_id: i64) -> Result<bool, DbErr> {
    Ok(sync_run_children::Entity::find()
        .filter(Column::RunId.eq(run_id))
        .filter(Column::DoneAt.is_null())
        .count(db)
        .await?
        > 0)
}

/// The children `run` still wants, by resource.
pub async fn still_wanted<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<Vec<WantedChildren>, DbErr> {
    let rows: Vec<(String, i64)> = sync_run_children::Entity::find()
        .select_only()
        .columns([Column::Resource, Column::ParentId])
        .filter(Column::RunId.eq(run_id))
        .filter(Column::DoneAt.is_null())
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
    let rows = sync_run_children::Entity::find()
        .select_only()
        .column(Column::RunId)
        .column_as(Expr::col(Column::ParentId).count(), "parents")
        .column_as(Expr::col(Column::DoneAt).count(), "parents_done")
        // Postgres sums bigints as numeric.
        .column_as(
            Expr::col(Column::Records)
                .sum()
                .cast_as(Alias::new("bigint")),
            "records",
        )
        .column_as(Expr::col(Column::DoneAt).max(), "last_done_at")
        .filter(Column::RunId.is_in(run_ids.iter().copied()))
        .group_by(Column::RunId)
        .into_model::<Row>()
        .all(db)
        .await?;
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
