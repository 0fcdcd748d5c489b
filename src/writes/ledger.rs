//! The writes asked for, in `store_writes`: one row per idempotency key of a store, which
//! says where the write is and what its attempts left behind (whether a request that
//! changes the store was sent, and the steps done of a write of several requests).

use chrono::{DateTime, Utc};
use entity::store_writes::{self, WriteState};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use std::time::Duration;

use super::operation::Operation;
use crate::jobs::StoreWrite;
use crate::pipeline::context::Context;
use crate::queue::job::JobError;
use crate::queue::storage::{NewJob, Storage};

/// A write as asked for.
#[derive(Debug, Clone)]
pub struct NewWrite {
    pub store_id: i64,
    pub operation: Operation,
    /// The record an update changes.
    pub record_id: Option<i64>,
    /// The product of a variation; 0 otherwise.
    pub parent_id: i64,
    pub idempotency_key: String,
    pub body: Value,
}

impl NewWrite {
    fn request_hash(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.operation.name());
        hash.update(format!("|{:?}|{}|", self.record_id, self.parent_id));
        // serde_json keeps object keys sorted: the same body hashes the same.
        hash.update(self.body.to_string());
        hex::encode(hash.finalize())
    }
}

/// What submitting a write did.
#[derive(Debug)]
pub enum Submitted {
    /// Recorded and queued.
    New(store_writes::Model),
    /// The same request under a key already used: the first write.
    Repeated(store_writes::Model),
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(
        "the idempotency key was used for another request (write {write_id}): use a new key for a new write"
    )]
    KeyReused { write_id: i64 },
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("the queue cannot take the write: {0}")]
    Queue(String),
}

