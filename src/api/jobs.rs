//! `/api/jobs` and `/api/queues`: the queue as the dashboard shows it and scripts use it.
//! Counts per job type and state, jobs listed by state and type a page at a time, one job
//! with its attempts, and the actions: retry one, retry every failed job (of a type, of a
//! store), discard one.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::state::ApiState;
use crate::jobs;
use crate::pipeline::resume::resume_store_runs;
use crate::queue::storage::{JobInfo, JobState, QueueCounts, Storage};
use crate::stores::{StoreStatus, find_store, set_status};

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The job type.
    pub job: String,
    pub pending: u64,
    /// Waiting out a delay or a retry's backoff.
    pub scheduled: u64,
    pub running: u64,
    pub failed: u64,
    pub done: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    /// `pending`, `scheduled`, `running`, `failed` (default) or `done`.
    pub state: Option<String>,
    /// One job type (`backfill_page`, `webhook_delivery`, ...); every type by default.
    pub job: Option<String>,
    /// Only jobs of this store.
    pub store_id: Option<i64>,
    pub page: Option<usize>,
    /// Default 50, at most 200.
    pub per_page: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: String,
    pub job: String,
    pub state: String,
    pub store_id: Option<i64>,
    /// The resource the job works on, when it has one.
    pub resource: Option<String>,
    pub attempts: u32,
    pub max_attempts: u32,
    pub crashes: u32,
    pub last_error: Option<String>,
    /// Its failed attempts, each with its time and error.
    #[schema(value_type = Vec<Object>)]
    pub history: Value,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The last attempt's time, for a failed job.
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub run_at: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(value_type = Object)]
    pub payload: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobsPage {
    pub jobs: Vec<JobView>,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryFailed {
    /// One job type; every type by default.
    pub job: Option<String>,
    /// Only this store's jobs.
    pub store_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Retried {
    pub retried: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobActionDone {
    pub id: String,
    /// `retried` or `discarded`.
    pub action: &'static str,
}

#[utoipa::path(
    get,
    path = "/api/queues",
    tag = "jobs",
    responses((status = 200, description = "Jobs per type and state", body = Vec<QueueView>)),
    security(("api_token" = []))
)]
pub async fn list_queues(State(state): State<ApiState>) -> Result<Json<Vec<QueueView>>, ApiError> {
    Ok(Json(queue_views(state.services.queue.as_ref()).await?))
}

pub async fn queue_views(queue: &dyn Storage) -> Result<Vec<QueueView>, ApiError> {
    let queues = jobs::queues();
    let mut views = Vec::with_capacity(queues.len());
    for job in queues {
        let QueueCounts {
            pending,
            scheduled,
            running,
            failed,
            done,
        } = queue.counts(job).await?;
        views.push(QueueView {
            job: job.to_string(),
            pending,
            scheduled,
            running,
            failed,
            done,
        });
    }
    Ok(views)
}

#[utoipa::path(
    get,
    path = "/api/jobs",
    tag = "jobs",
    params(JobsQuery),
    responses(
        (status = 200, description = "Jobs in a state, oldest first", body = JobsPage),
        (status = 400, description = "An unknown state or job type, or bad paging", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list_jobs(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<JobsQuery>,
) -> Result<Json<JobsPage>, ApiError> {
    let job_state = match query.state.as_deref() {
        None => JobState::Failed,
        Some(name) => JobState::parse(name).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                format!("unknown state `{name}`: pending, scheduled, running, failed or done"),
            )
        })?,
    };
    let types = job_types(query.job.as_deref())?;
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(50);
    let offset = (page > 0 && (1..=200).contains(&per_page))
        .then(|| (page - 1).checked_mul(per_page))
        .flatten()
        .ok_or_else(|| {
            ApiError::bad_request("invalid_query", "page starts at 1; per_page is 1 to 200")
        })?;
    let jobs = list(
        state.services.queue.as_ref(),
        &types,
        job_state,
        query.store_id,
        offset,
        per_page,
    )
    .await?;
    Ok(Json(JobsPage {
        jobs,
        page,
        per_page,
    }))
}

/// Jobs of `types` in `state`, oldest first within a type, paged over all of them; only
/// a store's when `store_id` is given.
pub async fn list(
    queue: &dyn Storage,
    types: &[&str],
    state: JobState,
    store_id: Option<i64>,
    offset: usize,
    limit: usize,
) -> Result<Vec<JobView>, ApiError> {
    let mut skipped = 0;
    let mut views = Vec::new();
    for job in types {
        // A store's jobs are picked out of each page of the queue's.
        let mut from = 0;
        loop {
            let batch = queue.list(job, state, from, 500).await?;
            let fetched = batch.len();
            for info in batch {
                if store_id.is_some_and(|store| info.store_id != Some(store)) {
                    continue;
                }
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
                views.push(view(info));
                if views.len() == limit {
                    return Ok(views);
                }
            }
            if fetched < 500 {
                break;
            }
            from += fetched;
        }
    }
    Ok(views)
}

#[utoipa::path(
    get,
    path = "/api/jobs/{id}",
    tag = "jobs",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The job with its attempts", body = JobView),
        (status = 404, description = "No such job", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn show_job(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(view(state.services.queue.show(&id).await?)))
}

