//! A full backfill leaves the database equal to the store.

use std::time::Duration;

use woosync::jobs::SyncMode;
use woosync::sim::generate::Sizes;

use crate::support::pipeline::{QueueKind, TestPipeline, Transport};

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
async fn full_backfill_on_the_embedded_queue_equals_the_store() {
    full_backfill_equals_the_store(Transport::OAuth1OverHttp, QueueKind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn full_backfill_over_https_with_basic_auth_equals_the_store() {
    full_backfill_equals_the_store(Transport::BasicOverHttps, QueueKind::Embedded).await;
}
