//! The clock (`woosync schedule`): enqueues a `PollStore` for every active store on the poll
//! schedule, an ID sweep on the sweep schedule and a content refresh on the refresh
//! schedule (each store may have its own), resumes runs whose jobs went missing, and every
//! hour puts right the webhooks a store disabled (`webhooks::registration::check_webhooks`)
//! and forgets done jobs older than an hour.
//! Two clocks running do no double work: polls are de-duplicated per store in the queue and
//! runs per store and resource in the database.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cron::Schedule;
use entity::stores;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::feed::delivery::endpoints_due;
use crate::feed::retention::prune_events;
use crate::jobs::poll_store::PollKind;
use crate::jobs::webhook_delivery::{AUDIT_KEPT_FOR, forget_deliveries_before};
use crate::jobs::{DeliverEvents, PollStore};
use crate::pipeline::Context;
use crate::pipeline::resume::{forget_resolved_failures, resume_quiet_runs};
use crate::queue::storage::NewJob;
use crate::stores::StoreStatus;
use crate::webhooks::registration::check_webhooks;

/// How often the clock looks at its schedules.
const TICK: Duration = Duration::from_secs(1);

/// How long a done job stays in the queue, for the dashboard: every poll of every store
/// leaves one, and kept for good they would fill Redis (see `bench scale`).
const DONE_JOBS_KEPT_FOR: chrono::Duration = chrono::Duration::hours(1);

pub struct Clock {
    pub context: Context,
    pub poll: Schedule,
    pub sweep: Schedule,
    pub refresh: Schedule,
    pub webhook_check: Schedule,
    pub resume_after: Duration,
    /// How long the change feed keeps events.
    pub event_retention: Duration,
}

impl Clock {
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        tracing::info!(poll = %self.poll, sweep = %self.sweep, refresh = %self.refresh, "clock started");
        let mut shutdown = std::pin::pin!(shutdown);
        let mut last_tick = Utc::now();
        let resume_every = (self.resume_after / 4).max(TICK);
        let mut last_resume = std::time::Instant::now();
        // Runs left quiet by a crash before this start are resumed at once.
        self.resume().await;
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(TICK) => {}
            }
            let now = Utc::now();
            if let Err(error) = self.enqueue_due(last_tick, now).await {
                tracing::warn!(%error, "the clock could not enqueue polls; trying again");
                continue;
            }
            self.wake_deliveries().await;
            if due(&self.webhook_check, last_tick, now) {
                // In the background: a slow store must not hold the schedule up.
                tokio::spawn(check_all_webhooks(std::sync::Arc::clone(&self.context)));
                tokio::spawn(prune_feed(
                    std::sync::Arc::clone(&self.context),
                    self.event_retention,
                ));
                tokio::spawn(forget_done_jobs(std::sync::Arc::clone(&self.context)));
            }
            last_tick = now;
            if last_resume.elapsed() >= resume_every {
                self.resume().await;
                last_resume = std::time::Instant::now();
            }
        }
        tracing::info!("clock stopped");
        Ok(())
    }

    async fn resume(&self) {
        match resume_quiet_runs(&self.context, self.resume_after).await {
            Ok(0) => {}
            Ok(resumed) => tracing::warn!(resumed, "resumed sync runs that had lost their jobs"),
            Err(error) => tracing::warn!(%error, "resuming quiet sync runs failed"),
        }
        match crate::writes::ledger::requeue_quiet(&self.context, self.resume_after).await {
            Ok(0) => {}
            Ok(requeued) => {
                tracing::warn!(requeued, "queued again writes that had lost their jobs")
            }
            Err(error) => tracing::warn!(%error, "looking for writes that lost their jobs failed"),
        }
        if let Err(error) = forget_resolved_failures(&self.context, &crate::jobs::queues()).await {
            tracing::warn!(%error, "looking for failed jobs resolved since failed");
        }
    }

    /// Enqueues a delivery of the change feed for each endpoint with events waiting (one
    /// at a time per endpoint: a pump under way takes the new events itself).
    async fn wake_deliveries(&self) {
        let jobs = match endpoints_due(&self.context.db).await {
            Ok(due) => due
                .into_iter()
                .map(|endpoint_id| NewJob::of(&DeliverEvents { endpoint_id }))
                .collect::<Vec<_>>(),
            Err(error) => {
                tracing::warn!(%error, "cannot look for event deliveries due");
                return;
            }
        };
        if !jobs.is_empty()
            && let Err(error) = self.context.queue.enqueue(jobs).await
        {
            tracing::warn!(%error, "cannot enqueue event deliveries");
        }
    }

    /// Enqueues the polls and sweeps whose time came in `(after, now]`.
    async fn enqueue_due(&self, after: DateTime<Utc>, now: DateTime<Utc>) -> anyhow::Result<()> {
        let active = stores::Entity::find()
            .filter(stores::Column::Status.eq(StoreStatus::Active))
            .all(&self.context.db)
            .await?;
        let mut jobs = Vec::new();
        for store in active {
            let poll =
                own_schedule(store.poll_cron.as_deref()).unwrap_or_else(|| self.poll.clone());
            let sweep =
                own_schedule(store.sweep_cron.as_deref()).unwrap_or_else(|| self.sweep.clone());
            let refresh =
                own_schedule(store.refresh_cron.as_deref()).unwrap_or_else(|| self.refresh.clone());
            // Of two due at once, the broadest: a refresh covers a sweep, a sweep a poll.
            let kind = [
                (refresh, PollKind::Refresh),
                (sweep, PollKind::IdSweep),
                (poll, PollKind::Changes),
            ]
            .into_iter()
            .find(|(schedule, _)| due(schedule, after, now))
            .map(|(_, kind)| kind);
            if let Some(kind) = kind {
                jobs.push(NewJob::of(&PollStore {
                    store_id: store.id,
                    kind,
                }));
            }
        }
        if !jobs.is_empty() {
            tracing::info!(jobs = jobs.len(), "enqueueing scheduled polls");
            self.context.queue.enqueue(jobs).await?;
        }
        Ok(())
    }
}

