//! Our webhooks at a store: registered for every topic (`webhooks/setup`), kept enabled
//! (the clock's hourly check: WooCommerce disables a webhook after repeated failed
//! deliveries and never retries), and removed when the store is disconnected.

use chrono::Utc;
use entity::{stores, webhook_subscriptions};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::secrets::ensure_secret;
use super::{TOPICS, delivery_url};
use crate::pipeline::{SyncContext, SyncMode, start_sync};
use crate::stores::StoreError;
use crate::woo::client::Webhook;
use crate::woo::{Resource, WooError};

/// A webhook of ours at a store.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RegisteredWebhook {
    /// The webhook's id at the store.
    pub id: i64,
    pub topic: String,
    /// `active`, or what the store set (`disabled`, `paused`).
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Woo(#[from] WooError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Registers a webhook for every topic, delivering to this service at `public_url`.
/// Idempotent: webhooks already delivering to us are kept (re-enabled, given the store's
/// current secret, since a store never shows a webhook's secret), duplicates removed, and
/// missing topics created.
pub async fn register_webhooks(
    context: &SyncContext,
    store: &stores::Model,
    public_url: &str,
) -> Result<Vec<RegisteredWebhook>, RegistrationError> {
    let secret = ensure_secret(&context.db, &context.secret_key, store).await?;
    let client = context.client(store)?.patient();
    let url = delivery_url(public_url, store.id);
    let ours: Vec<Webhook> = client
        .list_webhooks()
        .await?
        .into_iter()
        .filter(|webhook| webhook.delivery_url == url)
        .collect();
    let mut registered = Vec::with_capacity(TOPICS.len());
    for topic in TOPICS {
        let mut same_topic = ours.iter().filter(|webhook| webhook.topic == topic);
        let webhook = match same_topic.next() {
            Some(kept) => {
                client
                    .update_webhook(
                        kept.id,
                        &json!({"status": "active", "secret": secret.expose()}),
                    )
                    .await?
            }
            None => client.create_webhook(topic, &url, &secret).await?,
        };
        for duplicate in same_topic {
            client.delete_webhook(duplicate.id).await?;
        }
        registered.push(RegisteredWebhook {
            id: webhook.id,
            topic: webhook.topic,
            status: webhook.status,
        });
    }
    save_subscriptions(&context.db, store.id, &url, &registered).await?;
    Ok(registered)
}

/// Re-enables every webhook of ours the store disabled, recreates any it lost, removes
/// second webhooks of ours for a topic (two setups run at once each create one), and
/// sweeps the resources whose webhooks were down, so that what they missed is fetched and
/// what was deleted meanwhile is marked (a modified-date poll sees neither a trashed
/// record nor one deleted for good). Returns the topics that were put right.
pub async fn check_webhooks(
    context: &SyncContext,
    store: &stores::Model,
) -> Result<Vec<String>, RegistrationError> {
    let subscriptions = subscriptions(&context.db, Some(store.id)).await?;
    if subscriptions.is_empty() {
        return Ok(Vec::new());
    }
    let secret = ensure_secret(&context.db, &context.secret_key, store).await?;
    let client = context.client(store)?.patient();
    let at_store = client.list_webhooks().await?;
    let duplicates = at_store.iter().filter(|webhook| {
        subscriptions.iter().any(|subscription| {
            subscription.topic == webhook.topic
                && subscription.delivery_url == webhook.delivery_url
                && subscription.woo_webhook_id != webhook.id
        })
    });
    for duplicate in duplicates {
        client.delete_webhook(duplicate.id).await?;
        tracing::info!(store = store.id, topic = %duplicate.topic, "a second webhook of ours removed");
    }
    let mut repaired = Vec::new();
    for subscription in &subscriptions {
        let found = at_store
            .iter()
            .find(|webhook| webhook.id == subscription.woo_webhook_id);
        let webhook = match found {
            Some(webhook) if webhook.status == "active" => continue,
            Some(webhook) => {
                client
                    .update_webhook(webhook.id, &json!({"status": "active"}))
                    .await?
            }
            None => {
                client
                    .create_webhook(&subscription.topic, &subscription.delivery_url, &secret)
                    .await?
            }
        };
        tracing::warn!(
            store = store.id,
            topic = %subscription.topic,
            "a webhook was disabled or gone at the store: enabled again"
        );
        let registered = RegisteredWebhook {
            id: webhook.id,
            topic: webhook.topic,
            status: webhook.status,
        };
        save_subscriptions(
            &context.db,
            store.id,
            &subscription.delivery_url,
            std::slice::from_ref(&registered),
        )
        .await?;
        repaired.push(registered.topic);
    }
    for resource in resources_of(&repaired) {
        if let Err(error) = start_sync(context, store.id, resource, SyncMode::Sweep).await {
            tracing::warn!(store = store.id, %resource, %error, "cannot start a catch-up sync");
        }
    }
    Ok(repaired)
}

/// Removes our webhooks from the store, as far as it can be reached; returns how many.
pub async fn remove_webhooks(
    context: &SyncContext,
    store: &stores::Model,
) -> Result<usize, RegistrationError> {
    let subscriptions = subscriptions(&context.db, Some(store.id)).await?;
    if subscriptions.is_empty() {
        return Ok(0);
    }
    let client = context.client(store)?.patient();
    let mut removed = 0;
    for subscription in subscriptions {
        match client.delete_webhook(subscription.woo_webhook_id).await {
            Ok(()) => removed += 1,
            // Already gone at the store.
            Err(WooError::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(removed)
}

/// The resources a set of topics keeps current.
fn resources_of(topics: &[String]) -> Vec<Resource> {
    let mut resources = Vec::new();
    for topic in topics {
        let resource = match topic.split('.').next() {
            Some("product") => Resource::Products,
            Some("order") => Resource::Orders,
            Some("coupon") => Resource::Coupons,
            Some("customer") => Resource::Customers,
            _ => continue,
        };
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    resources
}

async fn save_subscriptions(
    db: &DatabaseConnection,
    store_id: i64,
    url: &str,
    webhooks: &[RegisteredWebhook],
) -> Result<(), DbErr> {
    let now = Utc::now();
    let rows = webhooks
        .iter()
        .map(|webhook| webhook_subscriptions::ActiveModel {
            id: NotSet,
            store_id: Set(store_id),
            woo_webhook_id: Set(webhook.id),
            topic: Set(webhook.topic.clone()),
            delivery_url: Set(url.to_string()),
            status: Set(webhook.status.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            checked_at: Set(Some(now)),
            disabled_at: Set(None),
        });
    webhook_subscriptions::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                webhook_subscriptions::Column::StoreId,
                webhook_subscriptions::Column::Topic,
            ])
            .update_columns([
                webhook_subscriptions::Column::WooWebhookId,
                webhook_subscriptions::Column::DeliveryUrl,
                webhook_subscriptions::Column::Status,
                webhook_subscriptions::Column::UpdatedAt,
                webhook_subscriptions::Column::CheckedAt,
                webhook_subscriptions::Column::DisabledAt,
            ])
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The webhooks woosync registered, at one store or at all, by topic.
pub async fn subscriptions<C: ConnectionTrait>(
    db: &C,
    store_id: Option<i64>,
) -> Result<Vec<webhook_subscriptions::Model>, DbErr> {
    let mut select =
        webhook_subscriptions::Entity::find().order_by_asc(webhook_subscriptions::Column::Topic);
    if let Some(store_id) = store_id {
        select = select.filter(webhook_subscriptions::Column::StoreId.eq(store_id));
    }
    select.all(db).await
}
