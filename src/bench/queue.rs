//! `woosync bench queue`: no-op jobs through one worker, with a backlog of 1,000 and of
//! 200,000 jobs (the cost of a job must not grow with the backlog), and how long a dead
//! worker process's jobs take to run elsewhere after SIGKILL.

use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::queue::job::{Job, JobError};
use crate::queue::runner::Runner;
use crate::queue::storage::{Liveness, NewJob, Storage};

/// A job that does nothing: what is measured is the queue.
#[derive(Serialize, Deserialize)]
struct Noop {
    n: u64,
}

impl Job for Noop {
    const NAME: &'static str = "bench_noop";
    type Context = ();

    async fn run(self, _: ()) -> Result<(), JobError> {
        Ok(())
    }
}

/// A job that takes long enough to be in flight when its worker dies.
#[derive(Serialize, Deserialize)]
struct Hold {
    millis: u64,
}

impl Job for Hold {
    const NAME: &'static str = "bench_hold";
    type Context = ();

    async fn run(self, _: ()) -> Result<(), JobError> {
        tokio::time::sleep(Duration::from_millis(self.millis)).await;
        Ok(())
    }
}

#[derive(Debug, Serialize)]
pub struct QueueFigures {
    pub queue: &'static str,
    pub jobs_per_s_backlog_1k: f64,
    pub jobs_per_s_backlog_200k: f64,
    pub crash_recovery_s: f64,
}

async fn wait_done(storage: &dyn Storage, queue: &str, total: u64) -> anyhow::Result<()> {
    // Often enough that the wait adds little to a short run (1,000 jobs take tens of
    // milliseconds), not so often that counting becomes work for the queue in a long one.
    let every = Duration::from_millis(if total <= 10_000 { 2 } else { 100 });
    loop {
        if storage.counts(queue).await?.done >= total {
            return Ok(());
        }
        tokio::time::sleep(every).await;
    }
}

/// Jobs per second through one worker (concurrency 64) with `backlog` jobs queued first.
async fn throughput(storage: Arc<dyn Storage>, backlog: u64) -> anyhow::Result<f64> {
    let jobs: Vec<NewJob> = (0..backlog).map(|n| NewJob::of(&Noop { n })).collect();
    let before = storage.counts(Noop::NAME).await?.done;
    storage.enqueue(jobs).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = Runner::new(Arc::clone(&storage), ())
        .register::<Noop>()
        .concurrency(64);
    let started = Instant::now();
    let worker = tokio::spawn(runner.run(async move {
        let _ = stopped.await;
    }));
    wait_done(storage.as_ref(), Noop::NAME, before + backlog).await?;
    let elapsed = started.elapsed();
    let _ = stop.send(());
    worker.await??;
    Ok(backlog as f64 / elapsed.as_secs_f64())
}

/// The worker process the crash measurement kills: runs `Hold` jobs until killed.
pub async fn hold_worker(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    Runner::new(storage, ())
        .register::<Hold>()
        .concurrency(50)
        .run(std::future::pending())
        .await?;
    Ok(())
}

/// Seconds from SIGKILL of a worker process with 50 jobs in flight until another worker
/// has finished all of them, with the default liveness settings.
async fn crash_recovery(
    storage: Arc<dyn Storage>,
    start_worker: &dyn Fn() -> std::io::Result<Child>,
) -> anyhow::Result<f64> {
    let jobs: Vec<NewJob> = (0..50).map(|_| NewJob::of(&Hold { millis: 500 })).collect();
    storage.enqueue(jobs).await?;
    let mut doomed = start_worker()?;
    while storage.counts(Hold::NAME).await?.running < 50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    doomed.kill()?;
    doomed.wait()?;
    let died = Instant::now();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let survivor = Runner::new(Arc::clone(&storage), ())
        .register::<Hold>()
        .concurrency(50);
    let survivor = tokio::spawn(survivor.run(async move {
        let _ = stopped.await;
    }));
    wait_done(storage.as_ref(), Hold::NAME, 50).await?;
    let recovered = died.elapsed().as_secs_f64();
    let _ = stop.send(());
    survivor.await??;
    Ok(recovered)
}

/// Runs the queue benchmark on `storage` (fresh, empty queues); `start_worker` starts a
/// worker process on the same queue running [`hold_worker`].
pub async fn run(
    storage: Arc<dyn Storage>,
    queue: &'static str,
    start_worker: &dyn Fn() -> std::io::Result<Child>,
) -> anyhow::Result<QueueFigures> {
    eprintln!("queue benchmark on {queue}: no-op jobs, one worker, concurrency 64");
    let small = throughput(Arc::clone(&storage), 1_000).await?;
    eprintln!("  backlog 1,000:    {small:>9.0} jobs/s");
    let large = throughput(Arc::clone(&storage), 200_000).await?;
    eprintln!(
        "  backlog 200,000:  {large:>9.0} jobs/s ({:.0}% of the 1,000 figure)",
        100.0 * large / small
    );
    eprintln!("  crash recovery: killing a worker with 50 jobs in flight ...");
    let recovery = crash_recovery(storage, start_worker).await?;
    eprintln!(
        "  crash recovery:   {recovery:>9.1} s (orphan timeout {} s)",
        Liveness::default().orphan_after.as_secs()
    );
    Ok(QueueFigures {
        queue,
        jobs_per_s_backlog_1k: small,
        jobs_per_s_backlog_200k: large,
        crash_recovery_s: recovery,
    })
}
