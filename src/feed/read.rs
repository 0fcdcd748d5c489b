//! Reading the feed: the events after a cursor, in feed order, with the cursor to go on
//! from; and waiting for some (long-poll).

use std::time::Duration;

use entity::events;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::cursor::{CursorError, FeedBounds};
use super::types::TypeFilter;

/// How often a long-poll looks for new events.
const WAIT_STEP: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct FeedQuery {
    /// Events after this position.
    pub after: i64,
    pub limit: u64,
    pub store_ids: Option<Vec<i64>>,
    pub types: Option<TypeFilter>,
}

#[derive(Debug)]
pub struct FeedPage {
    pub events: Vec<events::Model>,
    /// Where to read on from: past the events returned and past those the filters left
    /// out, never past one that may yet commit.
    pub next_cursor: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Cursor(#[from] CursorError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The events after `query.after`, waiting up to `wait` for the first one.
pub async fn read_feed<C: ConnectionTrait>(
    db: &C,
    query: &FeedQuery,
    wait: Duration,
) -> Result<FeedPage, ReadError> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut after = query.after;
    let mut first = true;
    loop {
        let bounds = FeedBounds::read(db).await?;
        if first {
            bounds.check(after)?;
            first = false;
        } else if after < bounds.pruned_through {
            // Pruned while the caller waited: said, not skipped.
            bounds.check(after)?;
        }
        let page = read_page(db, query, after, bounds.latest).await?;
        if !page.events.is_empty() || tokio::time::Instant::now() + WAIT_STEP > deadline {
            return Ok(page);
        }
        // Nothing for this caller up to `latest`: those positions need not be read again.
        after = page.next_cursor;
        tokio::time::sleep(WAIT_STEP).await;
    }
}

/// The events in `(after, latest]` the query asks for, at most `limit` of them.
pub async fn read_page<C: ConnectionTrait>(
    db: &C,
    query: &FeedQuery,
    after: i64,
    latest: i64,
) -> Result<FeedPage, DbErr> {
    let mut select = events::Entity::find()
        .filter(events::Column::Id.gt(after))
        .filter(events::Column::Id.lte(latest));
    if let Some(stores) = &query.store_ids {
        select = select.filter(events::Column::StoreId.is_in(stores.iter().copied()));
    }
    if let Some(types) = &query.types {
        select = select.filter(events::Column::Kind.is_in(types.names()));
    }
    let events = select
        .order_by_asc(events::Column::Id)
        .limit(query.limit)
        .all(db)
        .await?;
    let next_cursor = match events.last() {
        Some(last) if events.len() as u64 >= query.limit => last.id,
        _ => latest.max(after),
    };
    Ok(FeedPage {
        events,
        next_cursor,
    })
}
