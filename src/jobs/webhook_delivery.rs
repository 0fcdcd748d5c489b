//! `WebhookDelivery`: applies one webhook the store sent: the record it carries, which never
//! replaces a newer one (deliveries arrive out of order), or a deletion; then notes the
//! delivery in `webhook_deliveries`, the audit of what stores sent.
//!
//! WooCommerce signs the body only: the topic and delivery-id headers are anyone's to
//! change, so a delivery does what its body supports and nothing more. A record's body is
//! written by its own `date_modified_gmt`, as the resource its `_links.self` names, whatever
//! the topic says; a deletion is a body of exactly `{"id": N}` under a `*.deleted` topic,
//! and the record is marked deleted only once the store confirms it is gone (one request:
//! a replayed deletion of a record restored since finds it there).

use chrono::{DateTime, Utc};
use entity::{stores, webhook_deliveries};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::EntityTrait;
use sea_orm::sea_query::OnConflict;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pipeline::children::write_with_children;
use crate::pipeline::context::Context;
use crate::queue::job::{Job, JobError};
use crate::queue::waiting::waiting;
use crate::stores::StoreStatus;
use crate::sync::Origin;
use crate::sync::content_hash::content_hash;
use crate::sync::tombstone::{held_version, tombstone_ids};
use crate::woo::listed::{ListedRecord, RawRecord};
use crate::woo::{Resource, WooError};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub store_id: i64,
    /// Such as `product.updated`.
    pub topic: String,
    /// The body as the store sent it, which is what is kept of a record.
    pub body: RawRecord,
    /// What the receiver knew of the delivery, for the audit (none for deliveries made
    /// another way, such as in tests).
    #[serde(default)]
    pub received: Option<Received>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// The content key it was de-duplicated on.
    pub dedupe_key: String,
    /// `X-WC-Webhook-Delivery-ID`.
    pub delivery_id: Option<String>,
    pub at: DateTime<Utc>,
}

impl Job for WebhookDelivery {
    const NAME: &'static str = "webhook_delivery";
    /// A webhook's record is what keeps the copy fresh: taken before any listing.
    const PRIORITY: i16 = 60;
    type Context = Context;

    fn span(&self) -> tracing::Span {
        let id = self.parsed_body().get("id").and_then(Value::as_i64);
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, topic = %self.topic, id)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let (kind, event) = self.topic()?;
        let audit = self.audit();
        let Some(store) = stores::Entity::find_by_id(self.store_id)
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        if store.status == StoreStatus::Paused {
            return audit.note(&context, "skipped: store paused").await;
        }
        match self.body(kind) {
            Some(Body::IdOnly(id)) if event == "deleted" => {
                let outcome = match self.settle_with_store(&context, kind, id).await? {
                    Settled::Written => "not deleted: the store still has it",
                    Settled::Gone => "applied",
                    Settled::Skipped => "skipped: store not active",
                };
                audit.note(&context, outcome).await
            }
            Some(Body::IdOnly(_)) => {
                audit
                    .note(&context, "ignored: an id alone is only a deletion")
                    .await
            }
            None => {
                audit
                    .note(&context, "ignored: the body is not a record of its topic")
                    .await
            }
            Some(Body::Record {
                resource,
                parent_id,
            }) => {
                // The store settles what the body cannot: whether a record marked deleted
                // exists again (an update delivered after the deletion it preceded must not
                // revive it), and which of two versions saved in the same second is the
                // later (WooCommerce's dates have seconds only).
                let id = self.parsed_body().get("id").and_then(Value::as_i64);
                let held = match id {
                    Some(id) => held_version(&context.db, self.store_id, resource, id).await?,
                    None => None,
                };
                if let (Some(id), Some(held)) = (id, held) {
                    let revived = held.deleted && event != "restored";
                    let same_second = !held.deleted
                        && audit.date_modified_gmt.is_some()
                        && held.date_modified_gmt == audit.date_modified_gmt
                        && held.content_hash != content_hash(self.body.get());
                    if revived || same_second {
                        let outcome = match self.settle_with_store(&context, kind, id).await? {
                            Settled::Written => "applied as the store has it now",
                            Settled::Gone => "ignored: the store has it no more",
                            Settled::Skipped => "skipped: store not active",
                        };
                        return audit.note(&context, outcome).await;
                    }
                }
                let origin = Origin {
                    store_id: self.store_id,
                    resource,
                    parent_id,
                    run_id: None,
                    emits_events: true,
                    // Checked above, and again in the write's transaction: a deletion
                    // confirmed meanwhile is not undone.
                    revives: event == "restored",
                };
                write_with_children(&context, &store, origin, vec![self.body]).await?;
                audit.note(&context, "applied").await
            }
        }
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }
}

