//! The change feed's outbox: the events of a transaction's changes, gathered while it
//! writes and inserted just before it commits, so that an event exists if and only if its
//! change was committed.
//!
//! The feed is read in id order, so ids must become visible in that order. SQLite writes
//! one transaction at a time, so they do. Postgres commits several at once, and an id taken
//! from its sequence may commit after a higher one has been read; there a transaction takes
//! a lock held until it commits (`pg_advisory_xact_lock`) before it inserts its events.
//! Then whoever holds uncommitted events holds the highest ids, and a reader that saw id N
//! has seen every id below it that will ever commit. The lock is taken last, after every
//! other statement of the transaction, so it is held only for the insert and the commit,
//! and never while waiting for a row another writer holds.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use entity::events;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Statement};

use crate::woo::Resource;

/// The key of the lock that orders the feed on Postgres ("woosync" in ASCII).
const FEED_LOCK: i64 = 0x0077_6f6f_7379_6e63;

/// An event to insert with the change it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub store_id: i64,
    pub kind: String,
    pub resource: Option<Resource>,
    pub record_id: Option<String>,
    pub parent_id: i64,
    /// JSON text: the record as held after the change, or what a `sync.*` event says.
    pub data: String,
    /// JSON text, where the event type defines it.
    pub previous: Option<String>,
}

impl NewEvent {
    /// `{resource}.{change}` of a record.
    pub fn of_record(
        store_id: i64,
        resource: Resource,
        change: &str,
        identity: RecordIdentity,
        data: String,
    ) -> NewEvent {
        NewEvent {
            store_id,
            kind: format!("{resource}.{change}"),
            resource: Some(resource),
            record_id: Some(identity.record_id),
            parent_id: identity.parent_id,
            data,
            previous: None,
        }
    }
}

/// Which record a row is, as events name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordIdentity {
    /// The parent a child is listed under; 0 for others.
    pub parent_id: i64,
    /// Its own key: the id, or the slug, or type and code joined by `:`.
    pub record_id: String,
}

impl RecordIdentity {
    /// From the values of a row's key columns after `store_id` (`Resource::key_columns`).
    pub fn from_key(resource: Resource, key: &[String]) -> RecordIdentity {
        let (parent_id, own) = match resource.parent() {
            Some(_) => (
                key.first().and_then(|id| id.parse().ok()).unwrap_or(0),
                &key[1..],
            ),
            None => (0, key),
        };
        RecordIdentity {
            parent_id,
            record_id: own.join(":"),
        }
    }
}

/// A key column's value as text, whatever its type.
pub fn key_text(row: &sea_orm::QueryResult, column: &str) -> Result<String, DbErr> {
    match row.try_get::<i64>("", column) {
        Ok(number) => Ok(number.to_string()),
        Err(_) => row.try_get::<String>("", column),
    }
}

/// The events of one transaction, gathered as its writes run.
#[derive(Debug, Default)]
pub struct Outbox {
    events: Mutex<Vec<NewEvent>>,
}

impl Outbox {
    pub fn add(&self, events: impl IntoIterator<Item = NewEvent>) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(events);
    }

    /// Inserts the events gathered, in the transaction `db`, as its last statements; how
    /// many.
    pub async fn flush<C: ConnectionTrait>(&self, db: &C) -> Result<u64, DbErr> {
        let events =
            std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner));
        insert_events(db, events, Utc::now()).await
    }
}

/// Inserts events in feed order: on Postgres under the feed's lock (see the module).
pub async fn insert_events<C: ConnectionTrait>(
    db: &C,
    events: Vec<NewEvent>,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    if events.is_empty() {
        return Ok(0);
    }
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_advisory_xact_lock($1)",
            [FEED_LOCK.into()],
        ))
        .await?;
    }
    let count = events.len() as u64;
    // A statement binds at most a few thousand values; an event binds eight.
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let rows = events
            .by_ref()
            .take(1_000)
            .map(|event| events::ActiveModel {
                id: NotSet,
                store_id: Set(event.store_id),
                kind: Set(event.kind),
                resource: Set(event.resource),
                record_id: Set(event.record_id),
                parent_id: Set(event.parent_id),
                data: Set(event.data),
                previous: Set(event.previous),
                created_at: Set(at),
            });
        events::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(count)
}
