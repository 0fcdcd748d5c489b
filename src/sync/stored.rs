//! Reading back what was synced: each record as the JSON the store sent.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, JsonValue, QueryResult, StatementBuilder};

use crate::woo::Resource;

/// A record's `raw`, read as JSON.
pub fn raw_json(row: &QueryResult) -> Result<JsonValue, DbErr> {
    let text: String = row.try_get("", "raw")?;
    serde_json::from_str(&text).map_err(|error| DbErr::Json(error.to_string()))
}

/// How many live (not tombstoned) records of `resource` each store has, or only `store`.
pub async fn live_record_counts<C: ConnectionTrait>(
    db: &C,
    resource: Resource,
    store: Option<i64>,
) -> Result<HashMap<i64, i64>, DbErr> {
    let mut select = Query::select();
    select
        .column(Alias::new("store_id"))
        .expr_as(
            Func::count(Expr::col(Alias::new("store_id"))),
            Alias::new("records"),
        )
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null())
        .group_by_col(Alias::new("store_id"));
    if let Some(store) = store {
        select.and_where(Expr::col(Alias::new("store_id")).eq(store));
    }
    let statement = StatementBuilder::build(&select, &db.get_database_backend());
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "store_id")?, row.try_get("", "records")?)))
        .collect()
}

/// The records of `resource` kept for a store, in key order, each as the JSON the store
/// sent; tombstoned ones only when `include_deleted`.
pub async fn stored_records<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    include_deleted: bool,
) -> Result<Vec<JsonValue>, DbErr> {
    stored_texts(db, store_id, resource, include_deleted)
        .await?
        .iter()
        .map(|text| {
            serde_json::from_str(text)
                .map_err(|error| DbErr::Json(format!("a stored record: {error}")))
        })
        .collect()
}

/// The same, each as the text the store sent, byte for byte.
pub async fn stored_texts<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    include_deleted: bool,
) -> Result<Vec<String>, DbErr> {
    let mut query = Query::select();
    query
        .column(Alias::new("raw"))
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id));
    if !include_deleted {
        query.and_where(Expr::col(Alias::new("deleted_at")).is_null());
    }
    for key in resource.key_columns() {
        query.order_by(Alias::new(*key), Order::Asc);
    }
    let statement = StatementBuilder::build(&query, &db.get_database_backend());
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "raw"))
        .collect()
}

/// What is kept of one record, for an ID sweep to compare with the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredVersion {
    pub date_modified_gmt: Option<chrono::DateTime<chrono::Utc>>,
    pub deleted: bool,
    pub synced_at: chrono::DateTime<chrono::Utc>,
}

impl StoredVersion {
    /// Whether the store's version, modified at `upstream`, is worth fetching over this
    /// one: it is newer, or this one is a tombstone.
    pub fn behind(&self, upstream: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        if self.deleted {
            return true;
        }
        match (upstream, self.date_modified_gmt) {
            (Some(upstream), Some(kept)) => upstream > kept,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// Every record of a top-level `resource` kept for a store with a WooCommerce id in `ids`,
/// handed to `each` with its id in ascending id order. Rows are read a few thousand at a
/// time and nothing is gathered: a store's 100,000 orders read at once would hold every
/// row's driver copy, and a map of them several megabytes more.
pub async fn each_stored_version<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    ids: RangeInclusive<i64>,
    mut each: impl FnMut(i64, StoredVersion),
) -> Result<(), DbErr> {
    let mut query = Query::select();
    query
        .columns([
            Alias::new("woo_id"),
            Alias::new("deleted_at"),
            Alias::new("synced_at"),
        ])
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new("woo_id")).gte(*ids.start()))
        .and_where(Expr::col(Alias::new("woo_id")).lte(*ids.end()));
    if resource.has_modified_date() {
        query.column(Alias::new("date_modified_gmt"));
    }
    in_id_order(db, query, ROWS_AT_A_TIME, |rows| {
        for row in rows {
            let date_modified_gmt = if resource.has_modified_date() {
                row.try_get("", "date_modified_gmt")?
            } else {
                None
            };
            let deleted_at: Option<chrono::DateTime<chrono::Utc>> =
                row.try_get("", "deleted_at")?;
            each(
                row.try_get::<i64>("", "woo_id")?,
                StoredVersion {
                    date_modified_gmt,
                    deleted: deleted_at.is_some(),
                    synced_at: row.try_get("", "synced_at")?,
                },
            );
        }
        Ok(())
    })
    .await
}

/// Rows read in one query where a whole store's records are gone through.
pub const ROWS_AT_A_TIME: u64 = 5_000;

/// Runs `query` (which selects `woo_id`) over a store's table in `woo_id` order, `batch`
/// rows at a time, handing each batch to `each`.
async fn in_id_order<C: ConnectionTrait>(
    db: &C,
    query: SelectStatement,
    batch: u64,
    mut each: impl FnMut(Vec<QueryResult>) -> Result<(), DbErr>,
) -> Result<(), DbErr> {
    let mut after = i64::MIN;
    loop {
        let mut page = query.clone();
        page.and_where(Expr::col(Alias::new("woo_id")).gt(after))
            .order_by(Alias::new("woo_id"), Order::Asc)
            .limit(batch);
        let statement = StatementBuilder::build(&page, &db.get_database_backend());
        let rows = db.query_all_raw(statement).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("", "woo_id")?;
        each(rows)?;
    }
}

/// Parents of a store whose JSON lists children (a variable product's `variations`, an
/// order's `refunds`) that are not all kept: their children must be fetched again. Found
/// in the database alone, without a request.
pub async fn parents_missing_children<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    parent: Resource,
) -> Result<Vec<i64>, DbErr> {
    let (child, list_field) = match parent {
        Resource::Products => (Resource::ProductVariations, "variations"),
        Resource::Orders => (Resource::OrderRefunds, "refunds"),
        _ => return Ok(Vec::new()),
    };
    let parent_column = child.key_columns()[0];
    let mut query = Query::select();
    query
        .columns([Alias::new(parent_column), Alias::new("woo_id")])
        .from(Alias::new(child.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    let statement = StatementBuilder::build(&query, &db.get_database_backend());
    let mut kept: std::collections::HashSet<(i64, i64)> = std::collections::HashSet::new();
    for row in db.query_all_raw(statement).await? {
        kept.insert((row.try_get("", parent_column)?, row.try_get("", "woo_id")?));
    }
    // Parents are read a thousand at a time, not ROWS_AT_A_TIME: these rows carry JSON.
    let mut query = Query::select();
    query
        .columns([Alias::new("woo_id"), Alias::new("raw")])
        .from(Alias::new(parent.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    let mut missing = Vec::new();
    in_id_order(db, query, 1_000, |rows| {
        for row in rows {
            let parent_id: i64 = row.try_get("", "woo_id")?;
            let raw = raw_json(&row)?;
            let listed = raw
                .get(list_field)
                .and_then(JsonValue::as_array)
                .into_iter()
                .flatten()
                // Variations are listed as ids, refunds as objects with an id.
                .filter_map(|item| item.as_i64().or_else(|| item.get("id")?.as_i64()));
            if listed
                .into_iter()
                .any(|child_id| !kept.contains(&(parent_id, child_id)))
            {
                missing.push(parent_id);
            }
        }
        Ok(())
    })
    .await?;
    Ok(missing)
}
