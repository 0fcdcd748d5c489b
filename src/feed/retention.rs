//! Retention: events older than `WOOSYNC_EVENT_RETENTION_DAYS` are deleted, with their
//! delivery log, and the feed remembers how far it was pruned so that a cursor behind it
//! is told so (410) rather than silently moved ahead.

use chrono::{DateTime, Utc};
use entity::{event_deliveries, event_feed, events};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

/// Events deleted in one transaction, so a writer never waits long behind a prune.
const PRUNED_AT_ONCE: i64 = 10_000;

/// Deletes the events created before `before`; how many.
pub async fn prune_events(db: &DatabaseConnection, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let through: Option<i64> = events::Entity::find()
        .select_only()
        .expr(events::Column::Id.max())
        .filter(events::Column::CreatedAt.lt(before))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    let Some(through) = through else {
        return Ok(0);
    };
    let mut pruned = 0;
    loop {
        let txn = crate::database::begin_write(db).await?;
        let feed = event_feed::Entity::find_by_id(1).one(&txn).await?;
        let from = feed.map_or(0, |feed| feed.pruned_through);
        if from >= through {
            return Ok(pruned);
        }
        let to = through.min(from + PRUNED_AT_ONCE);
        event_deliveries::Entity::delete_many()
            .filter(event_deliveries::Column::EventId.lte(to))
            .exec(&txn)
            .await?;
        pruned += events::Entity::delete_many()
            .filter(events::Column::Id.lte(to))
            .exec(&txn)
            .await?
            .rows_affected;
        event_feed::Entity::update_many()
            .col_expr(event_feed::Column::PrunedThrough, Expr::value(to))
            .filter(event_feed::Column::Id.eq(1))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
}
