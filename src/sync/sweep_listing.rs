//! What an ID sweep has listed so far: each page of ids and modified dates, kept as it
//! arrives, so that an attempt that met a failing page leaves the pages it listed for the
//! next, which lists only the rest.

use chrono::{DateTime, Utc};
use entity::sweep_listings::{self, Column};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// A record as a sweep lists it: its id and modified date.
pub type Listed = (i64, Option<DateTime<Utc>>);

/// One page of a sweep's listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedPage {
    pub page: u32,
    /// The pages the store said the listing has, if it said.
    pub total_pages: Option<u32>,
    /// Whether it came back full, so another may follow.
    pub full: bool,
    pub listed_at: DateTime<Utc>,
    pub records: Vec<Listed>,
}

/// Keeps a page the sweep of `run_id` listed (again, if it was listed before).
pub async fn keep<C: ConnectionTrait>(db: &C, run_id: i64, page: &ListedPage) -> Result<(), DbErr> {
    let records: Vec<(i64, Option<i64>)> = page
        .records
        .iter()
        .map(|(id, modified)| (*id, modified.map(|at| at.timestamp())))
        .collect();
    let records =
        serde_json::to_string(&records).map_err(|error| DbErr::Json(error.to_string()))?;
    sweep_listings::Entity::insert(sweep_listings::ActiveModel {
        run_id: Set(run_id),
        page: Set(i64::from(page.page)),
        total_pages: Set(page.total_pages.map(i64::from)),
        full: Set(page.full),
        listed_at: Set(page.listed_at),
        records: Set(records),
    })
    .on_conflict(
        OnConflict::columns([Column::RunId, Column::Page])
            .update_columns([
                Column::TotalPages,
                Column::Full,
                Column::ListedAt,
                Column::Records,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The pages the sweep of `run_id` has listed, in page order.
pub async fn listed<C: ConnectionTrait>(db: &C, run_id: i64) -> Result<Vec<ListedPage>, DbErr> {
    let rows = sweep_listings::Entity::find()
        .filter(Column::RunId.eq(run_id))
        .order_by_asc(Column::Page)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let records: Vec<(i64, Option<i64>)> = serde_json::from_str(&row.records)
                .map_err(|error| DbErr::Json(format!("a sweep's listed page: {error}")))?;
            Ok(ListedPage {
                page: u32::try_from(row.page).unwrap_or(u32::MAX),
                total_pages: row.total_pages.and_then(|pages| u32::try_from(pages).ok()),
                full: row.full,
                listed_at: row.listed_at,
                records: records
                    .into_iter()
                    .map(|(id, modified)| {
                        (id, modified.and_then(|at| DateTime::from_timestamp(at, 0)))
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The pages the sweep of `run_id` has listed, without their records: (page, the pages the
/// store said there are, whether it came back full).
pub async fn listed_pages<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<Vec<(u32, Option<u32>, bool)>, DbErr> {
    let pages: Vec<(i64, Option<i64>, bool)> = sweep_listings::Entity::find()
        .select_only()
        .columns([Column::Page, Column::TotalPages, Column::Full])
        .filter(Column::RunId.eq(run_id))
        .order_by_asc(Column::Page)
        .into_tuple()
        .all(db)
        .await?;
    Ok(pages
        .into_iter()
        .filter_map(|(page, total, full)| {
            Some((
                u32::try_from(page).ok()?,
                total.and_then(|total| u32::try_from(total).ok()),
                full,
            ))
        })
        .collect())
}

/// Forgets what the sweep of `run_id` listed, once it is done.
pub async fn forget<C: ConnectionTrait>(db: &C, run_id: i64) -> Result<(), DbErr> {
    sweep_listings::Entity::delete_many()
        .filter(Column::RunId.eq(run_id))
        .exec(db)
        .await?;
    Ok(())
}
