//! `/api/stores`: the connected stores (never their secrets), one store with what is synced
//! of it, and disconnecting one.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use entity::{stores, webhook_subscriptions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use super::state::ApiState;
use crate::pipeline::resume::resume_store_runs;
use crate::stores::{
    SettingsError, StoreSettings, StoreStatus, all_stores, change_settings, erase_store,
    find_store, set_status,
};
use crate::sync::quarantine;
use crate::sync::runs::last_synced;
use crate::sync::stored::live_record_counts;
use crate::webhooks::registration::{remove_webhooks, subscriptions};
use crate::woo::Resource;

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreView {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// `active`, `auth_failed`, `rest_disabled` or `paused`.
    pub status: String,
    pub status_reason: Option<String>,
    pub auth_mode: String,
    pub rate_limit: f64,
    pub woocommerce_version: Option<String>,
    pub wordpress_version: Option<String>,
    pub currency: Option<String>,
    pub backfill_order_notes: bool,
    /// The store's low-stock threshold, used where a product or variation sets none.
    pub low_stock_amount: i64,
    /// Why that is WooCommerce's default of 2 rather than the store's own setting.
    pub low_stock_amount_note: Option<String>,
    /// The store's own schedules (cron, seconds first); none follows the process's.
    pub poll_cron: Option<String>,
    pub sweep_cron: Option<String>,
    pub refresh_cron: Option<String>,
    pub connected_at: DateTime<Utc>,
    pub webhooks: Vec<WebhookView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub topic: String,
    pub status: String,
    pub checked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreDetail {
    #[serde(flatten)]
    pub store: StoreView,
    pub resources: Vec<ResourceSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceSummary {
    pub resource: String,
    /// Records kept, not counting those deleted upstream.
    pub records: i64,
    /// Records the store sent that could not be parsed or stored
    /// (`GET /api/stores/{id}/quarantine`).
    pub quarantined: i64,
    pub last_synced_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Disconnected {
    pub store_id: i64,
    pub records_erased: u64,
    /// Our webhooks removed at the store; none when the store could not be reached.
    pub webhooks_removed: usize,
    /// Why the webhooks could not be removed, when they could not.
    pub warning: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/stores",
    tag = "stores",
    responses((status = 200, description = "Every connected store", body = Vec<StoreView>)),
    security(("api_token" = []))
)]
pub async fn list_stores(State(state): State<ApiState>) -> Result<Json<Vec<StoreView>>, ApiError> {
    let db = &state.services.db;
    let all = all_stores(db).await?;
    let mut webhooks = subscriptions(db, None).await?;
    Ok(Json(
        all.into_iter()
            .map(|store| {
                let (own, rest) = webhooks
                    .drain(..)
                    .partition(|webhook| webhook.store_id == store.id);
                webhooks = rest;
                view(store, own)
            })
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/stores/{store_id}",
    tag = "stores",
    params(("store_id" = i64, Path)),
    responses(
        (status = 200, description = "The store, with its records per resource", body = StoreDetail),
        (status = 404, description = "No such store", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_store(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
) -> Result<Json<StoreDetail>, ApiError> {
    let db = &state.services.db;
    let store = find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    let webhooks = subscriptions(db, Some(store_id)).await?;
    let finished: Vec<(Resource, DateTime<Utc>)> = last_synced(db)
        .await?
        .into_iter()
        .filter(|(of, _, _)| *of == store_id)
        .map(|(_, resource, at)| (resource, at))
        .collect();
    let quarantined = quarantine::counts_by_resource(db, store_id).await?;
    let mut resources = Vec::with_capacity(Resource::ALL.len());
    for resource in Resource::ALL {
        let records = live_record_counts(db, resource, Some(store_id))
            .await?
            .get(&store_id)
            .copied()
            .unwrap_or(0);
        // A child resource is synced with its parent's runs.
        let synced_by = resource.parent().unwrap_or(resource);
        let last_synced_at = finished
            .iter()
            .find(|(resource, _)| *resource == synced_by)
            .map(|(_, at)| *at);
        resources.push(ResourceSummary {
            resource: resource.name().to_string(),
            records,
            quarantined: quarantined
                .iter()
                .find(|(name, _)| name == resource.name())
                .map_or(0, |(_, count)| *count),
            last_synced_at,
        });
    }
    Ok(Json(StoreDetail {
        store: view(store, webhooks),
        resources,
    }))
}

#[utoipa::path(
    delete,
    path = "/api/stores/{store_id}",
    tag = "stores",
    params(("store_id" = i64, Path)),
    responses(
        (status = 200, description = "Disconnected: our webhooks removed at the store, its jobs stopped, its data erased", body = Disconnected),
        (status = 404, description = "No such store", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn disconnect_store(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
) -> Result<Json<Disconnected>, ApiError> {
    let services = &state.services;
    let store = find_store(&services.db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    // A store that cannot be reached is still disconnected: its webhooks then fail at the
    // store and WooCommerce disables them on its own.
    let (webhooks_removed, warning) = match remove_webhooks(&services.context, &store).await {
        Ok(removed) => (removed, None),
        Err(error) => (
            0,
            Some(format!(
                "our webhooks could not be removed at the store: {error}"
            )),
        ),
    };
    // The store's jobs still queued find no store and end without doing anything.
    let records_erased = erase_store(&services.db, store_id).await?;
    state.webhook_secrets.forget(store_id);
    Ok(Json(Disconnected {
        store_id,
        records_erased,
        webhooks_removed,
        warning,
    }))
}

fn view(store: stores::Model, webhooks: Vec<webhook_subscriptions::Model>) -> StoreView {
    StoreView {
        id: store.id,
        name: store.name,
        url: store.url,
        status: store.status.to_string(),
        status_reason: store.status_reason,
        auth_mode: store.auth_mode.to_string(),
        rate_limit: store.rate_limit_per_s,
        woocommerce_version: store.wc_version,
        wordpress_version: store.wp_version,
        currency: store.currency,
        backfill_order_notes: store.backfill_order_notes,
        low_stock_amount: store.low_stock_amount,
        low_stock_amount_note: store.low_stock_amount_note,
        poll_cron: store.poll_cron,
        sweep_cron: store.sweep_cron,
        refresh_cron: store.refresh_cron,
        connected_at: store.connected_at,
        webhooks: webhooks
            .into_iter()
            .map(|webhook| WebhookView {
                topic: webhook.topic,
                status: webhook.status,
                checked_at: webhook.checked_at,
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreStatusChanged {
    pub store_id: i64,
    pub status: String,
}

#[utoipa::path(
    post,
    path = "/api/stores/{store_id}/pause",
    tag = "stores",
    params(("store_id" = i64, Path)),
    responses(
        (status = 200, description = "Paused: its jobs do nothing, the clock skips it, webhooks are dropped", body = StoreStatusChanged),
        (status = 404, description = "No such store", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn pause_store(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
) -> Result<Json<StoreStatusChanged>, ApiError> {
    Ok(Json(
        change_status(&state, store_id, StoreStatus::Paused).await?,
    ))
}

/// The settings to change; what is left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStore {
    pub name: Option<String>,
    /// Requests per second woosync may send the store.
    pub rate_limit: Option<f64>,
    pub backfill_order_notes: Option<bool>,
    /// When the store is polled for changes (cron, seconds first); null follows
    /// `WOOSYNC_POLL_CRON` again.
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub poll_cron: Option<Option<String>>,
    /// When the store gets an ID sweep; null follows `WOOSYNC_SWEEP_CRON`.
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub sweep_cron: Option<Option<String>>,
    /// When every record is listed again; null follows `WOOSYNC_REFRESH_CRON`.
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub refresh_cron: Option<Option<String>>,
}

#[utoipa::path(
    patch,
    path = "/api/stores/{store_id}",
    tag = "stores",
    params(("store_id" = i64, Path)),
    request_body = ChangeStore,
    responses(
        (status = 200, description = "Changed; the store as it is now", body = StoreView),
        (status = 404, description = "No such store", body = ErrorBody),
        (status = 422, description = "A value is refused: invalid_name, invalid_rate_limit, invalid_schedule", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn change_store(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
    ApiJson(change): ApiJson<ChangeStore>,
) -> Result<Json<StoreView>, ApiError> {
    let db = &state.services.db;
    let settings = StoreSettings {
        name: change.name,
        rate_limit: change.rate_limit,
        backfill_order_notes: change.backfill_order_notes,
        poll_cron: change.poll_cron,
        sweep_cron: change.sweep_cron,
        refresh_cron: change.refresh_cron,
    };
    let store = change_settings(db, store_id, settings)
        .await
        .map_err(|error| match error {
            SettingsError::NotFound(_) => ApiError::store_not_found(store_id),
            SettingsError::InvalidName => ApiError::invalid("invalid_name", error.to_string()),
            SettingsError::InvalidRateLimit => {
                ApiError::invalid("invalid_rate_limit", error.to_string())
            }
            SettingsError::InvalidSchedule { .. } => {
                ApiError::invalid("invalid_schedule", error.to_string())
            }
            SettingsError::Database(error) => error.into(),
        })?;
    let webhooks = subscriptions(db, Some(store_id)).await?;
    Ok(Json(view(store, webhooks)))
}

#[utoipa::path(
    post,
    path = "/api/stores/{store_id}/resume",
    tag = "stores",
    params(("store_id" = i64, Path)),
    responses(
        (status = 200, description = "Active again; runs left without jobs get them back", body = StoreStatusChanged),
        (status = 404, description = "No such store", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn resume_store(
    State(state): State<ApiState>,
    ApiPath(store_id): ApiPath<i64>,
) -> Result<Json<StoreStatusChanged>, ApiError> {
    Ok(Json(resume(&state, store_id).await?))
}

/// Makes a store active again and gives runs left without jobs their jobs back.
pub async fn resume(state: &ApiState, store_id: i64) -> Result<StoreStatusChanged, ApiError> {
    let changed = change_status(state, store_id, StoreStatus::Active).await?;
    if let Err(error) = resume_store_runs(&state.services.context, store_id).await {
        tracing::warn!(store = store_id, %error, "the resumed store's runs could not be resumed");
    }
    Ok(changed)
}

pub async fn change_status(
    state: &ApiState,
    store_id: i64,
    status: StoreStatus,
) -> Result<StoreStatusChanged, ApiError> {
    let db = &state.services.db;
    find_store(db, store_id)
        .await?
        .ok_or_else(|| ApiError::store_not_found(store_id))?;
    set_status(db, store_id, status, None).await?;
    Ok(StoreStatusChanged {
        store_id,
        status: status.as_str().to_string(),
    })
}
