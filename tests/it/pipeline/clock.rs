//! The clock: polls on its schedule; two clocks do no double work; done jobs are not kept
//! for good.

use std::collections::HashMap;
use std::time::Duration;

use entity::sync_runs;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sim::generate::Sizes;
use woosync::pipeline::SyncMode;
use woosync::sync::runs::RunStatus;

use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, TestPipeline, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn two_clocks_poll_on_schedule_without_overlapping_runs() {
    two_clocks_poll_without_overlapping_runs(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clocks_on_postgres_poll_on_schedule_without_overlapping_runs() {
    two_clocks_poll_without_overlapping_runs(Backend::Postgres).await;
}

async fn two_clocks_poll_without_overlapping_runs(backend: Backend) {
    let pipeline = TestPipeline::start_on(
        backend,
        QueueKind::Redis,
        Sizes::default(),
        &[("WOOSYNC_POLL_CRON", "*/2 * * * * *")],
    )
    .await;
    let store = pipeline.connect_store(10_000.0).await;
    let backfill = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    pipeline
        .wait_synced(&backfill, Duration::from_secs(60))
        .await;

    let mut clocks = [
        pipeline.spawn_process(&["schedule"], &[]),
        pipeline.spawn_process(&["schedule"], &[]),
    ];
    let orders_runs = || async {
        sync_runs::Entity::find()
            .filter(sync_runs::Column::Resource.eq("orders"))
            .filter(sync_runs::Column::Kind.eq("incremental"))
            .order_by_asc(sync_runs::Column::Id)
            .all(&pipeline.services.db)
            .await
            .unwrap()
    };
    wait_for(
        "three scheduled polls of orders",
        Duration::from_secs(60),
        || async {
            orders_runs()
                .await
                .iter()
                .filter(|run| run.status == RunStatus::Succeeded)
                .count()
                >= 3
        },
    )
    .await;
    for clock in &mut clocks {
        let _ = clock.kill();
        let _ = clock.wait();
    }
    // Every resource's runs followed one another: none started while another of the same
    // resource was under way, whatever the two clocks did.
    let all = sync_runs::Entity::find()
        .filter(sync_runs::Column::StoreId.eq(store))
        .order_by_asc(sync_runs::Column::Id)
        .all(&pipeline.services.db)
        .await
        .unwrap();
    let mut last_finished: HashMap<woosync::woo::Resource, chrono::DateTime<chrono::Utc>> =
        HashMap::new();
    for run in all {
        if let Some(previous) = last_finished.get(&run.resource) {
            assert!(
                run.created_at >= *previous,
                "run {} of {} started before the one before it finished",
                run.id,
                run.resource
            );
        }
        if let Some(finished) = run.finished_at {
            last_finished.insert(run.resource, finished);
        }
    }
}

/// Every poll leaves a done job; the clock forgets those older than an hour, every hour
/// (on the webhook check's schedule, here every second).
#[tokio::test(flavor = "multi_thread")]
async fn the_clock_forgets_done_jobs_older_than_an_hour() {
    let pipeline = TestPipeline::start_with(
        QueueKind::Redis,
        Sizes::default(),
        &[("WOOSYNC_WEBHOOK_CHECK_CRON", "* * * * * *")],
    )
    .await;
    let store = pipeline.connect_store(10_000.0).await;
    let backfill = pipeline.sync_all(store, SyncMode::Backfill).await;
    let worker = pipeline.spawn_worker();
    pipeline
        .wait_synced(&backfill, Duration::from_secs(60))
        .await;
    drop(worker);
    let queue = &pipeline.services.queue;
    let done = || async {
        let mut done = 0;
        for name in woosync::jobs::queues() {
            done += queue.counts(name).await.unwrap().done;
        }
        done
    };
    assert!(done().await > 0, "the backfill left no done job");

    // Two hours pass for the done jobs.
    let mut redis = redis::Client::open(pipeline.redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let two_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(2)).timestamp_millis();
    for name in woosync::jobs::queues() {
        let set = format!("woosync:q:{name}:done");
        let ids: Vec<String> = redis::cmd("ZRANGE")
            .arg(&set)
            .arg(0)
            .arg(-1)
            .query_async(&mut redis)
            .await
            .unwrap();
        for id in ids {
            redis::cmd("ZADD")
                .arg(&set)
                .arg("XX")
                .arg(two_hours_ago)
                .arg(id)
                .query_async::<()>(&mut redis)
                .await
                .unwrap();
        }
    }
    let _clock = pipeline.spawn_clock();
    wait_for(
        "the done jobs to be forgotten",
        Duration::from_secs(30),
        || async { done().await == 0 },
    )
    .await;
}
