//! Each store's webhook secret: made once, sealed in `stores.webhook_secret_enc`, and kept
//! by the receiver in memory so that a delivery costs no database read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::stores;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::secrets::{Secret, SecretKey};
use crate::stores::StoreError;

const WEBHOOK_SECRET: &str = "webhook secret";
/// How long the receiver trusts a secret it read. Another process that replaced it (a
/// second `webhooks/setup`) is seen after this at the latest, or sooner: a signature that
/// does not match a secret read over a second ago reads it again.
const FRESH_FOR: Duration = Duration::from_secs(60);
const READ_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// What the receiver knows of a store.
#[derive(Debug, Clone)]
pub enum StoreSecret {
    UnknownStore,
    /// Connected, but no webhooks set up: nothing it sends can be verified.
    NoSecret,
    Secret(Arc<[u8]>),
}

pub struct WebhookSecrets {
    db: DatabaseConnection,
    key: SecretKey,
    read: Mutex<HashMap<i64, (StoreSecret, Instant)>>,
}

impl WebhookSecrets {
    pub fn new(db: DatabaseConnection, key: SecretKey) -> WebhookSecrets {
        WebhookSecrets {
            db,
            key,
            read: Mutex::new(HashMap::new()),
        }
    }

    /// The store's secret, from memory while it is fresh.
    pub async fn get(&self, store_id: i64) -> Result<StoreSecret, StoreError> {
        match self.remembered(store_id) {
            Some((secret, read_at)) if read_at.elapsed() < FRESH_FOR => Ok(secret),
            _ => self.read_again(store_id).await,
        }
    }

    /// The store's secret read again, unless it was read within a second: for a signature
    /// that did not match what was remembered (so that bad signatures cannot make every
    /// request a database read).
    pub async fn get_again(&self, store_id: i64) -> Result<Option<StoreSecret>, StoreError> {
        match self.remembered(store_id) {
            Some((_, read_at)) if read_at.elapsed() < READ_AGAIN_AFTER => Ok(None),
            _ => self.read_again(store_id).await.map(Some),
        }
    }

    /// Forgets what was read of a store (its secret was replaced, or it was disconnected).
    pub fn forget(&self, store_id: i64) {
        self.lock().remove(&store_id);
    }

    fn remembered(&self, store_id: i64) -> Option<(StoreSecret, Instant)> {
        self.lock().get(&store_id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (StoreSecret, Instant)>> {
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn read_again(&self, store_id: i64) -> Result<StoreSecret, StoreError> {
        let store = stores::Entity::find_by_id(store_id).one(&self.db).await?;
        let secret = match store {
            None => StoreSecret::UnknownStore,
            Some(store) => match secret_of(&store, &self.key)? {
                None => StoreSecret::NoSecret,
                Some(secret) => StoreSecret::Secret(Arc::from(secret.expose().as_bytes())),
            },
        };
        // Only stores that exist are remembered: ids anyone can put in a delivery URL must
        // not grow the map.
        if !matches!(secret, StoreSecret::UnknownStore) {
            self.lock()
                .insert(store_id, (secret.clone(), Instant::now()));
        }
        Ok(secret)
    }
}

/// A store's webhook secret, if it has one.
pub fn secret_of(store: &stores::Model, key: &SecretKey) -> Result<Option<Secret>, StoreError> {
    store
        .webhook_secret_enc
        .as_deref()
        .map(|sealed| key.open(WEBHOOK_SECRET, sealed))
        .transpose()
        .map_err(StoreError::from)
}

/// The store's webhook secret, made and saved the first time.
pub async fn ensure_secret(
    db: &DatabaseConnection,
    key: &SecretKey,
    store: &stores::Model,
) -> Result<Secret, StoreError> {
    if let Some(secret) = secret_of(store, key)? {
        return Ok(secret);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = Secret::new(format!("whsec_{}", hex::encode(bytes)));
    // Only where none is set: of two setups at once, both use the one saved first.
    stores::Entity::update_many()
        .col_expr(
            stores::Column::WebhookSecretEnc,
            Expr::value(key.seal(WEBHOOK_SECRET, &secret)),
        )
        .col_expr(stores::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(stores::Column::Id.eq(store.id))
        .filter(stores::Column::WebhookSecretEnc.is_null())
        .exec(db)
        .await?;
    let saved = stores::Entity::find_by_id(store.id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound(store.id))?;
    secret_of(&saved, key)?.ok_or(StoreError::NotFound(store.id))
}
