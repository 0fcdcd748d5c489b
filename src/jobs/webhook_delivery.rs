//! `WebhookDelivery`: applies one webhook the store sent: the record it carries, which never
//! replaces a newer one (deliveries arrive out of order), or a tombstone for `*.deleted`;
//! then notes the delivery in `webhook_deliveries`, the audit of what stores sent.

use chrono::{DateTime, Utc};
use entity::{stores, webhook_deliveries};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::EntityTrait;
use sea_orm::sea_query::OnConflict;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::context::Context;
use super::fetch_children::prepare_with_children;
use crate::queue::job::{Job, JobError};
use crate::stores::StoreStatus;
use crate::sync::tombstone::tombstone_ids;
use crate::sync::{Origin, RecordsWrite};
use crate::woo::Resource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub store_id: i64,
    /// Such as `product.updated`.
    pub topic: String,
    pub body: Value,
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

impl WebhookDelivery {
    /// The resource a topic is about, and the event.
    fn resource_and_event(&self) -> Result<(Resource, &str), JobError> {
        let unknown = || JobError::permanent(format!("unknown webhook topic {}", self.topic));
        let (kind, event) = self.topic.split_once('.').ok_or_else(unknown)?;
        let resource = match kind {
            // Variations arrive as product.* too.
            "product" if self.body.get("type").and_then(Value::as_str) == Some("variation") => {
                Resource::ProductVariations
            }
            "product" => Resource::Products,
            "order" => Resource::Orders,
            "customer" => Resource::Customers,
            "coupon" => Resource::Coupons,
            _ => return Err(unknown()),
        };
        Ok((resource, event))
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

impl WebhookDelivery {
    fn audit(&self) -> Audit {
        Audit {
            store_id: self.store_id,
            topic: self.topic.clone(),
            woo_id: self.body.get("id").and_then(Value::as_i64),
            date_modified_gmt: self
                .body
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

impl Job for WebhookDelivery {
    const NAME: &'static str = "webhook_delivery";
    type Context = Context;

    fn span(&self) -> tracing::Span {
        let id = self.body.get("id").and_then(Value::as_i64);
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, topic = %self.topic, id)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let (resource, event) = self.resource_and_event()?;
        let audit = self.audit();
        let Some(store) = stores::Entity::find_by_id(self.store_id)
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        if store.status == StoreStatus::Paused.as_str() {
            return audit.note(&context, "skipped: store paused").await;
        }
        let id = self.body.get("id").and_then(Value::as_i64);
        if event == "deleted" {
            let id = id.ok_or_else(|| JobError::permanent("a deleted webhook without an id"))?;
            // A deleted body is only `{"id": N}`: a product or one of its variations.
            let resources: &[Resource] = match resource {
                Resource::Products | Resource::ProductVariations => {
                    &[Resource::Products, Resource::ProductVariations]
                }
                other => &[other],
            };
            for resource in resources {
                tombstone_ids(&context.db, self.store_id, *resource, &[id], Utc::now()).await?;
            }
            return audit.note(&context, "applied").await;
        }
        let parent_id = match resource {
            Resource::ProductVariations => self
                .body
                .get("parent_id")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
            _ => 0,
        };
        let origin = Origin {
            store_id: self.store_id,
            resource,
            parent_id,
            run_id: None,
        };
        let records = prepare_with_children(&context, &store, origin, vec![self.body]).await?;
        context
            .writer
            .write(RecordsWrite(records))
            .await?
            .count_committed(resource);
        audit.note(&context, "applied").await
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }
}
