//! `GET /api/events`: the change feed by cursor, long-polled; `GET /api/event-types`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::ApiQuery;
use super::state::ApiState;
use crate::feed::cursor::{FeedBounds, parse_cursor};
use crate::feed::envelope::Envelope;
use crate::feed::read::{FeedQuery, ReadError, read_feed};
use crate::feed::types::{TypeFilter, all_types};

const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 1_000;
/// The longest a request may wait for events.
const MAX_WAIT_S: u64 = 60;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The cursor to read on from (a previous answer's `next_cursor`); none is the oldest
    /// event kept.
    pub after: Option<String>,
    /// Default 100, at most 1,000.
    pub limit: Option<u64>,
    /// Only this store's events.
    pub store_id: Option<i64>,
    /// Only these types, comma-separated: exact (`orders.updated`) or by family
    /// (`orders.*`, `inventory.*`).
    pub types: Option<String>,
    /// Seconds to wait for a first event when there is none yet (at most 60; default 0).
    pub wait: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventsPage {
    /// In feed order.
    pub events: Vec<Envelope>,
    /// Where to read on from: past every event returned and every event the filters left
    /// out. The same cursor again returns what has committed since.
    pub next_cursor: String,
}

#[utoipa::path(
    get,
    path = "/api/events",
    tag = "events",
    params(EventsQuery),
    responses(
        (status = 200, description = "Events after the cursor, in feed order", body = EventsPage),
        (status = 400, description = "A cursor that is not one, or is ahead of the feed", body = ErrorBody),
        (status = 410, description = "The events after the cursor are past their retention: `oldest_cursor` says where the feed starts", body = ErrorBody),
        (status = 422, description = "`types` names no event type", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_events(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Json<EventsPage>, ApiError> {
    let db = &state.services.db;
    let after = match &query.after {
        Some(text) => parse_cursor(text)?,
        None => FeedBounds::read(db).await?.pruned_through,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit is 1 to {MAX_LIMIT}"),
        ));
    }
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_S {
        return Err(ApiError::bad_request(
            "invalid_wait",
            format!("wait is 0 to {MAX_WAIT_S} seconds"),
        ));
    }
    let types = query
        .types
        .as_deref()
        .map(|names| TypeFilter::parse(names.split(',')))
        .transpose()
        .map_err(|error| ApiError::invalid("unknown_event_type", error.to_string()))?;
    let feed_query = FeedQuery {
        after,
        limit,
        store_ids: query.store_id.map(|id| vec![id]),
        types,
    };
    let page = read_feed(db, &feed_query, Duration::from_secs(wait))
        .await
        .map_err(|error| match error {
            ReadError::Cursor(error) => error.into(),
            ReadError::Database(error) => ApiError::from(error),
        })?;
    let events = page
        .events
        .into_iter()
        .map(Envelope::of)
        .collect::<Result<_, _>>()
        .map_err(|error| ApiError::internal(format!("a stored event is not JSON: {error}")))?;
    Ok(Json(EventsPage {
        events,
        next_cursor: page.next_cursor.to_string(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypes {
    pub types: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/api/event-types",
    tag = "events",
    responses((status = 200, description = "Every event type", body = EventTypes)),
    security(("api_token" = []))
)]
pub async fn list_event_types() -> Json<EventTypes> {
    Json(EventTypes { types: all_types() })
}