/// What a delivery's body is.
enum Body {
    /// `{"id": N}` and nothing else: what WooCommerce sends for a deletion.
    IdOnly(i64),
    /// A record, of the resource its own `_links.self` names (or its topic, without one).
    Record { resource: Resource, parent_id: i64 },
}

impl WebhookDelivery {
    /// The kind of record its topic is about (`product`, `order`, ...), and the event.
    fn topic(&self) -> Result<(&str, &str), JobError> {
        self.topic
            .split_once('.')
            .filter(|(kind, _)| matches!(*kind, "product" | "order" | "customer" | "coupon"))
            .ok_or_else(|| JobError::permanent(format!("unknown webhook topic {}", self.topic)))
    }

    /// The body, parsed; null when it is not JSON.
    fn parsed_body(&self) -> Value {
        self.body.read().unwrap_or_default()
    }

    /// What the body is, read from the body alone; none when it is neither a deletion nor
    /// a record of the topic's kind.
    fn body(&self, kind: &str) -> Option<Body> {
        let body = self.parsed_body();
        let object = body.as_object()?;
        let id = object.get("id")?.as_i64()?;
        if object.len() == 1 {
            return Some(Body::IdOnly(id));
        }
        let (resource, parent_id) = match self_link(&body) {
            Some((resource, parent_id, linked_id)) if linked_id == id => (resource, parent_id),
            Some(_) => return None,
            // Without links (a store that strips them), the topic and the body's type.
            None => match kind {
                "product" if body.get("type").and_then(Value::as_str) == Some("variation") => {
                    let parent = body.get("parent_id").and_then(Value::as_i64)?;
                    (Resource::ProductVariations, parent)
                }
                "product" => (Resource::Products, 0),
                "order" => (Resource::Orders, 0),
                "customer" => (Resource::Customers, 0),
                "coupon" => (Resource::Coupons, 0),
                _ => return None,
            },
        };
        (topic_kind(resource) == kind).then_some(Body::Record {
            resource,
            parent_id,
        })
    }
}

/// The kind of topic a resource's webhooks come under (variations come as products).
fn topic_kind(resource: Resource) -> &'static str {
    match resource {
        Resource::Products | Resource::ProductVariations => "product",
        Resource::Orders => "order",
        Resource::Customers => "customer",
        Resource::Coupons => "coupon",
        _ => "",
    }
}

/// The resource, parent and id a record's `_links.self` names
/// (`.../wp-json/wc/v3/products/12/variations/34`).
fn self_link(record: &Value) -> Option<(Resource, i64, i64)> {
    let href = record.pointer("/_links/self/0/href")?.as_str()?;
    let path = href.split_once("/wp-json/wc/v3/")?.1;
    let path = path.split(['?', '#']).next()?;
    let segments: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    let number = |text: &str| text.parse::<i64>().ok();
    match segments.as_slice() {
        ["products", parent, "variations", id] => {
            Some((Resource::ProductVariations, number(parent)?, number(id)?))
        }
        ["products", id] => Some((Resource::Products, 0, number(id)?)),
        ["orders", id] => Some((Resource::Orders, 0, number(id)?)),
        ["customers", id] => Some((Resource::Customers, 0, number(id)?)),
        ["coupons", id] => Some((Resource::Coupons, 0, number(id)?)),
        _ => None,
    }
}

/// How long the audit keeps a delivery.
pub const AUDIT_KEPT_FOR: chrono::Duration = chrono::Duration::days(7);