/// Records a write and queues it, unless its key was used already: the same request
/// again is the first write; another request under the key is refused.
pub async fn submit(
    db: &DatabaseConnection,
    queue: &dyn Storage,
    new: NewWrite,
) -> Result<Submitted, SubmitError> {
    let hash = new.request_hash();
    let now = Utc::now();
    let inserted = store_writes::Entity::insert(store_writes::ActiveModel {
        id: NotSet,
        store_id: Set(new.store_id),
        operation: Set(new.operation.name().to_string()),
        record_id: Set(new.record_id),
        parent_id: Set(new.parent_id),
        idempotency_key: Set(new.idempotency_key.clone()),
        request_hash: Set(hash.clone()),
        body: Set(new.body.to_string()),
        state: Set(WriteState::Queued),
        attempts: Set(0),
        sent_at: Set(None),
        store_clock_at_send: Set(None),
        progress: Set(None),
        result: Set(None),
        error_code: Set(None),
        error_message: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            store_writes::Column::StoreId,
            store_writes::Column::IdempotencyKey,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let write = store_writes::Entity::find()
        .filter(store_writes::Column::StoreId.eq(new.store_id))
        .filter(store_writes::Column::IdempotencyKey.eq(&new.idempotency_key))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the write just recorded".into()))?;
    if inserted == 0 {
        return if write.request_hash == hash {
            Ok(Submitted::Repeated(write))
        } else {
            Err(SubmitError::KeyReused { write_id: write.id })
        };
    }
    if let Err(error) = queue.enqueue(vec![job(&write)]).await {
        // Not queued, so not accepted: the caller may send it again under the same key.
        store_writes::Entity::delete_by_id(write.id)
            .exec(db)
            .await?;
        return Err(SubmitError::Queue(error.to_string()));
    }
    Ok(Submitted::New(write))
}

/// The job that carries out a write.
pub fn job(write: &store_writes::Model) -> NewJob {
    NewJob::of(&StoreWrite {
        write_id: write.id,
        store_id: write.store_id,
    })
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<store_writes::Model>, DbErr> {
    store_writes::Entity::find_by_id(id).one(db).await
}

/// The newest writes first.
pub async fn list(
    db: &DatabaseConnection,
    store_id: Option<i64>,
    state: Option<WriteState>,
    limit: u64,
) -> Result<Vec<store_writes::Model>, DbErr> {
    let mut query = store_writes::Entity::find().order_by_desc(store_writes::Column::Id);
    if let Some(store_id) = store_id {
        query = query.filter(store_writes::Column::StoreId.eq(store_id));
    }
    if let Some(state) = state {
        query = query.filter(store_writes::Column::State.eq(state));
    }
    query.limit(limit).all(db).await
}

/// How many writes are in each state.
pub async fn counts(db: &DatabaseConnection) -> Result<Vec<(WriteState, i64)>, DbErr> {
    store_writes::Entity::find()
        .select_only()
        .column(store_writes::Column::State)
        .column_as(store_writes::Column::Id.count(), "count")
        .group_by(store_writes::Column::State)
        .into_tuple()
        .all(db)
        .await
}

async fn change(
    db: &impl ConnectionTrait,
    id: i64,
    fill: impl FnOnce(&mut store_writes::ActiveModel),
) -> Result<(), DbErr> {
    let mut update = store_writes::ActiveModel {
        id: Set(id),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    fill(&mut update);
    update.update(db).await.map(|_| ())
}

/// An attempt begins.
pub async fn start_attempt(
    db: &DatabaseConnection,
    write: &store_writes::Model,
) -> Result<(), DbErr> {
    let attempts = write.attempts + 1;
    change(db, write.id, |update| {
        update.state = Set(WriteState::Running);
        update.attempts = Set(attempts);
    })
    .await
}

/// A request that changes the store is about to go: from now on an attempt must find out
/// what it did before sending it again. The window a look-up searches opens at the
/// store's clock `store_clock` of the first such request.
pub async fn note_sent(
    db: &DatabaseConnection,
    write: &store_writes::Model,
    store_clock: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let sent_at = write.sent_at.unwrap_or_else(Utc::now);
    let clock = write.store_clock_at_send.or(store_clock);
    change(db, write.id, |update| {
        update.sent_at = Set(Some(sent_at));
        update.store_clock_at_send = Set(clock);
    })
    .await
}

/// The steps done of a write of several requests.
pub async fn save_progress(
    db: &DatabaseConnection,
    id: i64,
    progress: &Value,
) -> Result<(), DbErr> {
    let text = progress.to_string();
    change(db, id, |update| update.progress = Set(Some(text))).await
}

/// An attempt failed and the queue will try again.
pub async fn will_retry(db: &DatabaseConnection, id: i64, message: &str) -> Result<(), DbErr> {
    let message = message.to_string();
    change(db, id, |update| {
        update.state = Set(WriteState::Queued);
        update.error_message = Set(Some(message));
    })
    .await
}

/// The write failed for good: WooCommerce's code and message (or woosync's own).
pub async fn fail(
    db: &impl ConnectionTrait,
    id: i64,
    code: &str,
    message: &str,
    result: Option<&Value>,
) -> Result<(), DbErr> {
    let (code, message) = (code.to_string(), message.to_string());
    let result = result.map(Value::to_string);
    change(db, id, |update| {
        update.state = Set(WriteState::Failed);
        update.error_code = Set(Some(code));
        update.error_message = Set(Some(message));
        update.result = Set(result);
        update.finished_at = Set(Some(Utc::now()));
    })
    .await
}

/// The write succeeded: the store's record (or, for stock, its items).
pub async fn succeed(
    db: &impl ConnectionTrait,
    id: i64,
    record_id: Option<i64>,
    result: &Value,
) -> Result<(), DbErr> {
    let result = result.to_string();
    change(db, id, |update| {
        update.state = Set(WriteState::Succeeded);
        if record_id.is_some() {
            update.record_id = Set(record_id);
        }
        update.result = Set(Some(result));
        update.error_code = Set(None);
        update.error_message = Set(None);
        update.finished_at = Set(Some(Utc::now()));
    })
    .await
}

/// The error code of a write an operator gave up.
pub const DISCARDED: &str = "discarded";

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error("write {0} does not exist")]
    NotFound(i64),
    #[error("write {id} is {state}: only a failed write is retried")]
    NotFailed { id: i64, state: &'static str },
    #[error("write {id} is {state}: only a queued or failed write is discarded")]
    NotDiscardable { id: i64, state: &'static str },
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("the queue cannot take the write: {0}")]
    Queue(String),
}

/// Queues a failed write again. What an earlier attempt sent stays known, so a create
/// whose outcome was never learnt is still looked up before it is sent again.
pub async fn retry(
    db: &DatabaseConnection,
    queue: &dyn Storage,
    id: i64,
) -> Result<store_writes::Model, RetryError> {
    let write = find(db, id).await?.ok_or(RetryError::NotFound(id))?;
    if write.state != WriteState::Failed {
        return Err(RetryError::NotFailed {
            id,
            state: write.state.as_str(),
        });
    }
    let moved = store_writes::Entity::update_many()
        .col_expr(
            store_writes::Column::State,
            Expr::value(WriteState::Queued.as_str()),
        )
        .col_expr(
            store_writes::Column::ErrorCode,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            store_writes::Column::ErrorMessage,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            store_writes::Column::FinishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(store_writes::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(store_writes::Column::Id.eq(id))
        .filter(store_writes::Column::State.eq(WriteState::Failed))
        .exec(db)
        .await?;
    if moved.rows_affected == 0 {
        return Err(RetryError::NotFailed {
            id,
            state: "no longer failed",
        });
    }
    queue
        .enqueue(vec![job(&write)])
        .await
        .map_err(|error| RetryError::Queue(error.to_string()))?;
    Ok(find(db, id).await?.unwrap_or(write))
}

/// Gives up a write that is queued (not yet sent) or failed: it fails as discarded, and
/// its job, if one is still queued, does nothing.
pub async fn discard(db: &DatabaseConnection, id: i64) -> Result<store_writes::Model, RetryError> {
    let write = find(db, id).await?.ok_or(RetryError::NotFound(id))?;
    let discardable = match write.state {
        WriteState::Failed => true,
        WriteState::Queued => write.sent_at.is_none(),
        _ => false,
    };
    if !discardable {
        return Err(RetryError::NotDiscardable {
            id,
            state: write.state.as_str(),
        });
    }
    fail(db, id, DISCARDED, "discarded by an operator", None).await?;
    Ok(find(db, id).await?.unwrap_or(write))
}

/// Queues again the writes neither succeeded nor failed that were quiet for `quiet_for`:
/// their jobs may have been lost with the queue. A job still alive holds its
/// de-duplication key, so the enqueue of its write is a no-op.
pub async fn requeue_quiet(context: &Context, quiet_for: Duration) -> Result<usize, JobError> {
    let before = Utc::now() - chrono::Duration::from_std(quiet_for).unwrap_or_default();
    let quiet = store_writes::Entity::find()
        .filter(store_writes::Column::State.is_in([WriteState::Queued, WriteState::Running]))
        .filter(store_writes::Column::UpdatedAt.lt(before))
        .all(&context.db)
        .await?;
    let jobs: Vec<NewJob> = quiet.iter().map(job).collect();
    let count = jobs.len();
    context.enqueue_jobs(jobs).await?;
    Ok(count)
}
