//! Fetching a quarantined record from its store again, once the store (or woosync) is
//! fixed, and writing it: what the API's and the dashboard's Retry do.

use sea_orm::DbErr;

use super::children::write_with_children;
use super::context::Context;
use crate::queue::job::JobError;
use crate::sync::{Origin, quarantine};
use crate::woo::WooError;

/// What became of a quarantined record fetched again.
#[derive(Debug, Clone, PartialEq)]
pub enum Retried {
    /// It is kept now.
    Written,
    /// It failed again, for this reason.
    Quarantined { reason: Option<String> },
    /// The store no longer has it.
    Gone,
}

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error("no quarantined record {0}")]
    NotFound(i64),
    #[error("{0}")]
    Cannot(String),
    #[error("the store cannot be used: {0}")]
    StoreUnusable(JobError),
    #[error("{0}")]
    Store(WooError),
    #[error("the record could not be written: {0}")]
    Write(JobError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

pub async fn fetch_again(context: &Context, id: i64) -> Result<Retried, RetryError> {
    let entry = quarantine::find(&context.db, id)
        .await?
        .ok_or(RetryError::NotFound(id))?;
    let resource = entry.resource;
    let woo_id = entry
        .woo_id
        .clone()
        .filter(|_| resource.key_columns().ends_with(&["woo_id"]))
        .ok_or_else(|| {
            RetryError::Cannot("the record cannot be fetched alone: sync its resource again".into())
        })?;
    let active = context
        .active_store(entry.store_id)
        .await
        .map_err(RetryError::StoreUnusable)?
        .ok_or_else(|| RetryError::Cannot(format!("store {} is not active", entry.store_id)))?;
    let path = format!("{}/{woo_id}", resource.collection_path(entry.parent_id));
    let record = match active.client.patient().get_record(&path).await {
        Ok(record) => record,
        Err(WooError::NotFound { .. }) => {
            quarantine::forget(&context.db, id).await?;
            return Ok(Retried::Gone);
        }
        Err(error) => return Err(RetryError::Store(error)),
    };
    let origin = Origin {
        store_id: entry.store_id,
        resource,
        parent_id: entry.parent_id,
        run_id: None,
        emits_events: true,
        revives: true,
    };
    let applied = write_with_children(context, &active.store, origin, vec![record])
        .await
        .map_err(RetryError::Write)?;
    if applied.quarantined > 0 {
        let again = quarantine::find_record(&context.db, entry.store_id, resource, &woo_id).await?;
        return Ok(Retried::Quarantined {
            reason: again.map(|entry| entry.reason),
        });
    }
    quarantine::forget(&context.db, id).await?;
    Ok(Retried::Written)
}