#[utoipa::path(
    post,
    path = "/api/jobs/{id}/retry",
    tag = "jobs",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Queued again with its attempts reset", body = JobActionDone),
        (status = 404, description = "No such job", body = ErrorBody),
        (status = 409, description = "The job has not failed", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn retry_job(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<JobActionDone>, ApiError> {
    retry_one(&state, &id).await?;
    Ok(Json(JobActionDone {
        id,
        action: "retried",
    }))
}

/// Retries a failed job. A job of a store stopped by bad keys or a disabled REST API is
/// the operator saying the store is fixed: the store is made active again (if it is not
/// fixed, the job's next failure stops it again) and its runs left without jobs while it
/// was stopped get them back.
pub async fn retry_one(state: &ApiState, id: &str) -> Result<(), ApiError> {
    let services = &state.services;
    let job = services.queue.show(id).await?;
    if job.state != JobState::Failed {
        return Err(job.not_in("failed").into());
    }
    let reactivated = reactivate(state, job.store_id.into_iter().collect()).await?;
    services.queue.retry(id).await?;
    resume(state, &reactivated).await;
    Ok(())
}

/// Retries every failed job of `types` (of one store, or of all), making the stores they
/// belong to active again as [`retry_one`] does.
pub async fn retry_all(
    state: &ApiState,
    types: &[&str],
    store_id: Option<i64>,
) -> Result<usize, ApiError> {
    let queue = state.services.queue.as_ref();
    let stores = match store_id {
        Some(store_id) => vec![store_id],
        None => {
            let mut stores = Vec::new();
            for job in list(queue, types, JobState::Failed, None, 0, usize::MAX).await? {
                if let Some(store) = job.store_id
                    && !stores.contains(&store)
                {
                    stores.push(store);
                }
            }
            stores
        }
    };
    let reactivated = reactivate(state, stores).await?;
    let mut retried = 0;
    for job in types {
        retried += queue.retry_all_failed(job, store_id).await?;
    }
    resume(state, &reactivated).await;
    Ok(retried)
}

/// Makes those of `stores` that bad keys or a disabled REST API stopped active again;
/// returns them.
async fn reactivate(state: &ApiState, stores: Vec<i64>) -> Result<Vec<i64>, ApiError> {
    let db = &state.services.db;
    let stopped = [StoreStatus::AuthFailed, StoreStatus::RestDisabled].map(StoreStatus::as_str);
    let mut reactivated = Vec::new();
    for store_id in stores {
        if let Some(store) = find_store(db, store_id).await?
            && stopped.contains(&store.status.as_str())
        {
            set_status(db, store_id, StoreStatus::Active, None).await?;
            reactivated.push(store_id);
        }
    }
    Ok(reactivated)
}

/// Gives the live runs of stores made active again the jobs they lost while stopped.
async fn resume(state: &ApiState, stores: &[i64]) {
    for store_id in stores {
        if let Err(error) = resume_store_runs(&state.services.context, *store_id).await {
            tracing::warn!(store = store_id, %error, "the store's runs could not be resumed");
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/jobs/{id}/discard",
    tag = "jobs",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Removed for good", body = JobActionDone),
        (status = 404, description = "No such job", body = ErrorBody),
        (status = 409, description = "The job is neither failed nor scheduled", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn discard_job(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<JobActionDone>, ApiError> {
    state.services.queue.discard(&id).await?;
    Ok(Json(JobActionDone {
        id,
        action: "discarded",
    }))
}

#[utoipa::path(
    post,
    path = "/api/jobs/retry-failed",
    tag = "jobs",
    request_body = RetryFailed,
    responses(
        (status = 200, description = "How many failed jobs were queued again", body = Retried),
        (status = 400, description = "An unknown job type", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn retry_failed(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<RetryFailed>,
) -> Result<Json<Retried>, ApiError> {
    let retried = retry_all(
        &state,
        &job_types(request.job.as_deref())?,
        request.store_id,
    )
    .await?;
    Ok(Json(Retried { retried }))
}

/// The job types a filter names: one, or all.
pub fn job_types(name: Option<&str>) -> Result<Vec<&'static str>, ApiError> {
    match name {
        None => Ok(jobs::queues()),
        Some(name) => jobs::queues()
            .iter()
            .find(|queue| **queue == name)
            .map(|queue| vec![*queue])
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("unknown job type `{name}`: {}", jobs::queues().join(", ")),
                )
            }),
    }
}

fn view(info: JobInfo) -> JobView {
    let payload: Value = serde_json::from_str(&info.payload).unwrap_or(Value::String(info.payload));
    let resource = payload
        .get("resource")
        .and_then(Value::as_str)
        .map(str::to_string);
    JobView {
        id: info.id,
        job: info.queue,
        state: info.state.as_str().to_string(),
        store_id: info.store_id,
        resource,
        attempts: info.attempts,
        max_attempts: info.max_attempts,
        crashes: info.crashes,
        last_error: info.last_error,
        history: serde_json::to_value(&info.history).unwrap_or_default(),
        created_at: info.created_at,
        updated_at: info.updated_at,
        run_at: info.run_at,
        payload,
    }
}
