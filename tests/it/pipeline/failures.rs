//! A store that fails: bad keys stop it at once; a flaky one still syncs right.

use std::time::Duration;

use entity::stores::{self, StoreStatus};
use sea_orm::EntityTrait;
use sim::generate::Sizes;
use sim::store::read;
use woosync::jobs::FetchChildren;
use woosync::pipeline::resume::resume_quiet_runs;
use woosync::pipeline::{SyncMode, start_sync};
use woosync::queue::job::Job;
use woosync::queue::storage::JobState;
use woosync::woo::Resource;

use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, TestPipeline, wait_for};

fn small_store() -> Sizes {
    Sizes {
        products: 250,
        orders: 300,
        ..Sizes::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_keys_stop_the_store_without_a_retry_storm_and_new_keys_resume_it() {
    bad_keys_stop_the_store_and_new_keys_resume_it(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_keys_stop_a_store_on_postgres_and_new_keys_resume_it() {
    bad_keys_stop_the_store_and_new_keys_resume_it(Backend::Postgres).await;
}

async fn bad_keys_stop_the_store_and_new_keys_resume_it(backend: Backend) {
    let pipeline = TestPipeline::start_on(backend, QueueKind::Redis, small_store(), &[]).await;
    let store = pipeline
        .connect_store_with_secret(10_000.0, "cs_wrong")
        .await;
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    let status = || async {
        stores::Entity::find_by_id(store)
            .one(&pipeline.services.db)
            .await
            .unwrap()
            .unwrap()
            .status
    };
    wait_for(
        "the store to be stopped",
        Duration::from_secs(30),
        || async { status().await == StoreStatus::AuthFailed && pipeline.jobs_left().await == 0 },
    )
    .await;
    let refused = pipeline
        .sim
        .server
        .store
        .requests()
        .iter()
        .filter(|request| request.status == 401)
        .count();
    // Jobs already under way when the first 401 came may each have made their one
    // request; nothing was retried.
    assert!(
        refused >= 1 && refused <= runs.len(),
        "{refused} requests were refused"
    );
    let mut failed = 0;
    for queue in woosync::jobs::queues() {
        failed += pipeline.services.queue.counts(queue).await.unwrap().failed;
    }
    assert!(
        failed >= 1,
        "the job that met the bad keys is in the failed set"
    );

    // The operator fixes the keys and retries what failed; the clock resumes the rest.
    let secret = pipeline.sim.server.info.consumer_secret.clone();
    pipeline.connect_store_with_secret(10_000.0, &secret).await;
    assert_eq!(status().await, StoreStatus::Active);
    for queue in woosync::jobs::queues() {
        pipeline
            .services
            .queue
            .retry_all_failed(queue, Some(store))
            .await
            .unwrap();
    }
    resume_quiet_runs(&pipeline.services.context, Duration::ZERO)
        .await
        .unwrap();
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_through_a_fifth_of_failing_requests_equals_a_clean_one() {
    a_sync_through_failing_requests_equals_a_clean_one(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_through_a_fifth_of_failing_requests_on_postgres_equals_a_clean_one() {
    a_sync_through_failing_requests_equals_a_clean_one(Backend::Postgres).await;
}

async fn a_sync_through_failing_requests_equals_a_clean_one(backend: Backend) {
    let pipeline = TestPipeline::start_on(
        backend,
        QueueKind::Redis,
        small_store(),
        &[
            ("WOOSYNC_REQUEST_TIMEOUT_S", "1"),
            ("WOOSYNC_RETRY_FIRST_DELAY_S", "0.1"),
        ],
    )
    .await;
    let store = pipeline.connect_store(10_000.0).await;
    pipeline.sim.server.set_faults(|faults| {
        faults.error_rate = 0.08;
        faults.timeout_rate = 0.04;
        faults.truncated_rate = 0.04;
        // The host answers 429 with Retry-After beyond 150 requests a second.
        faults.rate_limit_per_s = Some(150.0);
        faults.retry_after_s = 1;
    });
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    pipeline.wait_synced(&runs, Duration::from_secs(180)).await;
    let store_side = &pipeline.sim.server.store;
    let served = store_side.faults_served();
    // A request that hung was never logged: its client gave up on it.
    let asked = store_side.requests().len() as u64 + served.hangs;
    eprintln!("the store put faults on {served:?} of {asked} requests");
    assert!(
        served.total() * 10 >= asked,
        "the store put faults on {served:?} of {asked} requests: too few to mean anything"
    );
    pipeline
        .sim
        .server
        .set_faults(|faults| *faults = Default::default());
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_whose_children_never_list_fails_alone_and_its_batch_is_kept() {
    let pipeline = TestPipeline::start_with(
        QueueKind::Embedded,
        Sizes {
            products: 200,
            orders: 0,
            ..Sizes::default()
        },
        &[("WOOSYNC_RETRY_FIRST_DELAY_S", "0.01")],
    )
    .await;
    let store = pipeline.connect_store(10_000.0).await;
    let variable: Vec<i64> = read(&pipeline.sim.server.store.data)
        .collection((Resource::Products, 0))
        .iter()
        .filter(|product| product["type"] == "variable")
        .filter_map(|product| product["id"].as_i64())
        .collect();
    assert!(variable.len() > 3, "the store needs variable products");
    // A plugin crashes on one product's variations, in the middle of a batch.
    let broken = variable[2];
    pipeline.sim.server.set_faults(|faults| {
        faults
            .broken_paths
            .insert(format!("products/{broken}/variations"));
    });
    pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    let queue = &pipeline.services.queue;
    wait_for(
        "the broken product's job to land in the failed set",
        Duration::from_secs(60),
        || async {
            pipeline.jobs_left().await == 0
                && queue.counts(FetchChildren::NAME).await.unwrap().failed == 1
        },
    )
    .await;
    let failed = queue
        .list(FetchChildren::NAME, JobState::Failed, 0, 10)
        .await
        .unwrap();
    let job: FetchChildren = serde_json::from_str(&failed[0].payload).unwrap();
    assert_eq!(
        job.parent_ids,
        vec![broken],
        "only the broken parent failed"
    );
    assert_eq!(failed[0].attempts, failed[0].max_attempts);

    // Every other product's variations are kept: once the store is mended, retrying the
    // one failed job makes the database equal to the store.
    pipeline
        .sim
        .server
        .set_faults(|faults| *faults = Default::default());
    queue
        .retry_all_failed(FetchChildren::NAME, Some(store))
        .await
        .unwrap();
    wait_for(
        "the retried job to run",
        Duration::from_secs(30),
        || async { pipeline.jobs_left().await == 0 },
    )
    .await;
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_id_sweep_through_a_store_failing_a_third_of_its_requests_ends_right() {
    let sizes = Sizes {
        products: 100,
        orders: 3_000,
        ..Sizes::default()
    };
    let (pipeline, store, _worker) = TestPipeline::synced(QueueKind::Embedded, sizes).await;
    let sim = &pipeline.sim.server.store;
    // Deleted for good (no webhook) and edited while nobody watched.
    let orders: Vec<i64> = read(&sim.data)
        .collection((Resource::Orders, 0))
        .iter()
        .map(|order| order["id"].as_i64().unwrap())
        .collect();
    for order in orders.iter().step_by(150) {
        sim.delete_permanently(Resource::Orders, 0, *order);
    }
    for order in orders.iter().skip(7).step_by(300) {
        sim.update(
            Resource::Orders,
            0,
            *order,
            serde_json::json!({"status": "completed"}),
        );
    }
    sim.clear_requests();
    pipeline
        .sim
        .server
        .set_faults(|faults| faults.error_rate = 0.33);
    let sweep = start_sync(
        &pipeline.services.context,
        store,
        Resource::Orders,
        SyncMode::Sweep,
    )
    .await
    .unwrap();
    pipeline
        .wait_synced(&[sweep.run.id], Duration::from_secs(120))
        .await;
    pipeline
        .sim
        .server
        .set_faults(|faults| faults.error_rate = 0.0);
    pipeline.assert_database_equals_store(store).await;

    // Each page of ids came through once: a page that failed was asked again, and no other.
    let pages_answered: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|request| {
            request.status == 200 && request.path == "orders" && request.query.contains("_fields")
        })
        .map(|request| request.query)
        .collect();
    let distinct: std::collections::HashSet<&String> = pages_answered.iter().collect();
    assert_eq!(distinct.len(), pages_answered.len(), "a page listed twice");
    assert_eq!(pages_answered.len(), (orders.len() - 20).div_ceil(100));
}
