//! What the read API serves: a page of a store's records, each as the JSON text the store
//! sent, filtered by the columns its table has; and a page of the inventory view.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::inventory;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::value::RawValue;

use crate::woo::Resource;

/// Which records of a resource a page holds.
#[derive(Debug, Default)]
pub struct RecordFilter {
    pub status: Option<String>,
    pub sku: Option<String>,
    pub modified_after: Option<DateTime<Utc>>,
    /// Also the records deleted upstream, which then begin with `deleted_at`.
    pub include_deleted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServedError {
    #[error("{resource} cannot be filtered by {filter}")]
    UnsupportedFilter {
        resource: Resource,
        filter: &'static str,
    },
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("a stored record is not JSON: {0}")]
    NotJson(String),
}

/// How many records of `resource` the filter matches, and those of them from `offset`,
/// at most `limit`, in key order.
pub async fn records_page<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    filter: &RecordFilter,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<Box<RawValue>>), ServedError> {
    let mut select = Query::select();
    select
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id));
    if !filter.include_deleted {
        select.and_where(Expr::col(Alias::new("deleted_at")).is_null());
    }
    let columns = filter_columns(resource);
    let mut add = |name: &'static str, value: Option<sea_orm::Value>, column: &str| {
        let Some(value) = value else { return Ok(()) };
        if !columns.contains(&name) {
            return Err(ServedError::UnsupportedFilter {
                resource,
                filter: name,
            });
        }
        if name == "modified_after" {
            select.and_where(Expr::col(Alias::new(column)).gt(value));
        } else {
            select.and_where(Expr::col(Alias::new(column)).eq(value));
        }
        Ok(())
    };
    add("status", filter.status.clone().map(Into::into), "status")?;
    add("sku", filter.sku.clone().map(Into::into), "sku")?;
    add(
        "modified_after",
        filter.modified_after.map(Into::into),
        "date_modified_gmt",
    )?;
    let total = count(db, &select).await?;
    select
        .column(Alias::new("deleted_at"))
        .column(Alias::new("raw"));
    for key in resource.key_columns() {
        select.order_by(Alias::new(*key), Order::Asc);
    }
    select.limit(limit).offset(offset);
    let records = db
        .query_all_raw(db.get_database_backend().build(&select))
        .await?
        .iter()
        .map(|row| {
            let raw: String = row.try_get("", "raw")?;
            let deleted_at: Option<DateTime<Utc>> = row.try_get("", "deleted_at")?;
            as_served(raw, deleted_at)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, records))
}

/// How many stock items of a store match, and those of them from `offset`, at most
/// `limit`, by product and variation.
pub async fn inventory_page<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    low_stock_only: bool,
    sku: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<inventory::Model>), DbErr> {
    let mut select = inventory::Entity::find().filter(inventory::Column::StoreId.eq(store_id));
    if low_stock_only {
        select = select.filter(inventory::Column::LowStock.eq(true));
    }
    if let Some(sku) = sku {
        select = select.filter(inventory::Column::Sku.eq(sku));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_asc(inventory::Column::ProductId)
        .order_by_asc(inventory::Column::VariationId)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((total, rows))
}

/// A stored record as the API serves it: its JSON text untouched, with `deleted_at` put
/// first for a record deleted upstream.
fn as_served(raw: String, deleted_at: Option<DateTime<Utc>>) -> Result<Box<RawValue>, ServedError> {
    let text = match deleted_at {
        None => raw,
        Some(at) => {
            let stamp = at.to_rfc3339_opts(SecondsFormat::Secs, true);
            let rest = raw
                .trim_start()
                .strip_prefix('{')
                .unwrap_or("}")
                .trim_start();
            let separator = if rest.starts_with('}') { "" } else { "," };
            format!("{{\"deleted_at\":\"{stamp}\"{separator}{rest}")
        }
    };
    RawValue::from_string(text).map_err(|error| ServedError::NotJson(error.to_string()))
}

/// The filters a resource's table has columns for.
fn filter_columns(resource: Resource) -> &'static [&'static str] {
    use Resource::*;
    match resource {
        Products | ProductVariations => &["status", "sku", "modified_after"],
        Orders | Coupons => &["status", "modified_after"],
        ProductReviews => &["status"],
        Customers => &["modified_after"],
        _ => &[],
    }
}

