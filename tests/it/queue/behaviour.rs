use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use woosync::database;
use woosync::queue::backoff::RetryPolicy;
use woosync::queue::job::Job;
use woosync::queue::redis::RedisStorage;
use woosync::queue::runner::Runner;
use woosync::queue::storage::{Enqueued, JobState, Liveness, NewJob, OwnClaims, Storage};

use super::backing::{Backing, storage_from_spec};
use super::jobs::{Dawdle, Doomed, Flaky, Nap, Poison, Record, Seen, Slow};
use crate::support::redis::RedisServer;

const WORKER_ENV: &str = "WOOSYNC_TEST_QUEUE_WORKER";

/// Waits for `done` with a deadline, failing with `what`.
async fn wait_for<F: std::future::Future<Output = bool>>(
    what: &str,
    deadline: Duration,
    mut done: impl FnMut() -> F,
) {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn fast_liveness() -> Liveness {
    Liveness {
        heartbeat: Duration::from_millis(300),
        orphan_after: Duration::from_secs(2),
        crash_limit: 3,
        stranded_limit: 10,
    }
}

fn spawn_runner(
    storage: Arc<dyn Storage>,
    seen: Seen,
    policy: RetryPolicy,
    concurrency: usize,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = Runner::new(storage, seen)
        .register::<Record>()
        .register::<Flaky>()
        .register::<Nap>()
        .register::<Doomed>()
        .concurrency(concurrency)
        .liveness(fast_liveness())
        .retry_policy(policy);
    tokio::spawn(runner.run(async move {
        let _ = stopped.await;
    }));
    stop
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_200000_jobs_runs_to_the_end_each_once() {
    a_backlog_runs_to_the_end_each_once(Backing::redis().await, 200_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_backlog_of_20000_jobs_runs_to_the_end_each_once() {
    a_backlog_runs_to_the_end_each_once(Backing::sqlite().await, 20_000).await;
}

async fn a_backlog_runs_to_the_end_each_once(backing: Backing, total: u64) {
    let storage = backing.storage().await;
    let jobs: Vec<NewJob> = (0..total).map(|n| NewJob::of(&Record { n })).collect();
    let enqueued = storage.enqueue(jobs).await.unwrap();
    assert!(enqueued.iter().all(|e| matches!(e, Enqueued::New(_))));
    assert_eq!(storage.counts(Record::NAME).await.unwrap().pending, total);

    let seen = Seen::default();
    let _stop = spawn_runner(
        Arc::clone(&storage),
        seen.clone(),
        RetryPolicy::default(),
        64,
    );
    wait_for("the backlog done", Duration::from_secs(600), || async {
        storage.counts(Record::NAME).await.unwrap().done == total
    })
    .await;
    assert_eq!(seen.distinct() as u64, total);
    let counts = storage.counts(Record::NAME).await.unwrap();
    assert_eq!((counts.pending, counts.running, counts.failed), (0, 0, 0));
}

#[tokio::test]
async fn a_key_held_for_a_window_outlives_its_job() {
    a_window_outlives_the_job(Backing::redis().await).await;
}

#[tokio::test]
async fn embedded_a_key_held_for_a_window_outlives_its_job() {
    a_window_outlives_the_job(Backing::sqlite().await).await;
}

/// A webhook's content key: held past its job's end until the window closes, then free.
async fn a_window_outlives_the_job(backing: Backing) {
    let storage = backing.storage().await;
    let window = Duration::from_secs(3);
    let job = || NewJob::of(&Record { n: 9 }).deduplicated_for("content".into(), window);
    // Taken before the enqueue: the storage starts the window at its own clock, during the
    // call, and a clock read after it would make a window that ended on time look short.
    let enqueued_at = std::time::Instant::now();
    let first = storage.enqueue(vec![job()]).await.unwrap();
    assert!(matches!(first[0], Enqueued::New(_)));
    let seen = Seen::default();
    let _stop = spawn_runner(
        Arc::clone(&storage),
        seen.clone(),
        RetryPolicy::default(),
        4,
    );
    wait_for("the job done", Duration::from_secs(20), || async {
        storage.counts(Record::NAME).await.unwrap().done == 1
    })
    .await;
    if enqueued_at.elapsed() < window {
        let again = storage.enqueue(vec![job()]).await.unwrap();
        assert_eq!(again[0], Enqueued::Duplicate(first[0].id().to_string()));
    }
    wait_for("the window to close", Duration::from_secs(20), || async {
        let later = storage.enqueue(vec![job()]).await.unwrap();
        matches!(later[0], Enqueued::New(_))
    })
    .await;
    // The queues count time in whole milliseconds.
    assert!(
        enqueued_at.elapsed() + Duration::from_millis(1) >= window,
        "freed before its window ended"
    );
}

#[tokio::test]
async fn a_duplicate_enqueue_is_reported_and_runs_once() {
    a_duplicate_is_reported_and_runs_once(Backing::redis().await).await;
}

#[tokio::test]
async fn embedded_a_duplicate_enqueue_is_reported_and_runs_once() {
    a_duplicate_is_reported_and_runs_once(Backing::sqlite().await).await;
}

async fn a_duplicate_is_reported_and_runs_once(backing: Backing) {
    let storage = backing.storage().await;
    let first = storage
        .enqueue(vec![NewJob::of(&Record { n: 7 })])
        .await
        .unwrap();
    let second = storage
        .enqueue(vec![NewJob::of(&Record { n: 7 })])
        .await
        .unwrap();
    assert!(matches!(first[0], Enqueued::New(_)));
    assert_eq!(second[0], Enqueued::Duplicate(first[0].id().to_string()));
    // One batch: a key already live, a new key twice, and jobs with no key between them,
    // each answered in its place.
    let batch = storage
        .enqueue(vec![
            NewJob::of(&Flaky { n: 1, failures: 0 }),
            NewJob::of(&Record { n: 7 }),
            NewJob::of(&Record { n: 8 }),
            NewJob::of(&Flaky { n: 2, failures: 0 }),
            NewJob::of(&Record { n: 8 }),
        ])
        .await
        .unwrap();
    assert!(matches!(batch[0], Enqueued::New(_)));
    assert_eq!(batch[1], Enqueued::Duplicate(first[0].id().to_string()));
    assert!(matches!(batch[2], Enqueued::New(_)));
    assert!(matches!(batch[3], Enqueued::New(_)));
    assert_eq!(batch[4], Enqueued::Duplicate(batch[2].id().to_string()));
    let ids: std::collections::HashSet<&str> = batch.iter().map(Enqueued::id).collect();
    assert_eq!(ids.len(), 4, "{batch:?}");

    let seen = Seen::default();
    let _stop = spawn_runner(
        Arc::clone(&storage),
        seen.clone(),
        RetryPolicy::default(),
        4,
    );
    wait_for("the jobs done", Duration::from_secs(20), || async {
        storage.counts(Record::NAME).await.unwrap().done == 2
            && storage.counts(Flaky::NAME).await.unwrap().done == 2
    })
    .await;
    assert_eq!(seen.runs.load(std::sync::atomic::Ordering::Relaxed), 2);
    // Done, the key is free again.
    let third = storage
        .enqueue(vec![NewJob::of(&Record { n: 7 })])
        .await
        .unwrap();
    assert!(matches!(third[0], Enqueued::New(_)));
}

#[tokio::test]
async fn retries_follow_the_backoff_without_holding_a_slot_and_failed_jobs_can_be_retried() {
    retries_follow_the_backoff(Backing::redis().await).await;
}

#[tokio::test]
async fn embedded_retries_follow_the_backoff_without_holding_a_slot_and_failed_jobs_can_be_retried()
{
    retries_follow_the_backoff(Backing::sqlite().await).await;
}

async fn retries_follow_the_backoff(backing: Backing) {
    let storage = backing.storage().await;
    let policy = RetryPolicy {
        first_delay: Duration::from_millis(300),
        factor: 2.0,
        max_delay: Duration::from_secs(10),
    };
    let flaky = storage
        .enqueue(vec![NewJob::of(&Flaky { n: 1, failures: 3 })])
        .await
        .unwrap();
    let hopeless = storage
        .enqueue(vec![NewJob::of(&Flaky {
            n: 2,
            failures: 100,
        })])
        .await
        .unwrap();
    let seen = Seen::default();
    // One slot: the job waiting out its backoff must not hold it.
    let _stop = spawn_runner(Arc::clone(&storage), seen.clone(), policy, 1);
    let quick = storage
        .enqueue(vec![NewJob::of(&Record { n: 99 })])
        .await
        .unwrap();
    wait_for(
        "the quick job, while the others back off",
        Duration::from_secs(5),
        || async { storage.show(quick[0].id()).await.unwrap().state == JobState::Done },
    )
    .await;
    wait_for("the flaky job done", Duration::from_secs(30), || async {
        storage.show(flaky[0].id()).await.unwrap().state == JobState::Done
    })
    .await;
    let times: Vec<Instant> = seen
        .attempts
        .lock()
        .unwrap()
        .iter()
        .filter(|(n, _)| *n == 1)
        .map(|(_, at)| *at)
        .collect();
    assert_eq!(times.len(), 4, "three failures, then success");
    for attempt in 1..=3u32 {
        let waited = times[attempt as usize] - times[attempt as usize - 1];
        let (low, high) = policy.bounds(attempt);
        // The queue promotes due jobs every 50 ms and a worker waits up to 500 ms for new
        // ones; the upper bound allows for that.
        assert!(
            waited >= low,
            "attempt {attempt}: waited {waited:?}, less than {low:?}"
        );
        assert!(
            waited <= high + Duration::from_millis(700),
            "attempt {attempt}: waited {waited:?}, more than {high:?}"
        );
    }

    wait_for(
        "the hopeless job failed",
        Duration::from_secs(60),
        || async { storage.show(hopeless[0].id()).await.unwrap().state == JobState::Failed },
    )
    .await;
    let failed = storage.show(hopeless[0].id()).await.unwrap();
    assert_eq!(failed.attempts, Flaky::MAX_ATTEMPTS);
    assert_eq!(failed.history.len(), Flaky::MAX_ATTEMPTS as usize);
    assert_eq!(failed.last_error.as_deref(), Some("failure 5"));
    let listed = storage
        .list(Flaky::NAME, JobState::Failed, 0, 10)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|job| job.id.clone()).collect::<Vec<_>>(),
        vec![failed.id.clone()]
    );

    let before = seen.attempts.lock().unwrap().len();
    storage.retry(&failed.id).await.unwrap();
    wait_for(
        "the retried job to run again",
        Duration::from_secs(10),
        || async { seen.attempts.lock().unwrap().len() > before },
    )
    .await;
    storage.discard(&failed.id).await.ok();
}

/// In a crash test's child process (the test re-run with the worker spec in the
/// environment): be a worker process running `Slow` and `Poison` jobs against the SQLite
/// file named there, until killed. Returns false in the test itself.
async fn run_as_worker_if_child() -> bool {
    let Ok(spec) = std::env::var(WORKER_ENV) else {
        return false;
    };
    let (queue_spec, db_url) = spec.rsplit_once('|').unwrap();
    let storage = storage_from_spec(queue_spec).await;
    let db = database::connect_url(db_url).await.unwrap();
    Runner::new(storage, Some(db))
        .register::<Slow>()
        .register::<Poison>()
        .register::<Dawdle>()
        .concurrency(64)
        .liveness(fast_liveness())
        .run(std::future::pending())
        .await
        .unwrap();
    true
}

/// Starts a worker process: this test binary running `test` in its child role.
fn start_worker(test: &str, backing: &Backing, db_url: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &format!("queue::behaviour::{test}"),
            "--nocapture",
        ])
        .env(WORKER_ENV, format!("{}|{db_url}", backing.spec()))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn sigkill(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

async fn runs_db(dir: &std::path::Path) -> (DatabaseConnection, String) {
    let url = format!("sqlite://{}?mode=rwc", dir.join("runs.db").display());
    let db = database::connect_url(&url).await.unwrap();
    db.execute_unprepared("CREATE TABLE runs (n INTEGER PRIMARY KEY)")
        .await
        .unwrap();
    (db, url)
}

async fn rows(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM runs",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn a_killed_workers_jobs_complete(test: &str, backing: Backing, another_alive: bool) {
    let storage = backing.storage().await;
    let dir = tempfile::tempdir().unwrap();
    let (db, db_url) = runs_db(dir.path()).await;
    let jobs: Vec<NewJob> = (0..50)
        .map(|n| NewJob::of(&Slow { n, millis: 3000 }))
        .collect();
    storage.enqueue(jobs).await.unwrap();
    let mut doomed = start_worker(test, &backing, &db_url);
    wait_for("50 jobs in flight", Duration::from_secs(30), || async {
        storage.counts(Slow::NAME).await.unwrap().running == 50
    })
    .await;
    let mut survivor = another_alive.then(|| start_worker(test, &backing, &db_url));
    sigkill(&mut doomed);
    let killed_at = Instant::now();
    if survivor.is_none() {
        survivor = Some(start_worker(test, &backing, &db_url));
    }
    wait_for(
        "all 50 jobs done after the kill",
        Duration::from_secs(60),
        || async { rows(&db).await == 50 },
    )
    .await;
    eprintln!("recovered within {:?} of the kill", killed_at.elapsed());
    wait_for("the queue to settle", Duration::from_secs(10), || async {
        storage.counts(Slow::NAME).await.unwrap().done == 50
    })
    .await;
    if let Some(mut survivor) = survivor {
        sigkill(&mut survivor);
    }
}

#[tokio::test]
async fn a_killed_workers_jobs_go_to_another_live_worker() {
    if run_as_worker_if_child().await {
        return;
    }
    a_killed_workers_jobs_complete(
        "a_killed_workers_jobs_go_to_another_live_worker",
        Backing::redis().await,
        true,
    )
    .await;
}

#[tokio::test]
async fn a_killed_workers_jobs_go_to_the_next_worker_to_start() {
    if run_as_worker_if_child().await {
        return;
    }
    a_killed_workers_jobs_complete(
        "a_killed_workers_jobs_go_to_the_next_worker_to_start",
        Backing::redis().await,
        false,
    )
    .await;
}

#[tokio::test]
async fn embedded_a_killed_workers_jobs_go_to_the_next_worker_to_start() {
    if run_as_worker_if_child().await {
        return;
    }
    a_killed_workers_jobs_complete(
        "embedded_a_killed_workers_jobs_go_to_the_next_worker_to_start",
        Backing::sqlite().await,
        false,
    )
    .await;
}

#[tokio::test]
async fn a_job_that_kills_its_worker_ends_in_the_failed_set() {
    if run_as_worker_if_child().await {
        return;
    }
    a_poison_pill_ends_failed(
        "a_job_that_kills_its_worker_ends_in_the_failed_set",
        Backing::redis().await,
    )
    .await;
}

#[tokio::test]
async fn embedded_a_job_that_kills_its_worker_ends_in_the_failed_set() {
    if run_as_worker_if_child().await {
        return;
    }
    a_poison_pill_ends_failed(
        "embedded_a_job_that_kills_its_worker_ends_in_the_failed_set",
        Backing::sqlite().await,
    )
    .await;
}

async fn a_poison_pill_ends_failed(test: &str, backing: Backing) {
    let storage = backing.storage().await;
    let dir = tempfile::tempdir().unwrap();
    let (_db, db_url) = runs_db(dir.path()).await;
    let poison = storage.enqueue(vec![NewJob::of(&Poison)]).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut workers_started = 0;
    let failed = loop {
        // Each worker dies on the job; the next one to start recovers it.
        let mut worker = start_worker(test, &backing, &db_url);
        workers_started += 1;
        let info = loop {
            let info = storage.show(poison[0].id()).await.unwrap();
            if info.state == JobState::Failed || worker.try_wait().unwrap().is_some() {
                break info;
            }
            assert!(
                Instant::now() < deadline,
                "the poison pill never reached the failed set: {info:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if info.state == JobState::Failed {
            sigkill(&mut worker);
            break info;
        }
    };
    assert_eq!(failed.crashes, fast_liveness().crash_limit);
    assert!(failed.last_error.unwrap().contains("poison pill"));
    assert!(workers_started <= fast_liveness().crash_limit as usize + 1);
}

#[tokio::test]
async fn a_crash_is_not_charged_to_a_job_that_only_waited() {
    if run_as_worker_if_child().await {
        return;
    }
    let test = "a_crash_is_not_charged_to_a_job_that_only_waited";
    let backing = Backing::redis().await;
    let storage = backing.storage().await;
    let dir = tempfile::tempdir().unwrap();
    let (_db, db_url) = runs_db(dir.path()).await;
    let waiting = storage.enqueue(vec![NewJob::of(&Dawdle)]).await.unwrap();
    let kills = fast_liveness().crash_limit + 1;
    for killed in 0..kills {
        let mut worker = start_worker(test, &backing, &db_url);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // Running under this worker: taken back from each worker killed before.
            let info = storage.show(waiting[0].id()).await.unwrap();
            if info.state == JobState::Running && info.history.len() as u32 == killed {
                break;
            }
            assert!(Instant::now() < deadline, "the job never ran: {info:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Running, and waiting on what it waits on, when its worker is killed.
        tokio::time::sleep(Duration::from_millis(300)).await;
        sigkill(&mut worker);
    }
    // The next worker takes it back once more: never charged, never failed.
    let mut worker = start_worker(test, &backing, &db_url);
    let deadline = Instant::now() + Duration::from_secs(60);
    let info = loop {
        let info = storage.show(waiting[0].id()).await.unwrap();
        if info.state == JobState::Running && info.history.len() as u32 == kills {
            break info;
        }
        assert!(Instant::now() < deadline, "not taken back: {info:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    sigkill(&mut worker);
    assert_eq!(info.crashes, 0, "{info:?}");
    assert!(
        info.history
            .iter()
            .all(|attempt| attempt.error.contains("waited")),
        "{info:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_crash_with_aof_loses_no_job() {
    let mut redis = tokio::task::spawn_blocking(RedisServer::start_durable)
        .await
        .unwrap();
    let storage = Arc::new(
        RedisStorage::connect(&redis.url(), "woosync:")
            .await
            .unwrap(),
    );
    assert_eq!(storage.eviction_policy().await.unwrap(), "noeviction");
    let jobs: Vec<NewJob> = (0..2_000)
        .map(|n| NewJob::of(&Nap { n, millis: 20 }))
        .collect();
    storage.enqueue(jobs).await.unwrap();
    let seen = Seen::default();
    let _stop = spawn_runner(storage.clone(), seen.clone(), RetryPolicy::default(), 32);
    wait_for(
        "some jobs done and others running",
        Duration::from_secs(30),
        || async {
            let counts = storage.counts(Nap::NAME).await.unwrap();
            counts.done > 200 && counts.running > 0
        },
    )
    .await;
    redis = tokio::task::spawn_blocking(move || {
        redis.crash_and_restart();
        redis
    })
    .await
    .unwrap();
    wait_for(
        "every job done after the restart",
        Duration::from_secs(120),
        || async {
            storage
                .counts(Nap::NAME)
                .await
                .is_ok_and(|counts| counts.done == 2_000)
        },
    )
    .await;
    assert_eq!(seen.distinct(), 2_000);
    drop(redis);
}

async fn failed_jobs_are_listed_retried_by_store_and_discarded(backing: Backing) {
    let storage = backing.storage().await;
    let doomed: Vec<NewJob> = [(1, 1), (2, 1), (3, 2)]
        .iter()
        .map(|(n, store)| {
            NewJob::of(&Doomed {
                n: *n,
                store: *store,
            })
        })
        .collect();
    storage.enqueue(doomed).await.unwrap();
    storage
        .enqueue(vec![NewJob::of(&Record { n: 1 })])
        .await
        .unwrap();
    let seen = Seen::default();
    let _stop = spawn_runner(storage.clone(), seen.clone(), RetryPolicy::default(), 4);
    wait_for(
        "three failed, one done",
        Duration::from_secs(20),
        || async {
            storage.counts(Doomed::NAME).await.unwrap().failed == 3
                && storage.counts(Record::NAME).await.unwrap().done == 1
        },
    )
    .await;
    let first_page = storage
        .list(Doomed::NAME, JobState::Failed, 0, 2)
        .await
        .unwrap();
    let second_page = storage
        .list(Doomed::NAME, JobState::Failed, 2, 2)
        .await
        .unwrap();
    assert_eq!((first_page.len(), second_page.len()), (2, 1));
    assert!(
        first_page
            .iter()
            .all(|job| job.last_error.as_deref().unwrap().starts_with("doomed"))
    );

    let runs_before = seen.runs.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        storage
            .retry_all_failed(Doomed::NAME, Some(1))
            .await
            .unwrap(),
        2
    );
    wait_for(
        "store 1's jobs to run again",
        Duration::from_secs(20),
        || async {
            seen.runs.load(std::sync::atomic::Ordering::Relaxed) == runs_before + 2
                && storage.counts(Doomed::NAME).await.unwrap().failed == 3
        },
    )
    .await;

    let discarded = &second_page[0].id;
    storage.discard(discarded).await.unwrap();
    assert!(storage.show(discarded).await.is_err());
    assert_eq!(storage.counts(Doomed::NAME).await.unwrap().failed, 2);

    let purged = storage
        .purge_done(
            Record::NAME,
            chrono::Utc::now() + chrono::Duration::seconds(1),
        )
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(storage.counts(Record::NAME).await.unwrap().done, 0);
}

#[tokio::test]
async fn failed_jobs_can_be_listed_retried_by_store_discarded_and_done_ones_purged() {
    failed_jobs_are_listed_retried_by_store_and_discarded(Backing::redis().await).await;
}

#[tokio::test]
async fn embedded_failed_jobs_can_be_listed_retried_by_store_discarded_and_done_ones_purged() {
    failed_jobs_are_listed_retried_by_store_and_discarded(Backing::sqlite().await).await;
}

async fn shutdown_finishes_jobs_in_flight_and_takes_no_more(backing: Backing) {
    let storage = backing.storage().await;
    let jobs: Vec<NewJob> = (0..20)
        .map(|n| NewJob::of(&Nap { n, millis: 500 }))
        .collect();
    storage.enqueue(jobs).await.unwrap();
    let seen = Seen::default();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = Runner::new(storage.clone(), seen.clone())
        .register::<Nap>()
        .concurrency(4)
        .liveness(fast_liveness());
    let worker = tokio::spawn(runner.run(async move {
        let _ = stopped.await;
    }));
    wait_for("four jobs in flight", Duration::from_secs(10), || async {
        storage.counts(Nap::NAME).await.unwrap().running == 4
    })
    .await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), worker)
        .await
        .expect("the worker stops once its jobs are done")
        .unwrap()
        .unwrap();
    let counts = storage.counts(Nap::NAME).await.unwrap();
    assert_eq!(
        (counts.done, counts.running, counts.pending),
        (4, 0, 16),
        "{counts:?}"
    );
    assert_eq!(seen.distinct(), 4);
}

#[tokio::test]
async fn shutdown_finishes_the_jobs_in_flight_and_takes_no_more() {
    shutdown_finishes_jobs_in_flight_and_takes_no_more(Backing::redis().await).await;
}

#[tokio::test]
async fn embedded_shutdown_finishes_the_jobs_in_flight_and_takes_no_more() {
    shutdown_finishes_jobs_in_flight_and_takes_no_more(Backing::sqlite().await).await;
}

#[tokio::test]
async fn a_redis_that_evicts_keys_is_reported() {
    let backing = Backing::redis().await;
    let storage = backing.storage().await;
    assert!(storage.durability_problems().await.unwrap().is_empty());
    let Backing::Redis(server) = &backing else {
        unreachable!("a Redis backing")
    };
    let client = redis::Client::open(server.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("allkeys-lru")
        .query_async(&mut connection)
        .await
        .unwrap();
    let problems = storage.durability_problems().await.unwrap();
    assert!(problems[0].contains("noeviction"), "{problems:?}");
}

/// A live worker's end of a job can be lost (Redis killed before saving it): the job stays
/// marked running under the worker's delivery. The worker, no longer holding it, has it
/// run again; a job it still holds is left running.
#[tokio::test]
async fn a_job_whose_end_was_lost_runs_again_while_its_worker_lives() {
    let backing = Backing::redis().await;
    let storage = backing.storage().await;
    let jobs: Vec<NewJob> = (0..2).map(|n| NewJob::of(&Record { n })).collect();
    storage.enqueue(jobs).await.unwrap();
    let liveness = Liveness {
        orphan_after: Duration::from_millis(200),
        ..fast_liveness()
    };
    storage.heartbeat("w1").await.unwrap();
    let queues = vec![Record::NAME.to_string()];
    let claimed = storage
        .fetch("w1", &queues, 2, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    let (ended, running) = (&claimed[0], &claimed[1]);
    // Both idle past an orphan's time (Redis counts it) while the worker stays alive.
    tokio::time::sleep(liveness.orphan_after * 2).await;
    storage.heartbeat("w1").await.unwrap();
    let holding = |deliveries: &[&str]| OwnClaims {
        worker: "w1".into(),
        held: deliveries.iter().map(|d| d.to_string()).collect(),
    };
    // Asked by another worker, a live worker's running jobs are left alone.
    let another = OwnClaims {
        worker: "w2".into(),
        ..OwnClaims::default()
    };
    let by_another = storage
        .recover_orphans(&queues, liveness, &another)
        .await
        .unwrap();
    assert_eq!(by_another.requeued, 0);
    assert_eq!(storage.counts(Record::NAME).await.unwrap().running, 2);

    // Asked by the worker, which holds only the second: the first runs again.
    let recovered = storage
        .recover_orphans(&queues, liveness, &holding(&[&running.delivery]))
        .await
        .unwrap();
    assert_eq!(recovered.requeued, 1);
    let counts = storage.counts(Record::NAME).await.unwrap();
    assert_eq!((counts.pending, counts.running), (1, 1));
    let again = storage
        .fetch("w2", &queues, 2, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|claim| &claim.id).collect::<Vec<_>>(),
        vec![&ended.id]
    );
}

/// A worker takes the ready jobs of its first queues first (the pipeline puts a run's
/// sweep and pages before a parent's children), whatever order they came in.
#[tokio::test]
async fn a_worker_takes_its_first_queues_first() {
    first_queues_first(Backing::redis().await).await;
}

#[tokio::test]
async fn embedded_a_worker_takes_its_first_queues_first() {
    first_queues_first(Backing::sqlite().await).await;
}

async fn first_queues_first(backing: Backing) {
    let storage = backing.storage().await;
    let later: Vec<NewJob> = (0..3).map(|n| NewJob::of(&Nap { n, millis: 0 })).collect();
    let first: Vec<NewJob> = (10..13).map(|n| NewJob::of(&Record { n })).collect();
    storage.enqueue(later).await.unwrap();
    storage.enqueue(first).await.unwrap();
    storage.heartbeat("w1").await.unwrap();
    let queues = vec![Record::NAME.to_string(), Nap::NAME.to_string()];
    let mut taken = Vec::new();
    for _ in 0..3 {
        let claimed = storage
            .fetch("w1", &queues, 2, Duration::from_secs(1))
            .await
            .unwrap();
        taken.extend(claimed.into_iter().map(|claim| claim.queue));
    }
    assert_eq!(
        taken,
        [
            Record::NAME,
            Record::NAME,
            Record::NAME,
            Nap::NAME,
            Nap::NAME,
            Nap::NAME
        ],
        "the jobs in the order the worker took them"
    );
}

/// Jobs that outlast an orphan's time while every slot of both workers is busy: the jobs
/// a worker fetches for its next free slot wait claimed and held, and none runs twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_that_outlast_an_orphans_time_in_full_workers_run_once_each() {
    let backing = Backing::redis().await;
    let storage = backing.storage().await;
    let total = 12;
    let naps: Vec<NewJob> = (0..total)
        .map(|n| NewJob::of(&Nap { n, millis: 3_000 }))
        .collect();
    storage.enqueue(naps).await.unwrap();
    let seen = Seen::default();
    let _workers = [
        spawn_runner(
            Arc::clone(&storage),
            seen.clone(),
            RetryPolicy::default(),
            2,
        ),
        spawn_runner(
            Arc::clone(&storage),
            seen.clone(),
            RetryPolicy::default(),
            2,
        ),
    ];
    wait_for("every nap done", Duration::from_secs(60), || async {
        storage.counts(Nap::NAME).await.unwrap().done == total
    })
    .await;
    assert_eq!(seen.distinct() as u64, total);
    assert_eq!(
        seen.runs.load(std::sync::atomic::Ordering::Relaxed),
        total,
        "a job ran more than once"
    );
}