/// Checks the webhooks of every active store (a store that cannot be reached now is
/// checked again at the next hour), and forgets audited deliveries past their time.
async fn check_all_webhooks(context: Context) {
    let before = Utc::now() - AUDIT_KEPT_FOR;
    if let Err(error) = forget_deliveries_before(&context.db, before).await {
        tracing::warn!(%error, "cannot forget old webhook deliveries");
    }
    let active = stores::Entity::find()
        .filter(stores::Column::Status.eq(StoreStatus::Active))
        .all(&context.db)
        .await;
    let active = match active {
        Ok(active) => active,
        Err(error) => {
            tracing::warn!(%error, "cannot list stores to check their webhooks");
            return;
        }
    };
    for store in active {
        if let Err(error) = check_webhooks(&context, &store).await {
            tracing::warn!(store = store.id, %error, "cannot check the store's webhooks");
        }
    }
}

/// Deletes the events past their retention.
async fn prune_feed(context: Context, retention: Duration) {
    let before = Utc::now() - chrono::Duration::from_std(retention).unwrap_or_default();
    match prune_events(&context.db, before).await {
        Ok(0) => {}
        Ok(pruned) => tracing::info!(pruned, "events past their retention deleted"),
        Err(error) => tracing::warn!(%error, "cannot prune the change feed"),
    }
}

/// Removes the done jobs kept past `DONE_JOBS_KEPT_FOR`.
async fn forget_done_jobs(context: Context) {
    let before = Utc::now() - DONE_JOBS_KEPT_FOR;
    for queue in crate::jobs::queues() {
        match context.queue.purge_done(queue, before).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(queue, purged, "done jobs forgotten"),
            Err(error) => tracing::warn!(queue, %error, "cannot forget done jobs"),
        }
    }
}

/// A store's own cron expression, if it has a valid one (the API refuses invalid ones).
fn own_schedule(expression: Option<&str>) -> Option<Schedule> {
    Schedule::from_str(expression?).ok()
}

fn due(schedule: &Schedule, after: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    schedule
        .after(&after)
        .next()
        .is_some_and(|next| next <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_fires_once_in_the_tick_that_covers_it() {
        let every_quarter = Schedule::from_str(crate::config::DEFAULT_POLL_CRON).unwrap();
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        assert!(due(
            &every_quarter,
            at("2026-11-24T10:14:59Z"),
            at("2026-11-24T10:15:00Z")
        ));
        assert!(!due(
            &every_quarter,
            at("2026-11-24T10:15:00Z"),
            at("2026-11-24T10:15:01Z")
        ));
        assert!(!due(
            &every_quarter,
            at("2026-11-24T10:01:00Z"),
            at("2026-11-24T10:14:00Z")
        ));
    }
}
