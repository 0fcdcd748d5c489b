//! Cursors: a position in the feed is the id of the last event read, as decimal text. A
//! cursor is checked against the feed's bounds: behind what retention has pruned it is
//! gone (410, with the oldest cursor still served); ahead of the newest event it is not
//! one the feed gave.

use entity::{event_feed, events};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QuerySelect};

/// What the feed holds now: the events after `pruned_through` up to `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedBounds {
    pub pruned_through: i64,
    pub latest: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CursorError {
    #[error("`{0}` is not a cursor: cursors are the decimal ids the feed gives")]
    Garbage(String),
    #[error("cursor {cursor} is ahead of the feed, whose newest event is {latest}")]
    Future { cursor: i64, latest: i64 },
    #[error(
        "the events after cursor {cursor} have been pruned (retention); the oldest cursor served is {oldest}"
    )]
    Pruned { cursor: i64, oldest: i64 },
}

/// Reads a cursor as given.
pub fn parse_cursor(text: &str) -> Result<i64, CursorError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|cursor| *cursor >= 0)
        .ok_or_else(|| CursorError::Garbage(text.chars().take(40).collect()))
}

impl FeedBounds {
    /// Read before the events themselves: on Postgres every id up to `latest` that will
    /// ever commit has committed (see `sync::outbox`), so reading up to it skips nothing.
    pub async fn read<C: ConnectionTrait>(db: &C) -> Result<FeedBounds, DbErr> {
        let pruned_through = event_feed::Entity::find_by_id(1)
            .one(db)
            .await?
            .map_or(0, |feed| feed.pruned_through);
        let newest: Option<i64> = events::Entity::find()
            .select_only()
            .expr(events::Column::Id.max())
            .into_tuple::<Option<i64>>()
            .one(db)
            .await?
            .flatten();
        Ok(FeedBounds {
            pruned_through,
            latest: newest.unwrap_or(0).max(pruned_through),
        })
    }

    /// Whether the feed can be read on from `cursor`.
    pub fn check(&self, cursor: i64) -> Result<(), CursorError> {
        if cursor < self.pruned_through {
            return Err(CursorError::Pruned {
                cursor,
                oldest: self.pruned_through,
            });
        }
        if cursor > self.latest {
            return Err(CursorError::Future {
                cursor,
                latest: self.latest,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_checked_against_the_bounds() {
        let bounds = FeedBounds {
            pruned_through: 10,
            latest: 20,
        };
        assert_eq!(bounds.check(10), Ok(()));
        assert_eq!(bounds.check(20), Ok(()));
        assert_eq!(
            bounds.check(9),
            Err(CursorError::Pruned {
                cursor: 9,
                oldest: 10
            })
        );
        assert_eq!(
            bounds.check(21),
            Err(CursorError::Future {
                cursor: 21,
                latest: 20
            })
        );
        assert_eq!(parse_cursor(" 15 "), Ok(15));
        assert!(matches!(parse_cursor("abc"), Err(CursorError::Garbage(_))));
        assert!(matches!(parse_cursor("-1"), Err(CursorError::Garbage(_))));
    }
}
