//! Wakes the change feed's deliveries as soon as a write commits events, rather than at
//! the clock's next tick: the writer signals, and a task of the process enqueues a
//! delivery for each active endpoint (one at a time per endpoint, so a pump under way
//! takes the new events itself).

use std::sync::Arc;
use std::time::Duration;

use entity::event_endpoints::{self, EndpointStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::Notify;

use crate::jobs::DeliverEvents;
use crate::pipeline::Context;
use crate::queue::storage::NewJob;

/// The least time between two wakes: commits come tens a second, endpoints need one.
const WAKE_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
pub struct FeedWaker {
    committed: Notify,
}

impl FeedWaker {
    /// A write committed events.
    pub fn events_committed(&self) {
        self.committed.notify_one();
    }

    /// Enqueues deliveries after each commit of events, for as long as the process runs.
    pub async fn run(self: Arc<Self>, context: Context) {
        loop {
            self.committed.notified().await;
            let active = event_endpoints::Entity::find()
                .select_only()
                .column(event_endpoints::Column::Id)
                .filter(event_endpoints::Column::Status.eq(EndpointStatus::Active))
                .into_tuple::<i64>()
                .all(&context.db)
                .await;
            match active {
                Ok(ids) if !ids.is_empty() => {
                    let jobs = ids
                        .into_iter()
                        .map(|endpoint_id| NewJob::of(&DeliverEvents { endpoint_id }))
                        .collect();
                    if let Err(error) = context.queue.enqueue(jobs).await {
                        tracing::debug!(%error, "deliveries not woken: the clock will");
                    }
                }
                Ok(_) => {}
                Err(error) => tracing::debug!(%error, "deliveries not woken: the clock will"),
            }
            tokio::time::sleep(WAKE_EVERY).await;
        }
    }
}
