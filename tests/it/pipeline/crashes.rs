//! A worker process killed mid-backfill (SIGKILL, or an abort at a named point), then
//! another started: the backfill finishes with the database equal to the store, no row
//! twice, no page missing.

use std::time::Duration;

use entity::sync_checkpoints;
use entity::sync_runs::{self, RunStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait};
use sim::generate::Sizes;
use woosync::jobs::BackfillPage;
use woosync::jobs::poll_store::PollKind;
use woosync::pipeline::resume::forget_resolved_failures;
use woosync::pipeline::{SyncMode, start_sync};
use woosync::queue::job::Job;
use woosync::woo::Resource;

use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, TestPipeline, wait_for};

/// Where the first worker dies.
enum Death {
    /// `WOOSYNC_FAILPOINT`: the process aborts when it reaches the point.
    At(&'static str),
    /// SIGKILL from outside once this many pages are written.
    KilledAfterPages(u64),
}

async fn a_backfill_survives(death: Death) {
    a_backfill_on_survives(Backend::Sqlite, death).await;
}

async fn a_backfill_on_survives(backend: Backend, death: Death) {
    let sizes = Sizes {
        products: 600,
        orders: 900,
        ..Sizes::default()
    };
    let pipeline = TestPipeline::start_on(backend, QueueKind::Redis, sizes, &[]).await;
    let store = pipeline.connect_store(10_000.0).await;
    // A little latency, so that many pages are in flight when the worker dies.
    pipeline.sim.server.set_faults(|faults| {
        faults.latency_ms.insert("default".into(), 20);
    });
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;

    let mut doomed = match death {
        Death::At(point) => pipeline.spawn_process(&["work"], &[("WOOSYNC_FAILPOINT", point)]),
        Death::KilledAfterPages(pages) => {
            let mut child = pipeline.spawn_process(&["work"], &[]);
            wait_for("pages to be written", Duration::from_secs(60), || async {
                sync_checkpoints::Entity::find()
                    .count(&pipeline.services.db)
                    .await
                    .unwrap()
                    >= pages
            })
            .await;
            child.kill().unwrap();
            child
        }
    };
    wait_for("the first worker to die", Duration::from_secs(60), || {
        let dead = matches!(doomed.try_wait(), Ok(Some(_)));
        async move { dead }
    })
    .await;
    assert!(
        !pipeline.all_succeeded(&runs).await,
        "the worker died before the backfill was done"
    );

    let mut survivor = pipeline.spawn_process(&["work"], &[]);
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
    let _ = survivor.kill();
    let _ = survivor.wait();
    pipeline.assert_database_equals_store(store).await;
    pipeline.assert_nothing_marked_deleted(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_after_fetching_a_page_before_writing_it() {
    a_backfill_survives(Death::At("before_page_commit:4")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_between_the_first_pages_commit_and_its_follow_up_enqueue() {
    a_backfill_survives(Death::At("after_page_commit:1")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_between_a_later_pages_commit_and_its_follow_up_enqueue() {
    a_backfill_survives(Death::At("after_page_commit:12")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_during_a_reconcile_sweep() {
    a_backfill_survives(Death::At("during_sweep:2")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_by_sigkill_with_pages_in_flight() {
    a_backfill_survives(Death::KilledAfterPages(8)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_by_sigkill_with_pages_in_flight_on_postgres() {
    a_backfill_on_survives(Backend::Postgres, Death::KilledAfterPages(8)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_whose_jobs_were_lost_with_redis_are_resumed_from_the_database() {
    let sizes = Sizes {
        products: 600,
        orders: 900,
        ..Sizes::default()
    };
    let mut pipeline =
        TestPipeline::start_with(QueueKind::Redis, sizes, &[("WOOSYNC_RESUME_AFTER_S", "1")]).await;
    let store = pipeline.connect_store(10_000.0).await;
    pipeline.sim.server.set_faults(|faults| {
        faults.latency_ms.insert("default".into(), 20);
    });
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let mut worker = pipeline.spawn_process(&["work"], &[]);
    wait_for("pages to be written", Duration::from_secs(60), || async {
        sync_checkpoints::Entity::find()
            .count(&pipeline.services.db)
            .await
            .unwrap()
            >= 5
    })
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();
    // Redis dies without its append-only file: every queued job is gone.
    pipeline.lose_redis();
    assert_eq!(pipeline.jobs_left().await, 0, "the queue was lost");
    assert!(!pipeline.all_succeeded(&runs).await);

    let _worker = pipeline.spawn_worker();
    let _clock = pipeline.spawn_clock();
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
    // Runs that had finished before the loss lost the children jobs they queued; the
    // next poll lists the small resources again with their children (attribute terms,
    // zone methods), and the sweeps fetch the variations and refunds that are missing.
    for kind in [PollKind::Changes, PollKind::IdSweep] {
        pipeline.poll_and_wait(store, kind).await;
    }
    pipeline.assert_database_equals_store(store).await;
    pipeline.assert_nothing_marked_deleted(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_kills_its_workers_fails_its_run_at_once_and_is_resolved_once_its_run_succeeds()
{
    let sizes = Sizes {
        products: 40,
        variations_per_product: 0,
        ..Sizes::default()
    };
    let pipeline =
        TestPipeline::start_with(QueueKind::Redis, sizes, &[("WOOSYNC_ORPHAN_AFTER_S", "1")]).await;
    let store = pipeline.connect_store(10_000.0).await;
    let run = start_sync(
        &pipeline.services.context,
        store,
        Resource::Products,
        SyncMode::Backfill,
    )
    .await
    .unwrap()
    .run
    .id;
    let run_status = || async {
        sync_runs::Entity::find_by_id(run)
            .one(&pipeline.services.db)
            .await
            .unwrap()
            .unwrap()
    };
    // Every worker dies writing the one page the store has.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while run_status().await.status != RunStatus::Failed {
        assert!(std::time::Instant::now() < deadline, "the run never failed");
        let mut doomed =
            pipeline.spawn_process(&["work"], &[("WOOSYNC_FAILPOINT", "before_page_commit")]);
        wait_for(
            "the worker to die or the run to fail",
            Duration::from_secs(30),
            || {
                let dead = matches!(doomed.try_wait(), Ok(Some(_)));
                async move { dead || run_status().await.status == RunStatus::Failed }
            },
        )
        .await;
        let _ = doomed.kill();
        let _ = doomed.wait();
    }
    let failed = run_status().await;
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("poison pill"),
        "{failed:?}"
    );

    let failed_jobs = || async {
        pipeline
            .services
            .queue
            .counts(BackfillPage::NAME)
            .await
            .unwrap()
            .failed
    };
    assert_eq!(
        failed_jobs().await,
        1,
        "the poison pill is in the failed set"
    );

    // A failed job whose run has succeeded since is resolved: the clock takes it out of
    // the failed set.
    assert_eq!(
        forget_resolved_failures(&pipeline.services.context, &woosync::jobs::queues())
            .await
            .unwrap(),
        0,
        "not while its run has failed"
    );
    let mut succeeded: sync_runs::ActiveModel = failed.into();
    succeeded.status = Set(RunStatus::Succeeded);
    succeeded.update(&pipeline.services.db).await.unwrap();
    assert_eq!(
        forget_resolved_failures(&pipeline.services.context, &woosync::jobs::queues())
            .await
            .unwrap(),
        1
    );
    assert_eq!(failed_jobs().await, 0);
}
