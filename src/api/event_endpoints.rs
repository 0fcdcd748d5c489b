//! `/api/event-endpoints`: consumers that receive the change feed as signed webhooks
//! (Standard Webhooks): register, list, change (pause, resume, rotate the secret), delete,
//! replay from a cursor, and the delivery log.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::event_deliveries::{self, DeliveryStatus};
use entity::event_endpoints::{self, EndpointStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, present};
use super::state::ApiState;
use crate::feed::cursor::parse_cursor;
use crate::feed::endpoints::{
    EndpointChanges, EndpointPolicy, NewEndpoint, all_endpoints, change_endpoint, create_endpoint,
    delete_endpoint, deliveries, endpoint_lists, find_endpoint, replay,
};
use crate::jobs::DeliverEvents;
use crate::queue::storage::NewJob;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// Where events are POSTed: http(s), at a public address unless
    /// `WOOSYNC_ALLOW_PRIVATE_ENDPOINTS=true`; it must answer when registered.
    pub url: String,
    /// Only these event types (exact, or `orders.*`); none for all.
    pub types: Option<Vec<String>>,
    /// Only these stores' events; none for all.
    pub store_ids: Option<Vec<i64>>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEndpoint {
    pub url: Option<String>,
    /// null: every type again.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub types: Option<Option<Vec<String>>>,
    /// null: every store again.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<i64>>)]
    pub store_ids: Option<Option<Vec<i64>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `paused` holds deliveries; `active` resumes them (a disabled endpoint too, its
    /// failed deliveries tried at once).
    #[schema(value_type = Option<String>)]
    pub status: Option<EndpointStatus>,
    /// A new signing secret, answered once; the old one stops signing at once.
    #[serde(default)]
    pub rotate_secret: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// Deliver again every event after this cursor.
    pub after: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    pub types: Option<Vec<String>>,
    pub store_ids: Option<Vec<i64>>,
    /// `active`, `paused`, or `disabled` (failing for longer than retries last, or its
    /// cursor behind the retention: `status_reason` says which).
    pub status: String,
    pub status_reason: Option<String>,
    /// Every event up to here is delivered.
    pub cursor: String,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    /// `whsec_` + base64: verifies `webhook-signature`. Told only now.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointChanged {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    /// The new secret, when rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub endpoints: Vec<EndpointView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// `delivered`, `failing` or `waiting`.
    pub status: Option<String>,
    /// Default 100, at most 1,000.
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub event_id: String,
    /// `delivered`, `failing` (retried at `next_attempt_at`), or `waiting` behind a failing
    /// event of the same record.
    pub status: String,
    pub attempts: i32,
    pub response_code: Option<i32>,
    pub latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryLog {
    /// The newest first.
    pub deliveries: Vec<DeliveryView>,
    pub failing: u64,
}

fn policy(state: &ApiState) -> EndpointPolicy<'_> {
    EndpointPolicy {
        db: &state.services.db,
        key: &state.services.context.secret_key,
        http: &state.services.context.endpoint_http,
        allow_private: state.services.config.allow_private_endpoints,
    }
}

fn view(endpoint: event_endpoints::Model) -> EndpointView {
    let (types, store_ids) = endpoint_lists(&endpoint);
    EndpointView {
        id: endpoint.id,
        url: endpoint.url,
        description: endpoint.description,
        types,
        store_ids,
        status: endpoint.status.as_str().to_string(),
        status_reason: endpoint.status_reason,
        cursor: endpoint.cursor.to_string(),
        failing_since: endpoint.failing_since,
        created_at: endpoint.created_at,
    }
}

/// Wakes the endpoint's deliveries now rather than at the clock's next tick.
async fn wake(state: &ApiState, endpoint_id: i64) -> Result<(), ApiError> {
    state
        .services
        .queue
        .enqueue(vec![NewJob::of(&DeliverEvents { endpoint_id })])
        .await?;
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/event-endpoints",
    tag = "events",
    request_body = CreateEndpoint,
    responses(
        (status = 201, description = "Registered; its secret is told only now", body = EndpointWithSecret),
        (status = 404, description = "A store in `store_ids` does not exist", body = ErrorBody),
        (status = 422, description = "A URL that is not http(s), private, or not answering; `types` naming no event", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn register_endpoint(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<CreateEndpoint>,
) -> Result<(StatusCode, Json<EndpointWithSecret>), ApiError> {
    let (endpoint, secret) = create_endpoint(
        &policy(&state),
        NewEndpoint {
            url: request.url,
            types: request.types,
            store_ids: request.store_ids,
            description: request.description,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(EndpointWithSecret {
            endpoint: view(endpoint),
            secret: secret.text(),
        }),
    ))
}

#[utoipa::path(
    get,
    path = "/api/event-endpoints",
    tag = "events",
    responses((status = 200, description = "Every endpoint", body = EndpointList)),
    security(("api_token" = []))
)]
pub async fn list_endpoints(State(state): State<ApiState>) -> Result<Json<EndpointList>, ApiError> {
    let endpoints = all_endpoints(&state.services.db).await?;
    Ok(Json(EndpointList {
        endpoints: endpoints.into_iter().map(view).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/event-endpoints/{endpoint_id}",
    tag = "events",
    params(("endpoint_id" = i64, Path)),
    responses(
        (status = 200, description = "The endpoint", body = EndpointView),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_endpoint(
    State(state): State<ApiState>,
    ApiPath(endpoint_id): ApiPath<i64>,
) -> Result<Json<EndpointView>, ApiError> {
    Ok(Json(view(
        find_endpoint(&state.services.db, endpoint_id).await?,
    )))
}

#[utoipa::path(
    patch,
    path = "/api/event-endpoints/{endpoint_id}",
    tag = "events",
    params(("endpoint_id" = i64, Path)),
    request_body = ChangeEndpoint,
    responses(
        (status = 200, description = "Changed; with the new secret when rotated", body = EndpointChanged),
        (status = 404, description = "No such endpoint", body = ErrorBody),
        (status = 422, description = "A value refused", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn change_endpoint_settings(
    State(state): State<ApiState>,
    ApiPath(endpoint_id): ApiPath<i64>,
    ApiJson(request): ApiJson<ChangeEndpoint>,
) -> Result<Json<EndpointChanged>, ApiError> {
    let (endpoint, secret) = change_endpoint(
        &policy(&state),
        endpoint_id,
        EndpointChanges {
            url: request.url,
            types: request.types,
            store_ids: request.store_ids,
            description: request.description,
            status: request.status,
            rotate_secret: request.rotate_secret,
        },
    )
    .await?;
    if endpoint.status == EndpointStatus::Active {
        wake(&state, endpoint.id).await?;
    }
    Ok(Json(EndpointChanged {
        endpoint: view(endpoint),
        secret: secret.map(|secret| secret.text()),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/event-endpoints/{endpoint_id}",
    tag = "events",
    params(("endpoint_id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted, with its delivery log"),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn remove_endpoint(
    State(state): State<ApiState>,
    ApiPath(endpoint_id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    delete_endpoint(&state.services.db, endpoint_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/event-endpoints/{endpoint_id}/replay",
    tag = "events",
    params(("endpoint_id" = i64, Path)),
    request_body = Replay,
    responses(
        (status = 200, description = "Every event after the cursor is delivered again", body = EndpointView),
        (status = 400, description = "A cursor that is not one, or is ahead of the feed", body = ErrorBody),
        (status = 404, description = "No such endpoint", body = ErrorBody),
        (status = 410, description = "The cursor is past the retention: `oldest_cursor` says where the feed starts", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn replay_endpoint(
    State(state): State<ApiState>,
    ApiPath(endpoint_id): ApiPath<i64>,
    ApiJson(request): ApiJson<Replay>,
) -> Result<Json<EndpointView>, ApiError> {
    let after = parse_cursor(&request.after)?;
    let endpoint = replay(&state.services.db, endpoint_id, after).await?;
    if endpoint.status == EndpointStatus::Active {
        wake(&state, endpoint.id).await?;
    }
    Ok(Json(view(endpoint)))
}

#[utoipa::path(
    get,
    path = "/api/event-endpoints/{endpoint_id}/deliveries",
    tag = "events",
    params(("endpoint_id" = i64, Path), DeliveriesQuery),
    responses(
        (status = 200, description = "The endpoint's delivery log", body = DeliveryLog),
        (status = 400, description = "A bad query parameter", body = ErrorBody),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_deliveries(
    State(state): State<ApiState>,
    ApiPath(endpoint_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<DeliveryLog>, ApiError> {
    let status = query
        .status
        .as_deref()
        .map(|text| match text {
            "delivered" => Ok(DeliveryStatus::Delivered),
            "failing" => Ok(DeliveryStatus::Failing),
            "waiting" => Ok(DeliveryStatus::Waiting),
            other => Err(ApiError::bad_request(
                "invalid_status",
                format!("status is delivered, failing or waiting, not `{other}`"),
            )),
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::bad_request("invalid_limit", "limit is 1 to 1000"));
    }
    let (rows, failing) = deliveries(&state.services.db, endpoint_id, status, limit).await?;
    Ok(Json(DeliveryLog {
        deliveries: rows.into_iter().map(delivery_view).collect(),
        failing,
    }))
}

fn delivery_view(row: event_deliveries::Model) -> DeliveryView {
    DeliveryView {
        event_id: row.event_id.to_string(),
        status: match row.status {
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failing => "failing",
            DeliveryStatus::Waiting => "waiting",
        }
        .to_string(),
        attempts: row.attempts,
        response_code: row.response_code,
        latency_ms: row.latency_ms,
        last_error: row.last_error,
        last_attempt_at: row.last_attempt_at,
        next_attempt_at: row.next_attempt_at,
    }
}
