//! Lookups of one record: `GET /api/stores/{store_id}/{resource}/{record_id}`, and an order
//! by its number with its refunds and notes,
//! `GET /api/stores/{store_id}/orders/by-number/{number}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::records::known_resource;
use super::state::ApiState;
use crate::stores::find_store;
use crate::sync::served::{ServedError, one_record, order_by_number};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderWithChildren {
    /// As the store sent it; begins with `deleted_at` if deleted upstream.
    #[schema(value_type = Object)]
    pub order: Box<RawValue>,
    #[schema(value_type = Vec<Object>)]
    pub refunds: Vec<Box<RawValue>>,
    /// Only those synced: order notes are backfilled when the store asks for it.
    #[schema(value_type = Vec<Object>)]
    pub notes: Vec<Box<RawValue>>,
}

#[utoipa::path(
    get,
    path = "/api/stores/{store_id}/{resource}/{record_id}",
    tag = "records",
    params(
        ("store_id" = i64, Path),
        ("resource" = String, Path, description = "orders, products, product_variations, customers, ..."),
        ("record_id" = String, Path, description = "The record's WooCommerce id (a tax class's slug; a zone location's `type:code`)"),
    ),
    responses(
        (status = 200, description = "The record as the store sent it; one deleted upstream begins with `deleted_at`", body = Object),
        (status = 404, description = "No such store, resource or record", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_record(
    State(state): State<ApiState>,
    ApiPath((store_id, resource, record_id)): ApiPath<(i64, String, String)>,
) -> Result<Json<Box<RawValue>>, ApiError> {
    let resource = known_resource(&resource)?;
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    one_record(db, store_id, resource, &record_id)
        .await
        .map_err(served_error)?
        .map(Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "record_not_found",
                format!("store {store_id} has no {resource} record `{record_id}`"),
            )
        })
}

#[utoipa::path(
    get,
    path = "/api/stores/{store_id}/orders/by-number/{number}",
    tag = "records",
    params(
        ("store_id" = i64, Path),
        ("number" = String, Path, description = "The order's `number`, as the store shows it to customers"),
    ),
    responses(
        (status = 200, description = "The order, its refunds and its notes", body = OrderWithChildren),
        (status = 404, description = "No such store or order", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_order_by_number(
    State(state): State<ApiState>,
    ApiPath((store_id, number)): ApiPath<(i64, String)>,
) -> Result<Json<OrderWithChildren>, ApiError> {
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    let found = order_by_number(db, store_id, &number)
        .await
        .map_err(served_error)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "order_not_found",
                format!("store {store_id} has no order numbered `{number}`"),
            )
        })?;
    Ok(Json(OrderWithChildren {
        order: found.order,
        refunds: found.refunds,
        notes: found.notes,
    }))
}

fn served_error(error: ServedError) -> ApiError {
    match error {
        ServedError::Database(error) => error.into(),
        other => ApiError::internal(other.to_string()),
    }
}