async fn count<C: ConnectionTrait>(db: &C, select: &SelectStatement) -> Result<u64, DbErr> {
    let mut counting = select.clone();
    counting.expr_as(
        Func::count(Expr::col(Alias::new("store_id"))),
        Alias::new("total"),
    );
    let total = db
        .query_one_raw(db.get_database_backend().build(&counting))
        .await?
        .map(|row| row.try_get::<i64>("", "total"))
        .transpose()?
        .unwrap_or(0);
    Ok(total as u64)
}

/// One record of a store, by its id as events name it (`RecordIdentity`: the id, or for a
/// resource keyed otherwise its key values joined by `:`); a record deleted upstream too,
/// beginning with `deleted_at`.
pub async fn one_record<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    record_id: &str,
) -> Result<Option<Box<RawValue>>, ServedError> {
    let columns = resource.key_columns();
    let own = match resource.parent() {
        Some(_) => &columns[1..],
        None => columns,
    };
    let values: Vec<&str> = record_id.splitn(own.len(), ':').collect();
    if values.len() != own.len() {
        return Ok(None);
    }
    let mut select = Query::select();
    select
        .from(Alias::new(resource.name()))
        .column(Alias::new("deleted_at"))
        .column(Alias::new("raw"))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id));
    for (column, value) in own.iter().zip(values) {
        let value: sea_orm::Value = if holds_text(resource, column) {
            value.into()
        } else {
            match value.parse::<i64>() {
                Ok(number) => number.into(),
                // No row has a number that is not one.
                Err(_) => return Ok(None),
            }
        };
        select.and_where(Expr::col(Alias::new(*column)).eq(value));
    }
    served_rows(db, &select).await.map(|mut rows| rows.pop())
}

/// An order found by its number (`number`, which plugins make differ from its id), with
/// the refunds and notes held for it.
pub struct OrderByNumber {
    pub order: Box<RawValue>,
    pub refunds: Vec<Box<RawValue>>,
    pub notes: Vec<Box<RawValue>>,
}

/// The order of a store with this number: the live one if there is one, else the latest
/// deleted.
pub async fn order_by_number<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    number: &str,
) -> Result<Option<OrderByNumber>, ServedError> {
    let mut select = Query::select();
    select
        .from(Alias::new("orders"))
        .columns([Alias::new("woo_id"), Alias::new("deleted_at")])
        .column(Alias::new("raw"))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new("number")).eq(number))
        .order_by_expr(Expr::col(Alias::new("deleted_at")).is_null(), Order::Desc)
        .order_by(Alias::new("woo_id"), Order::Desc)
        .limit(1);
    let Some(row) = db
        .query_one_raw(db.get_database_backend().build(&select))
        .await?
    else {
        return Ok(None);
    };
    let order_id: i64 = row.try_get("", "woo_id")?;
    let order = as_served(row.try_get("", "raw")?, row.try_get("", "deleted_at")?)?;
    let mut children = Vec::new();
    for table in ["order_refunds", "order_notes"] {
        let mut select = Query::select();
        select
            .from(Alias::new(table))
            .column(Alias::new("deleted_at"))
            .column(Alias::new("raw"))
            .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
            .and_where(Expr::col(Alias::new("order_id")).eq(order_id))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .order_by(Alias::new("woo_id"), Order::Asc);
        children.push(served_rows(db, &select).await?);
    }
    let notes = children.pop().unwrap_or_default();
    let refunds = children.pop().unwrap_or_default();
    Ok(Some(OrderByNumber {
        order,
        refunds,
        notes,
    }))
}

/// Key columns that hold text rather than numbers.
fn holds_text(resource: Resource, column: &str) -> bool {
    matches!(column, "slug" | "code" | "location_type")
        || (column == "woo_id"
            && matches!(
                resource,
                Resource::PaymentGateways | Resource::ShippingMethods
            ))
}

async fn served_rows<C: ConnectionTrait>(
    db: &C,
    select: &SelectStatement,
) -> Result<Vec<Box<RawValue>>, ServedError> {
    db.query_all_raw(db.get_database_backend().build(select))
        .await?
        .iter()
        .map(|row| as_served(row.try_get("", "raw")?, row.try_get("", "deleted_at")?))
        .collect()
}
