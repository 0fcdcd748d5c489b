//! A full backfill leaves the database equal to the store, and says so only once it does.

use std::time::Duration;

use entity::sync_runs;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sim::generate::Sizes;
use sim::store::{read, write};
use woosync::pipeline::SyncMode;
use woosync::sync::run_children;
use woosync::woo::Resource;

use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, TestPipeline, Transport, wait_for};

/// A store of a few thousand records.
fn few_thousand() -> Sizes {
    Sizes {
        products: 400,
        orders: 700,
        customers: 300,
        coupons: 40,
        categories: 30,
        reviews: 150,
        ..Sizes::default()
    }
}

async fn full_backfill_equals_the_store(transport: Transport, queue: QueueKind) {
    let pipeline = TestPipeline::start_over(transport, queue, few_thousand(), &[]).await;
    let store = pipeline.connect_store(10_000.0).await;
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn full_backfill_on_redis_equals_the_store() {
    full_backfill_equals_the_store(Transport::OAuth1OverHttp, QueueKind::Redis).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn full_backfill_on_redis_and_postgres_equals_the_store() {
    let pipeline =
        TestPipeline::start_on(Backend::Postgres, QueueKind::Redis, few_thousand(), &[]).await;
    let store = pipeline.connect_store(10_000.0).await;
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn full_backfill_on_the_embedded_queue_equals_the_store() {
    full_backfill_equals_the_store(Transport::OAuth1OverHttp, QueueKind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn full_backfill_over_https_with_basic_auth_equals_the_store() {
    full_backfill_equals_the_store(Transport::BasicOverHttps, QueueKind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_succeeds_only_once_its_children_are_written() {
    let pipeline = TestPipeline::start(QueueKind::Embedded, few_thousand()).await;
    // Children answer slowly, as a real store's variations and refunds do.
    {
        let mut faults = write(&pipeline.sim.server.store.faults);
        for child in ["product_variations", "order_refunds", "order_notes"] {
            faults.latency_ms.insert(child.to_string(), 150);
        }
    }
    let store = pipeline.connect_store(10_000.0).await;
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    wait_for("every run to succeed", Duration::from_secs(120), || {
        pipeline.all_succeeded(&runs)
    })
    .await;
    // Nothing is left to fetch once the runs say so.
    pipeline.assert_database_equals_store(store).await;
    let finished = sync_runs::Entity::find()
        .filter(sync_runs::Column::Id.is_in(runs.iter().copied()))
        .all(&pipeline.services.db)
        .await
        .unwrap();
    let products = finished
        .iter()
        .find(|run| run.resource == Resource::Products)
        .unwrap();
    let progress = run_children::progress(&pipeline.services.db, &[products.id])
        .await
        .unwrap()[&products.id];
    let variable = read(&pipeline.sim.server.store.data)
        .parents(Resource::ProductVariations)
        .len() as i64;
    assert_eq!(progress.parents, variable, "{progress:?}");
    assert_eq!(progress.parents_done, variable, "{progress:?}");
    assert!(progress.last_done_at.unwrap() <= products.finished_at.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backfill_through_a_host_that_strips_or_miscounts_paging_headers_is_whole() {
    for (strip, undercount) in [(true, false), (false, true)] {
        let pipeline = TestPipeline::start(QueueKind::Embedded, few_thousand()).await;
        pipeline.sim.server.set_faults(|faults| {
            faults.strip_paging_headers = strip;
            faults.undercount_pages = undercount;
        });
        let store = pipeline.connect_store(10_000.0).await;
        let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
        let _worker = pipeline.spawn_worker();
        pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
        pipeline.assert_database_equals_store(store).await;
        pipeline.assert_nothing_marked_deleted(store).await;
    }
}
