//! `GET /api/stores/{store_id}/{resource}`: the synced records of a store, each as the JSON
//! the store sent, a page at a time; and `GET /api/stores/{store_id}/inventory`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use entity::inventory;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use super::state::ApiState;
use crate::stores::find_store;
use crate::sync::stored::raw_text;
use crate::woo::Resource;

const DEFAULT_PER_PAGE: u64 = 50;
const MAX_PER_PAGE: u64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecordsQuery {
    /// 1-based (default 1).
    pub page: Option<u64>,
    /// Default 50, at most 500.
    pub per_page: Option<u64>,
    /// Products, variations, orders, coupons, reviews.
    pub status: Option<String>,
    /// Products and variations.
    pub sku: Option<String>,
    /// Changed after this time (RFC 3339, or GMT without a zone as WooCommerce writes it):
    /// products, variations, orders, coupons, customers.
    pub modified_after: Option<String>,
    /// Also records deleted upstream (they carry `deleted_at`).
    pub include_deleted: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InventoryQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// Only items at or under their low-stock threshold.
    pub low_stock: Option<bool>,
    pub sku: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordsPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub total_pages: u64,
    /// Each record as the store sent it, byte for byte; one deleted upstream (listed with
    /// `include_deleted=true`) begins with `deleted_at`.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Box<RawValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryItem {
    pub product_id: i64,
    /// 0 for a product's own stock.
    pub variation_id: i64,
    pub sku: Option<String>,
    pub stock_quantity: Option<i64>,
    pub stock_status: Option<String>,
    pub manage_stock: bool,
    pub backorders: Option<String>,
    pub low_stock_amount: Option<i64>,
    pub low_stock: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub total_pages: u64,
    pub items: Vec<InventoryItem>,
}

#[utoipa::path(
    get,
    path = "/api/stores/{store_id}/{resource}",
    tag = "records",
    params(
        ("store_id" = i64, Path),
        ("resource" = String, Path, description = "products, product_variations, orders, order_refunds, order_notes, customers, coupons, product_categories, ..."),
        RecordsQuery,
    ),
    responses(
        (status = 200, description = "A page of records", body = RecordsPage),
        (status = 400, description = "A bad query parameter", body = ErrorBody),
        (status = 404, description = "No such store or resource", body = ErrorBody),
        (status = 422, description = "A filter the resource does not have", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_records(
    State(state): State<ApiState>,
    ApiPath((store_id, resource)): ApiPath<(i64, String)>,
    ApiQuery(query): ApiQuery<RecordsQuery>,
) -> Result<Json<RecordsPage>, ApiError> {
    let resource: Resource = resource.parse().map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "unknown_resource",
            format!("there is no resource `{resource}`"),
        )
    })?;
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    let (page, per_page, offset) = paging(query.page, query.per_page)?;
    let mut select = Query::select();
    select
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id));
    if !query.include_deleted.unwrap_or(false) {
        select.and_where(Expr::col(Alias::new("deleted_at")).is_null());
    }
    let columns = filter_columns(resource);
    let mut filter = |name: &'static str, value: Option<sea_orm::Value>, column: &str| {
        let Some(value) = value else { return Ok(()) };
        if !columns.contains(&name) {
            return Err(ApiError::invalid(
                "unsupported_filter",
                format!("{resource} cannot be filtered by {name}"),
            ));
        }
        if name == "modified_after" {
            select.and_where(Expr::col(Alias::new(column)).gt(value));
        } else {
            select.and_where(Expr::col(Alias::new(column)).eq(value));
        }
        Ok(())
    };
    filter("status", query.status.map(Into::into), "status")?;
    filter("sku", query.sku.map(Into::into), "sku")?;
    let modified_after = query
        .modified_after
        .as_deref()
        .map(parse_time)
        .transpose()?;
    filter(
        "modified_after",
        modified_after.map(Into::into),
        "date_modified_gmt",
    )?;
    let total = count(db, &select).await?;
    select
        .column(Alias::new("deleted_at"))
        .expr_as(raw_text(), Alias::new("raw"));
    for key in resource.key_columns() {
        select.order_by(Alias::new(*key), Order::Asc);
    }
    select.limit(per_page).offset(offset);
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
    Ok(Json(RecordsPage {
        total,
        page,
        per_page,
        total_pages: total.div_ceil(per_page),
        records,
    }))
}

#[utoipa::path(
    get,
    path = "/api/stores/{store_id}/inventory",
    tag = "records",
    params(("store_id" = i64, Path), InventoryQuery),
    responses(
        (status = 200, description = "Stock of every product and variation", body = InventoryPage),
        (status = 404, description = "No such store", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_inventory(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<InventoryQuery>,
) -> Result<Json<InventoryPage>, ApiError> {
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    let (page, per_page, offset) = paging(query.page, query.per_page)?;
    let mut select = inventory::Entity::find().filter(inventory::Column::StoreId.eq(store_id));
    if query.low_stock.unwrap_or(false) {
        select = select.filter(inventory::Column::LowStock.eq(true));
    }
    if let Some(sku) = query.sku {
        select = select.filter(inventory::Column::Sku.eq(sku));
    }
    let total = select.clone().count(db).await?;
    let items = select
        .order_by_asc(inventory::Column::ProductId)
        .order_by_asc(inventory::Column::VariationId)
        .offset(offset)
        .limit(per_page)
        .all(db)
        .await?
        .into_iter()
        .map(|row| InventoryItem {
            product_id: row.product_id,
            variation_id: row.variation_id,
            sku: row.sku,
            stock_quantity: row.stock_quantity,
            stock_status: row.stock_status,
            manage_stock: row.manage_stock,
            backorders: row.backorders,
            low_stock_amount: row.low_stock_amount,
            low_stock: row.low_stock.unwrap_or(false),
        })
        .collect();
    Ok(Json(InventoryPage {
        total,
        page,
        per_page,
        total_pages: total.div_ceil(per_page),
        items,
    }))
}

/// A stored record as the API serves it: its JSON text untouched, with `deleted_at` put
/// first for a record deleted upstream.
fn as_served(raw: String, deleted_at: Option<DateTime<Utc>>) -> Result<Box<RawValue>, ApiError> {
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
    RawValue::from_string(text)
        .map_err(|error| ApiError::internal(format!("a stored record is not JSON: {error}")))
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

/// The page, its size, and the offset it starts at (which the database must be able to
/// take: at most `i64::MAX`).
pub fn paging(page: Option<u64>, per_page: Option<u64>) -> Result<(u64, u64, u64), ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page == 0 {
        return Err(ApiError::bad_request("invalid_query", "page starts at 1"));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("per_page is 1 to {MAX_PER_PAGE}"),
        ));
    }
    let offset = (page - 1)
        .checked_mul(per_page)
        .filter(|offset| i64::try_from(*offset).is_ok())
        .ok_or_else(|| ApiError::bad_request("invalid_query", "page is out of range"))?;
    Ok((page, per_page, offset))
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").map(|time| time.and_utc())
        })
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_query",
                format!("modified_after `{text}` is not a time such as 2026-01-31T12:00:00Z"),
            )
        })
}

async fn count(db: &DatabaseConnection, select: &SelectStatement) -> Result<u64, ApiError> {
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
