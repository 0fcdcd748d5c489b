//! An event as consumers receive it, by pull or push: `{"id", "type", "created_at",
//! "store_id", "resource", "record_id", "parent_id"?, "data", "previous"?}`. `data` is the
//! record as woosync holds it after the change, its JSON text untouched.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::events;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::sync::changes::BACKFILL_COMPLETED;

#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope {
    /// The event's feed position: the cursor to read on from, and the `webhook-id` of its
    /// deliveries (the same on every retry).
    pub id: String,
    /// `{resource}.created|updated|deleted|restored`, `order.status_changed`,
    /// `inventory.low_stock|out_of_stock|back_in_stock`, `sync.backfill_completed`.
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub store_id: i64,
    /// The resource (table) of the record: `orders`, `product_variations`, ...
    pub resource: Option<String>,
    /// The record's WooCommerce id (a number), or its slug or key where the resource has
    /// no id; none for `sync.*` events.
    #[schema(value_type = Option<Object>)]
    pub record_id: Option<Value>,
    /// The parent a child record is listed under (a variation's product, a refund's order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    /// The complete record as held after the change; for `sync.backfill_completed`,
    /// `{"resource", "run_id", "cursor"}`.
    #[schema(value_type = Object)]
    pub data: Box<RawValue>,
    /// What the type defines of the state before: `{"previous_status", "status"}` for
    /// `order.status_changed`; `{"low_stock", "stock_status", "stock_quantity"}` for
    /// `inventory.*`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub previous: Option<Box<RawValue>>,
}

impl Envelope {
    /// An event as stored; JSON the outbox wrote is JSON, so a failure here is a bug
    /// reported as the error.
    pub fn of(event: events::Model) -> Result<Envelope, serde_json::Error> {
        let record_id = event.record_id.map(|id| match id.parse::<i64>() {
            Ok(number) => Value::from(number),
            Err(_) => Value::String(id),
        });
        let data = data_of(event.id, &event.kind, event.data)?;
        Ok(Envelope {
            id: event.id.to_string(),
            kind: event.kind,
            created_at: stamp(event.created_at),
            store_id: event.store_id,
            resource: event.resource.map(|resource| resource.to_string()),
            record_id,
            parent_id: (event.parent_id != 0).then_some(event.parent_id),
            data,
            previous: event.previous.map(RawValue::from_string).transpose()?,
        })
    }
}

/// The event's data: a `sync.backfill_completed` also names its own feed position, known
/// only once it was inserted.
fn data_of(id: i64, kind: &str, data: String) -> Result<Box<RawValue>, serde_json::Error> {
    if kind != BACKFILL_COMPLETED {
        return RawValue::from_string(data);
    }
    let mut fields: serde_json::Map<String, Value> = serde_json::from_str(&data)?;
    fields.insert("cursor".into(), Value::String(id.to_string()));
    serde_json::value::to_raw_value(&fields)
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
