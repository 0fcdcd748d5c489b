//! What the dashboard's buttons do: the same operations as the JSON API, then back to the
//! page with a notice saying what happened.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Redirect;
use serde::Deserialize;

use crate::api::error::ApiError;
use crate::api::jobs::{job_types, retry_all, retry_one};
use crate::api::quarantine::retry;
use crate::api::state::ApiState;
use crate::api::stores::{change_status, resume};
use crate::api::sync::start_runs;
use crate::api::writes::write_error;
use crate::pipeline::SyncMode;
use crate::stores::StoreStatus;
use crate::writes::ledger;

#[derive(Deserialize)]
pub struct SyncChoice {
    /// A resource, or `all`.
    resource: Option<String>,
}

#[derive(Deserialize)]
pub struct StoreFilter {
    store_id: Option<i64>,
}

pub(super) fn back(notice: &str) -> Redirect {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("notice", notice)
        .finish();
    Redirect::to(&format!("/dashboard?{query}"))
}

pub async fn retry_job(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Redirect, ApiError> {
    retry_one(&state, &id).await?;
    Ok(back(&format!("Job {id} queued again.")))
}

pub async fn discard_job(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Redirect, ApiError> {
    state.services.queue.discard(&id).await?;
    Ok(back(&format!("Job {id} discarded.")))
}

pub async fn retry_write(
    State(state): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Redirect, ApiError> {
    ledger::retry(&state.services.db, state.services.queue.as_ref(), id)
        .await
        .map_err(write_error)?;
    Ok(back(&format!("Write {id} queued again.")))
}

pub async fn discard_write(
    State(state): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Redirect, ApiError> {
    ledger::discard(&state.services.db, id)
        .await
        .map_err(write_error)?;
    Ok(back(&format!("Write {id} discarded.")))
}

pub async fn retry_failed(
    State(state): State<ApiState>,
    Form(filter): Form<StoreFilter>,
) -> Result<Redirect, ApiError> {
    let retried = retry_all(&state, &job_types(None)?, filter.store_id).await?;
    Ok(back(&format!("{retried} failed jobs queued again.")))
}

pub async fn sync_store(
    State(state): State<ApiState>,
    Path(store_id): Path<i64>,
    Form(choice): Form<SyncChoice>,
) -> Result<Redirect, ApiError> {
    let name = choice.resource.as_deref().unwrap_or("all");
    match start_runs(&state, store_id, name, SyncMode::Auto).await {
        Ok(runs) => {
            let started = runs.iter().filter(|run| run.new).count();
            Ok(back(&format!(
                "{started} sync runs started for store {store_id}."
            )))
        }
        // A store that is not active, or a resource synced with its parent: said on the page.
        Err(error) if error.status.is_client_error() => Ok(back(&error.message)),
        Err(error) => Err(error),
    }
}

pub async fn retry_quarantined(
    State(state): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Redirect, ApiError> {
    let notice = match retry(&state, id).await {
        Ok(outcome) => match outcome.reason {
            Some(reason) => format!("Record set aside again: {reason}"),
            None => format!("Record fetched again: {}.", outcome.outcome),
        },
        Err(error) => error.message,
    };
    Ok(back(&notice))
}

pub async fn pause_store(
    State(state): State<ApiState>,
    Path(store_id): Path<i64>,
) -> Result<Redirect, ApiError> {
    change_status(&state, store_id, StoreStatus::Paused).await?;
    Ok(back(&format!("Store {store_id} paused.")))
}

pub async fn resume_store(
    State(state): State<ApiState>,
    Path(store_id): Path<i64>,
) -> Result<Redirect, ApiError> {
    resume(&state, store_id).await?;
    Ok(back(&format!("Store {store_id} resumed.")))
}
