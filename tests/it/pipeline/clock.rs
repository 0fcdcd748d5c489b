//! The clock: polls on its schedule; two clocks do no double work.

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
