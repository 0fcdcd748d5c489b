//! How a failure ends a job: retried through the queue's backoff, postponed without using
//! an attempt, or failed for good after stopping its store.

use sea_orm::{DatabaseConnection, DbErr};

use crate::queue::job::JobError;
use crate::stores::{StoreStatus, set_status};
use crate::woo::WooError;

impl From<DbErr> for JobError {
    fn from(error: DbErr) -> Self {
        JobError::retry(format!("database: {error}"))
    }
}

/// Bad keys, a missing scope or REST switched off stop the store (its queued jobs then do
/// nothing) and fail the job without retries: retrying would only hammer the store. Our
/// own rate budget postpones the job; everything else is retried with backoff, after the
/// store's `Retry-After` where it gave one.
pub async fn store_problem(db: &DatabaseConnection, store_id: i64, error: WooError) -> JobError {
    match &error {
        WooError::BudgetSpent { wait } => return JobError::Postpone { after: *wait },
        WooError::RateLimited { retry_after } => {
            return JobError::Retry {
                message: error.to_string(),
                after: *retry_after,
            };
        }
        _ => {}
    }
    match stopping_status(&error) {
        Some(status) => {
            tracing::error!(store = store_id, status = status.as_str(), %error, "store stopped");
            if let Err(db_error) = set_status(db, store_id, status, Some(error.to_string())).await {
                return JobError::retry(format!("{error}; marking the store failed: {db_error}"));
            }
            JobError::permanent(error.to_string())
        }
        None => JobError::retry(error.to_string()),
    }
}

/// The status a failure puts its store in, for the failures no retry can fix.
pub fn stopping_status(error: &WooError) -> Option<StoreStatus> {
    match error {
        WooError::BadCredentials { .. } | WooError::MissingScope { .. } => {
            Some(StoreStatus::AuthFailed)
        }
        WooError::RestUnavailable => Some(StoreStatus::RestDisabled),
        _ => None,
    }
}
