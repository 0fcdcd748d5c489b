//! `GET /api/stores/{store_id}/{resource}`: the synced records of a store, each as the JSON
//! the store sent, a page at a time; and `GET /api/stores/{store_id}/inventory`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use super::state::ApiState;
use crate::stores::find_store;
use crate::sync::served::{RecordFilter, ServedError, inventory_page, records_page};
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
    let resource = known_resource(&resource)?;
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    let (page, per_page, offset) = paging(query.page, query.per_page)?;
    let filter = RecordFilter {
        status: query.status,
        sku: query.sku,
        modified_after: query
            .modified_after
            .as_deref()
            .map(parse_time)
            .transpose()?,
        include_deleted: query.include_deleted.unwrap_or(false),
    };
    let (total, records) = records_page(db, store_id, resource, &filter, offset, per_page)
        .await
        .map_err(|error| match error {
            ServedError::UnsupportedFilter { .. } => {
                ApiError::invalid("unsupported_filter", error.to_string())
            }
            ServedError::Database(error) => error.into(),
            ServedError::NotJson(_) => ApiError::internal(error.to_string()),
        })?;
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
    let (total, rows) = inventory_page(
        db,
        store_id,
        query.low_stock.unwrap_or(false),
        query.sku.as_deref(),
        offset,
        per_page,
    )
    .await?;
    let items = rows
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

/// A resource named in a path: 404 when there is none of that name.
pub fn known_resource(name: &str) -> Result<Resource, ApiError> {
    name.parse().map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "unknown_resource",
            format!("there is no resource `{name}`"),
        )
    })
}
