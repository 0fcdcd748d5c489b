//! `POST /api/integrations/woocommerce/webhooks/handle`: where stores deliver. A delivery is
//! verified (HMAC-SHA256 over the raw body, in constant time), de-duplicated on its content,
//! put in the queue, and answered: the 200 means the delivery is in the queue, since
//! WooCommerce never sends one again. The record is written later, by a worker.
//!
//! The store is named by the `store` query parameter of the delivery URL, or else found by
//! `X-WC-Webhook-Source`. A signed delivery of a topic woosync does not use is answered 200
//! and dropped: an error would count towards WooCommerce disabling the webhook.

use axum::Json;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::state::ApiState;
use crate::jobs::WebhookDelivery;
use crate::jobs::webhook_delivery::Received;
use crate::queue::storage::{Enqueued, NewJob};
use crate::stores::{find_store_at, normalize_store_url, store_url_text};
use crate::webhooks::TOPICS;
use crate::webhooks::delivery::{content_key, signature_is_valid};
use crate::webhooks::secrets::StoreSecret;
use crate::woo::listed::RawRecord;

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryTaken {
    /// `accepted` (queued), `duplicate` (the same content was queued within the window),
    /// `ping` (WooCommerce checking the URL) or `ignored` (a topic woosync does not use).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/integrations/woocommerce/webhooks/handle",
    tag = "integration",
    params(("store" = Option<i64>, Query, description = "The store, as in the delivery URL webhooks/setup registers")),
    request_body(content = String, description = "The delivery as the store sent it: JSON signed in X-WC-Webhook-Signature, or the ping's form body webhook_id=N"),
    responses(
        (status = 200, description = "Queued, a duplicate, a ping, or a topic not used", body = DeliveryTaken),
        (status = 400, description = "Malformed JSON, or no topic", body = ErrorBody),
        (status = 401, description = "A missing or wrong signature, or no such store (answered alike)", body = ErrorBody),
        (status = 413, description = "Body over WOOSYNC_WEBHOOK_MAX_BYTES", body = ErrorBody),
        (status = 503, description = "The queue is unavailable: nothing was taken", body = ErrorBody),
    )
)]
pub async fn handle_webhook(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (outcome, response) = match receive(&state, query.as_deref(), &headers, request).await {
        Ok((outcome, taken)) => (outcome, Json(taken).into_response()),
        Err((outcome, error)) => (outcome, error.into_response()),
    };
    metrics::counter!("woosync_webhook_deliveries_total", "outcome" => outcome).increment(1);
    response
}

type Refused = (&'static str, ApiError);

async fn receive(
    state: &ApiState,
    query: Option<&str>,
    headers: &HeaderMap,
    request: Request,
) -> Result<(&'static str, DeliveryTaken), Refused> {
    let limit = state.services.config.webhook_max_bytes;
    let too_large = || {
        (
            "too_large",
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("a webhook body may be at most {limit} bytes"),
            ),
        )
    };
    let declared = header(headers, "content-length").and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| too_large())?;
    let signature = header(headers, "x-wc-webhook-signature");
    if signature.is_none() && is_ping(&body) {
        return Ok((
            "ping",
            DeliveryTaken {
                status: "ping",
                job_id: None,
            },
        ));
    }
    let store_id = store_of(state, query, headers).await?;
    let signature = signature
        .ok_or_else(|| bad_signature("the delivery is not signed (X-WC-Webhook-Signature)"))?;
    verify(state, store_id, &body, signature).await?;
    let topic = header(headers, "x-wc-webhook-topic").ok_or_else(|| {
        refused(
            "malformed",
            ApiError::bad_request("missing_topic", "no X-WC-Webhook-Topic header"),
        )
    })?;
    if !TOPICS.contains(&topic) {
        return Ok((
            "ignored",
            DeliveryTaken {
                status: "ignored",
                job_id: None,
            },
        ));
    }
    let record: Value = serde_json::from_slice(&body).map_err(|error| {
        refused(
            "malformed",
            ApiError::bad_request("malformed_json", format!("the body is not JSON: {error}")),
        )
    })?;
    if !record.get("id").is_some_and(Value::is_i64) {
        return Err(refused(
            "malformed",
            ApiError::bad_request("invalid_payload", "the body is not a record with an id"),
        ));
    }
    let raw: RawRecord = serde_json::from_slice(&body).map_err(|error| {
        refused(
            "malformed",
            ApiError::bad_request("malformed_json", format!("the body is not JSON: {error}")),
        )
    })?;
    let delivery_id = header(headers, "x-wc-webhook-delivery-id");
    let key = content_key(store_id, topic, &body, delivery_id);
    let job = NewJob::of(&WebhookDelivery {
        store_id,
        topic: topic.to_string(),
        body: raw,
        received: Some(Received {
            dedupe_key: key.clone(),
            delivery_id: delivery_id.map(str::to_string),
            at: chrono::Utc::now(),
        }),
    })
    .deduplicated_for(key, state.services.config.webhook_dedupe_window);
    let enqueued = state.deliveries.enqueue(job).await.map_err(|error| {
        refused(
            "queue_unavailable",
            ApiError::unavailable_quietly("queue_unavailable", error),
        )
    })?;
    Ok(match enqueued {
        Enqueued::New(id) => (
            "accepted",
            DeliveryTaken {
                status: "accepted",
                job_id: Some(id),
            },
        ),
        Enqueued::Duplicate(_) => (
            "duplicate",
            DeliveryTaken {
                status: "duplicate",
                job_id: None,
            },
        ),
    })
}

