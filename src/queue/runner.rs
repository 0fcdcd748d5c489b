//! Running jobs: a worker process takes jobs of its registered types from the storage,
//! runs up to `concurrency` at once, and ends each attempt (done, retried after backoff,
//! or failed) in the storage. It heartbeats, gives dead workers' jobs to the living, and on
//! shutdown finishes what it holds and takes nothing new.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::FutureExt;
use tokio::sync::{Semaphore, mpsc};

use super::backoff::RetryPolicy;
use super::job::{Job, JobError};
use super::storage::{Claimed, Liveness, Outcome, Storage};

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type RunFn<C> = Arc<dyn Fn(&str, C) -> BoxFuture + Send + Sync>;
type FailedFn<C> =
    Arc<dyn Fn(&str, C, String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

struct Handler<C> {
    run: RunFn<C>,
    failed: FailedFn<C>,
    max_attempts: u32,
}

pub struct Runner<C> {
    storage: Arc<dyn Storage>,
    context: C,
    handlers: HashMap<&'static str, Handler<C>>,
    concurrency: usize,
    liveness: Liveness,
    retry_policy: RetryPolicy,
    name: String,
}

/// A name no other worker has had: host, process and a random suffix, so a restarted
/// process is a new worker and the old one's jobs are recovered, not silently resumed.
pub fn unique_worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "worker".into());
    format!(
        "{host}-{}-{:06x}",
        std::process::id(),
        rand::random::<u32>() & 0xFF_FFFF
    )
}

