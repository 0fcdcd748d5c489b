//! `WebhookDelivery`: applies one webhook the store sent: the record it carries, which never
//! replaces a newer one (deliveries arrive out of order), or a tombstone for `*.deleted`.

use chrono::Utc;
use entity::stores;
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::context::Context;
use super::fetch_children::FetchChildren;
use crate::queue::job::{Job, JobError};
use crate::stores::StoreStatus;
use crate::sync::apply_records;
use crate::sync::tombstone::tombstone_ids;
use crate::woo::Resource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub store_id: i64,
    /// Such as `product.updated`.
    pub topic: String,
    pub body: Value,
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

impl Job for WebhookDelivery {
    const NAME: &'static str = "webhook_delivery";
    type Context = Context;

    fn span(&self) -> tracing::Span {
        let id = self.body.get("id").and_then(Value::as_i64);
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, topic = %self.topic, id)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let (resource, event) = self.resource_and_event()?;
        let Some(store) = stores::Entity::find_by_id(self.store_id)
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        if store.status == StoreStatus::Paused.as_str() {
            return Ok(());
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
            return Ok(());
        }
        let parent_id = match resource {
            Resource::ProductVariations => self
                .body
                .get("parent_id")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
            _ => 0,
        };
        context
            .enqueue(FetchChildren::for_parents(
                &store,
                resource,
                std::slice::from_ref(&self.body),
            ))
            .await?;
        apply_records(
            &context.db,
            self.store_id,
            resource,
            parent_id,
            vec![self.body],
            None,
        )
        .await?
        .count_committed(resource);
        Ok(())
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }
}