fn refused(outcome: &'static str, error: ApiError) -> Refused {
    (outcome, error)
}

fn bad_signature(message: &str) -> Refused {
    refused(
        "bad_signature",
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", message),
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// WooCommerce's ping on creating a webhook: the form body `webhook_id=N`, unsigned.
fn is_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| !id.is_empty() && id.iter().all(u8::is_ascii_digit))
}

/// The store a delivery is from: the `store` query parameter, else the store whose URL is
/// `X-WC-Webhook-Source`.
async fn store_of(
    state: &ApiState,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<i64, Refused> {
    // An unknown store is answered as a bad signature is: the answer tells no one which
    // stores exist.
    let unknown = |_: String| refused("unknown_store", signature_mismatch().1);
    let named = query.and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "store")
            .map(|(_, value)| value.into_owned())
    });
    if let Some(named) = named {
        return named
            .parse::<i64>()
            .map_err(|_| unknown(format!("`{named}` is not a store id")));
    }
    let source = header(headers, "x-wc-webhook-source")
        .ok_or_else(|| unknown("name the store: ?store=<id> or X-WC-Webhook-Source".into()))?;
    let url = normalize_store_url(source).map_err(unknown)?;
    find_store_at(&state.services.db, &store_url_text(&url))
        .await
        .map_err(|error| {
            refused(
                "database_unavailable",
                ApiError::unavailable_quietly("database_unavailable", error),
            )
        })?
        .map(|store| store.id)
        .ok_or_else(|| unknown(format!("no store is connected at {source}")))
}

/// Checks the signature against the store's secret, read again once if it does not match
/// what was remembered (the secret may have been replaced by another process).
async fn verify(
    state: &ApiState,
    store_id: i64,
    body: &[u8],
    signature: &str,
) -> Result<(), Refused> {
    let secrets = &state.webhook_secrets;
    let unusable = |error: crate::stores::StoreError| {
        refused(
            "database_unavailable",
            ApiError::unavailable_quietly("store_unusable", error),
        )
    };
    let matches = |secret: &StoreSecret| -> Result<bool, Refused> {
        match secret {
            StoreSecret::UnknownStore => Err(refused("unknown_store", signature_mismatch().1)),
            StoreSecret::NoSecret => Ok(false),
            StoreSecret::Secret(secret) => Ok(signature_is_valid(secret, body, signature)),
        }
    };
    if matches(&secrets.get(store_id).await.map_err(unusable)?)? {
        return Ok(());
    }
    match secrets.get_again(store_id).await.map_err(unusable)? {
        Some(secret) if matches(&secret)? => Ok(()),
        _ => Err(signature_mismatch()),
    }
}

fn signature_mismatch() -> Refused {
    bad_signature("the signature does not match the store's webhook secret")
}