/// Forgets audited deliveries received before `before`; returns how many.
pub async fn forget_deliveries_before(
    db: &sea_orm::DatabaseConnection,
    before: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::ReceivedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// A delivery as the audit keeps it.
struct Audit {
    store_id: i64,
    topic: String,
    woo_id: Option<i64>,
    date_modified_gmt: Option<DateTime<Utc>>,
    received: Option<Received>,
}

impl Audit {
    /// Notes the delivery once (a retried job does not note it twice).
    async fn note(self, context: &Context, outcome: &str) -> Result<(), JobError> {
        let Some(received) = self.received else {
            return Ok(());
        };
        webhook_deliveries::Entity::insert(webhook_deliveries::ActiveModel {
            id: NotSet,
            store_id: Set(self.store_id),
            topic: Set(self.topic),
            woo_id: Set(self.woo_id),
            date_modified_gmt: Set(self.date_modified_gmt),
            dedupe_key: Set(received.dedupe_key),
            delivery_id: Set(received.delivery_id),
            outcome: Set(outcome.to_string()),
            received_at: Set(received.at),
        })
        .on_conflict(
            OnConflict::columns([
                webhook_deliveries::Column::StoreId,
                webhook_deliveries::Column::DedupeKey,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&context.db)
        .await?;
        Ok(())
    }
}

/// What asking the store settled.
enum Settled {
    /// It has the record: written as it is now.
    Written,
    /// It has it no more: marked deleted.
    Gone,
    /// The store cannot be asked (stopped): the sweeps settle it later.
    Skipped,
}

impl WebhookDelivery {
    /// Asks the store for the record: marks it deleted if the store confirms it is gone
    /// (not found, or in the trash); a record the store still has is written as it is now.
    async fn settle_with_store(
        &self,
        context: &Context,
        kind: &str,
        id: i64,
    ) -> Result<Settled, JobError> {
        let Some(active) = context.active_store(self.store_id).await? else {
            return Ok(Settled::Skipped);
        };
        let resource = match kind {
            "product" => Resource::Products,
            "order" => Resource::Orders,
            "customer" => Resource::Customers,
            _ => Resource::Coupons,
        };
        let path = format!("{}/{id}", resource.collection_path(0));
        let found = match waiting(active.client.get_record(&path)).await {
            Ok(record) => Some(record),
            Err(WooError::NotFound { .. }) => None,
            Err(error) => return Err(context.woo_failure(self.store_id, error).await),
        };
        let parsed: Value = found
            .as_ref()
            .and_then(|record| record.read().ok())
            .unwrap_or_default();
        let in_trash = parsed.get("status").and_then(Value::as_str) == Some("trash");
        if let Some(record) = found.filter(|_| !in_trash) {
            let resource = match self_link(&parsed) {
                Some((linked, _, _)) => linked,
                None => resource,
            };
            let parent_id = parsed
                .get("parent_id")
                .and_then(Value::as_i64)
                .filter(|_| resource == Resource::ProductVariations)
                .unwrap_or(0);
            let origin = Origin {
                store_id: self.store_id,
                resource,
                parent_id,
                run_id: None,
                emits_events: true,
                revives: true,
            };
            write_with_children(context, &active.store, origin, vec![record]).await?;
            return Ok(Settled::Written);
        }
        // A deletion's body is only `{"id": N}`: a product or one of its variations.
        let resources = match resource {
            Resource::Products => vec![Resource::Products, Resource::ProductVariations],
            other => vec![other],
        };
        for resource in resources {
            tombstone_ids(&context.db, self.store_id, resource, &[id], true).await?;
        }
        Ok(Settled::Gone)
    }

    fn audit(&self) -> Audit {
        let body = self.parsed_body();
        Audit {
            store_id: self.store_id,
            topic: self.topic.clone(),
            woo_id: body.get("id").and_then(Value::as_i64),
            date_modified_gmt: body
                .get("date_modified_gmt")
                .and_then(Value::as_str)
                .and_then(|text| {
                    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok()
                })
                .map(|time| time.and_utc()),
            received: self.received.clone(),
        }
    }
}