impl<C: Clone + Send + Sync + 'static> Runner<C> {
    pub fn new(storage: Arc<dyn Storage>, context: C) -> Self {
        Runner {
            storage,
            context,
            handlers: HashMap::new(),
            concurrency: 8,
            liveness: Liveness::default(),
            retry_policy: RetryPolicy::default(),
            name: unique_worker_name(),
        }
    }

    pub fn register<J: Job<Context = C>>(mut self) -> Self {
        let run: RunFn<C> = Arc::new(|payload: &str, context: C| {
            let parsed = serde_json::from_str::<J>(payload);
            Box::pin(async move {
                match parsed {
                    Ok(job) => job.run(context).await,
                    Err(error) => Err(JobError::permanent(format!(
                        "cannot read the job {}: {error}",
                        J::NAME
                    ))),
                }
            })
        });
        let failed: FailedFn<C> = Arc::new(|payload: &str, context: C, error: String| {
            let parsed = serde_json::from_str::<J>(payload);
            Box::pin(async move {
                if let Ok(job) = parsed {
                    job.failed(context, error).await;
                }
            })
        });
        self.handlers.insert(
            J::NAME,
            Handler {
                run,
                failed,
                max_attempts: J::MAX_ATTEMPTS,
            },
        );
        self
    }

    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    pub fn liveness(mut self, liveness: Liveness) -> Self {
        self.liveness = liveness;
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs until `shutdown` resolves, then finishes the jobs in flight and leaves.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), super::storage::QueueError> {
        let queues: Vec<String> = self.handlers.keys().map(|name| name.to_string()).collect();
        let runner = Arc::new(self);
        for problem in runner.storage.durability_problems().await? {
            tracing::error!("{problem}");
        }
        runner.storage.heartbeat(&runner.name).await?;
        runner
            .storage
            .recover_orphans(&queues, runner.liveness)
            .await?;
        tracing::info!(worker = %runner.name, queues = ?queues, concurrency = runner.concurrency, "worker started");

        let heartbeat = tokio::spawn(Arc::clone(&runner).keep_alive(queues.clone()));
        let (results_tx, results_rx) = mpsc::unbounded_channel();
        let finisher = tokio::spawn(Arc::clone(&runner).finish_attempts(results_rx));
        let slots = Arc::new(Semaphore::new(runner.concurrency));
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            // Wait for a free slot, unless it is time to stop.
            let first = tokio::select! {
                permit = Arc::clone(&slots).acquire_owned() => permit.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            };
            let mut permits = vec![first];
            while let Ok(permit) = Arc::clone(&slots).try_acquire_owned() {
                permits.push(permit);
            }
            // A fetch is never cancelled: Redis may already have handed it jobs, which must
            // run (shutdown waits at most one fetch's wait for it).
            let fetched = runner
                .storage
                .fetch(
                    &runner.name,
                    &queues,
                    permits.len(),
                    Duration::from_millis(500),
                )
                .await;
            let jobs = match fetched {
                Ok(jobs) => jobs,
                Err(error) => {
                    tracing::warn!(%error, "fetching jobs failed; trying again shortly");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            for job in jobs {
                // A fetch across several queues may bring a few more jobs than free slots;
                // those wait for one.
                let permit = permits.pop();
                let slots = Arc::clone(&slots);
                let runner = Arc::clone(&runner);
                let results = results_tx.clone();
                tokio::spawn(async move {
                    let permit = match permit {
                        Some(permit) => permit,
                        None => slots
                            .acquire_owned()
                            .await
                            .expect("the semaphore is never closed"),
                    };
                    let outcome = runner.attempt(&job).await;
                    let _ = results.send((job, outcome.0, outcome.1));
                    drop(permit);
                });
            }
        }
        tracing::info!(worker = %runner.name, "shutting down: finishing the jobs in flight");
        let _ = slots.acquire_many(runner.concurrency as u32).await;
        drop(results_tx);
        let _ = finisher.await;
        heartbeat.abort();
        runner.storage.deregister(&runner.name, &queues).await?;
        tracing::info!(worker = %runner.name, "worker stopped");
        Ok(())
    }

    /// Runs one attempt and decides how it ends.
    async fn attempt(&self, job: &Claimed) -> (Outcome, Option<String>) {
        let Some(handler) = self.handlers.get(job.queue.as_str()) else {
            return (
                Outcome::Failed,
                Some(format!("no handler for job type {}", job.queue)),
            );
        };
        let started = Instant::now();
        let run = (handler.run)(&job.payload, self.context.clone());
        let result = AssertUnwindSafe(run)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "the job panicked".into());
                Err(JobError::retry(format!("panicked: {message}")))
            });
        let max_attempts = job.max_attempts.max(1).min(handler.max_attempts.max(1));
        let (outcome, label, error) = match result {
            Ok(()) => (Outcome::Done, "done", None),
            Err(JobError::Permanent { message }) => (Outcome::Failed, "failed", Some(message)),
            Err(JobError::Postpone { after }) => {
                let at = Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
                (Outcome::PostponeTo(at), "postponed", None)
            }
            Err(JobError::Retry { message, .. }) if job.attempt >= max_attempts => {
                (Outcome::Failed, "failed", Some(message))
            }
            Err(JobError::Retry { message, after }) => {
                let wait = after.unwrap_or_else(|| self.retry_policy.delay_after(job.attempt));
                let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                (Outcome::RetryAt(at), "retried", Some(message))
            }
        };
        metrics::counter!("woosync_jobs_total", "job" => job.queue.clone(), "outcome" => label)
            .increment(1);
        metrics::histogram!("woosync_job_duration_seconds", "job" => job.queue.clone())
            .record(started.elapsed().as_secs_f64());
        if let Some(error) = &error {
            tracing::warn!(job = %job.queue, id = %job.id, attempt = job.attempt, outcome = label, %error, "job attempt failed");
            if outcome == Outcome::Failed {
                (handler.failed)(&job.payload, self.context.clone(), error.clone()).await;
            }
        }
        (outcome, error)
    }

    /// Ends attempts in batches: one round trip for many jobs.
    async fn finish_attempts(
        self: Arc<Self>,
        mut results: mpsc::UnboundedReceiver<(Claimed, Outcome, Option<String>)>,
    ) {
        let mut batch = Vec::new();
        while results.recv_many(&mut batch, 256).await > 0 {
            let done = std::mem::take(&mut batch);
            let mut delay = Duration::from_millis(100);
            while let Err(error) = self.storage.finish(done.clone()).await {
                tracing::warn!(%error, "ending job attempts failed; trying again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }

    async fn keep_alive(self: Arc<Self>, queues: Vec<String>) {
        let mut ticks = tokio::time::interval(self.liveness.heartbeat);
        loop {
            ticks.tick().await;
            if let Err(error) = self.storage.heartbeat(&self.name).await {
                tracing::warn!(%error, "heartbeat failed");
                continue;
            }
            match self.storage.recover_orphans(&queues, self.liveness).await {
                Ok(0) => {}
                Ok(recovered) => tracing::warn!(recovered, "took back the jobs of a dead worker"),
                Err(error) => tracing::warn!(%error, "recovering a dead worker's jobs failed"),
            }
        }
    }
}
