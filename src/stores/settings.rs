//! A connected store's settings that a person may change after connecting it: its name,
//! rate limit, whether every order's notes are fetched, and its own schedules.

use std::str::FromStr;

use chrono::Utc;
use cron::Schedule;
use entity::stores;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr};

use super::{MAX_RATE_LIMIT, find_store};

/// What to change; what is left out stays as it is. A schedule set to none follows the
/// process's own (`WOOSYNC_POLL_CRON`, ...) again.
#[derive(Debug, Default)]
pub struct StoreSettings {
    pub name: Option<String>,
    pub rate_limit: Option<f64>,
    pub backfill_order_notes: Option<bool>,
    pub poll_cron: Option<Option<String>>,
    pub sweep_cron: Option<Option<String>>,
    pub refresh_cron: Option<Option<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("store {0} does not exist")]
    NotFound(i64),
    #[error("the name is 1 to 200 characters")]
    InvalidName,
    #[error("the rate limit must be more than 0 and at most {MAX_RATE_LIMIT} requests per second")]
    InvalidRateLimit,
    #[error(
        "{field} `{expression}` is not a cron expression with seconds first (sec min hour day month weekday): {problem}"
    )]
    InvalidSchedule {
        field: &'static str,
        expression: String,
        problem: String,
    },
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Checks and applies new settings; the store as it is then.
pub async fn change_settings<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    settings: StoreSettings,
) -> Result<stores::Model, SettingsError> {
    let store = find_store(db, store_id)
        .await?
        .ok_or(SettingsError::NotFound(store_id))?;
    let mut update: stores::ActiveModel = store.into();
    if let Some(name) = settings.name {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(SettingsError::InvalidName);
        }
        update.name = Set(name);
    }
    if let Some(rate_limit) = settings.rate_limit {
        if !(rate_limit.is_finite() && rate_limit > 0.0 && rate_limit <= MAX_RATE_LIMIT) {
            return Err(SettingsError::InvalidRateLimit);
        }
        update.rate_limit_per_s = Set(rate_limit);
    }
    if let Some(backfill_order_notes) = settings.backfill_order_notes {
        update.backfill_order_notes = Set(backfill_order_notes);
    }
    for (field, value, column) in [
        ("poll_cron", settings.poll_cron, &mut update.poll_cron),
        ("sweep_cron", settings.sweep_cron, &mut update.sweep_cron),
        (
            "refresh_cron",
            settings.refresh_cron,
            &mut update.refresh_cron,
        ),
    ] {
        let Some(expression) = value else { continue };
        let expression = expression
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty());
        if let Some(text) = &expression {
            Schedule::from_str(text).map_err(|error| SettingsError::InvalidSchedule {
                field,
                expression: text.clone(),
                problem: error.to_string(),
            })?;
        }
        *column = Set(expression);
    }
    update.updated_at = Set(Utc::now());
    Ok(update.update(db).await?)
}
