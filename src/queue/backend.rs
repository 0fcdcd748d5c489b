//! woosync's own apalis backend: an apalis worker takes its tasks from the queue's
//! [`Storage`] (Redis, or the embedded SQLite queue) and reports each result back to it,
//! where retries with backoff, the failed set and crash recovery live.
//!
//! One backend serves every job type of a worker process: one fetch at a time, so one
//! blocking read on Redis, and the results of many tasks ended in one storage call.

use std::collections::{HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use apalis::prelude::{
    AcknowledgeLayer, Backend, BoxDynError, ExecutionContext, Task, TaskBuilder, TaskId,
    WorkerContext,
};
use apalis_core::backend::BackendConfig;
use apalis_core::backend::finalize::Ephemeral;
use chrono::Utc;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use super::backoff::RetryPolicy;
use super::job::JobError;
use super::registry::Registry;
use super::storage::{Claimed, Outcome, OwnClaims, QueueError, Storage};

/// How long one fetch waits for a job before it is asked again.
const FETCH_WAIT: Duration = Duration::from_millis(500);

/// What the backend and its acknowledgements share.
pub struct Shared<C> {
    pub storage: Arc<dyn Storage>,
    pub worker: String,
    pub queues: Vec<String>,
    pub retry_policy: RetryPolicy,
    pub registry: Arc<Registry<C>>,
    /// Claims handed to apalis, by task id, until their result is acknowledged.
    claims: Mutex<HashMap<String, (Claimed, Instant)>>,
    /// Deliveries fetched and not yet ended in the storage.
    pub held: Held,
    finished: mpsc::UnboundedSender<Finished>,
}

/// The deliveries a worker holds: fetched, and not yet ended in the storage. Recovery
/// asks for them: a delivery the worker was handed and no longer holds has lost its end.
#[derive(Clone, Default)]
pub struct Held(Arc<Mutex<HashSet<String>>>);

impl Held {
    fn deliveries(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take<'a>(&self, claims: impl IntoIterator<Item = &'a Claimed>) {
        self.deliveries()
            .extend(claims.into_iter().map(|claim| claim.delivery.clone()));
    }

    fn release<'a>(&self, claims: impl IntoIterator<Item = &'a Claimed>) {
        let mut deliveries = self.deliveries();
        for claim in claims {
            deliveries.remove(&claim.delivery);
        }
    }

    pub fn of(&self, worker: &str) -> OwnClaims {
        OwnClaims {
            worker: worker.to_string(),
            held: self.deliveries().clone(),
        }
    }
}

/// An attempt to end in the storage, or a request to say when all before it are ended.
pub enum Finished {
    Attempt(Claimed, Outcome, Option<String>),
    Flush(oneshot::Sender<()>),
}

impl<C> Shared<C> {
    pub fn new(
        storage: Arc<dyn Storage>,
        worker: String,
        queues: Vec<String>,
        retry_policy: RetryPolicy,
        registry: Arc<Registry<C>>,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<Finished>) {
        let (finished, receiver) = mpsc::unbounded_channel();
        let shared = Shared {
            storage,
            worker,
            queues,
            retry_policy,
            registry,
            claims: Mutex::new(HashMap::new()),
            held: Held::default(),
            finished,
        };
        (Arc::new(shared), receiver)
    }

    fn claims(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Claimed, Instant)>> {
        self.claims
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Resolves once every attempt ended before this call is in the storage.
    pub async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.finished.send(Finished::Flush(done)).is_ok() {
            let _ = flushed.await;
        }
    }
}

/// Ends attempts in the storage in batches, one round trip for many, until the channel
/// closes; an attempt is retried until the storage takes it (a Redis restart, say), and
/// held until then.
pub async fn finish_attempts(
    storage: Arc<dyn Storage>,
    held: Held,
    mut finished: mpsc::UnboundedReceiver<Finished>,
) {
    let mut batch = Vec::new();
    while finished.recv_many(&mut batch, 256).await > 0 {
        let mut attempts = Vec::new();
        let mut flushes = Vec::new();
        for item in batch.drain(..) {
            match item {
                Finished::Attempt(claim, outcome, error) => attempts.push((claim, outcome, error)),
                Finished::Flush(done) => flushes.push(done),
            }
        }
        if !attempts.is_empty() {
            let mut delay = Duration::from_millis(100);
            while let Err(error) = storage.finish(attempts.clone()).await {
                tracing::warn!(%error, "ending job attempts failed; trying again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            held.release(attempts.iter().map(|(claim, ..)| claim));
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// A fetch runs as a task of its own, so that the jobs Redis hands over are claimed and
/// held as they arrive, not when apalis next polls the backend (it does so only with a
/// slot free): recovery takes a delivery the worker does not hold for lost.
type Fetch = tokio::task::JoinHandle<Result<Vec<Claimed>, QueueError>>;

/// The claims of a finished fetch, or the error that ended it.
fn fetched(
    result: Result<Result<Vec<Claimed>, QueueError>, tokio::task::JoinError>,
) -> Result<Vec<Claimed>, String> {
    match result {
        Ok(Ok(claims)) => Ok(claims),
        Ok(Err(error)) => Err(error.to_string()),
        Err(error) => Err(error.to_string()),
    }
}

/// The queue as an apalis backend: its tasks are the claimed jobs.
pub struct QueueBackend<C> {
    shared: Arc<Shared<C>>,
    batch: usize,
    buffer: VecDeque<Claimed>,
    fetching: Option<Fetch>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<C: Send + Sync + 'static> QueueBackend<C> {
    /// Takes up to `batch` jobs a fetch.
    pub fn new(shared: Arc<Shared<C>>, batch: usize) -> Self {
        QueueBackend {
            shared,
            batch: batch.max(1),
            buffer: VecDeque::new(),
            fetching: None,
            pause: None,
        }
    }
}

impl<C: Send + Sync + 'static> Backend for QueueBackend<C> {
    type Task = Task<Claimed>;
    type Error = std::io::Error;

    fn poll_ready(
        &mut self,
        _: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Option<Result<Self::Task, Self::Error>>> {
        loop {
            if let Some(claim) = self.buffer.pop_front() {
                let task = TaskBuilder::new(claim.clone())
                    .task_id(TaskId::from_string(claim.id.clone()))
                    .attempt(claim.attempt.saturating_sub(1) as usize)
                    .build();
                self.shared
                    .claims()
                    .insert(claim.id.clone(), (claim, Instant::now()));
                return Poll::Ready(Some(Ok(task)));
            }
            // A storage error never ends the worker: wait a moment and fetch again.
            if let Some(pause) = self.pause.as_mut() {
                if pause.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.pause = None;
            }
            let fetch = self.fetching.get_or_insert_with(|| {
                let shared = Arc::clone(&self.shared);
                let batch = self.batch;
                tokio::spawn(async move {
                    let claims = shared
                        .storage
                        .fetch(&shared.worker, &shared.queues, batch, FETCH_WAIT)
                        .await?;
                    shared.held.take(&claims);
                    Ok(claims)
                })
            });
            match fetch.poll_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    self.fetching = None;
                    match fetched(result) {
                        Ok(claims) => self.buffer.extend(claims),
                        Err(error) => {
                            tracing::warn!(%error, "fetching jobs failed; trying again shortly");
                            self.pause = Some(Box::pin(tokio::time::sleep(Duration::from_secs(1))));
                        }
                    }
                }
            }
        }
    }

    fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Result<(), Self::Error>> {
        // A fetch is never dropped under way: Redis may have handed it jobs already. Let it
        // finish, then hand back every claim that never started, to run at once elsewhere
        // (not counted as an attempt).
        if let Some(fetch) = self.fetching.as_mut() {
            match fetch.poll_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    self.fetching = None;
                    if let Ok(claims) = fetched(result) {
                        self.buffer.extend(claims);
                    }
                }
            }
        }
        for claim in self.buffer.drain(..) {
            let _ = self.shared.finished.send(Finished::Attempt(
                claim,
                Outcome::PostponeTo(Utc::now()),
                None,
            ));
        }
        Poll::Ready(Ok(()))
    }
}

impl<C: Send + Sync + 'static> BackendConfig for QueueBackend<C> {
    type Args = Claimed;
    type Id = String;
    type Kind = Ephemeral;
    type Config = ();
    type Layer = AcknowledgeLayer<Finish<C>>;

    fn config(&self) -> &() {
        &()
    }

    fn middleware(&mut self, _: &mut WorkerContext) -> Self::Layer {
        AcknowledgeLayer::new(Finish {
            shared: Arc::clone(&self.shared),
        })
    }
}

/// Decides how an attempt ends once apalis has its result (done, retried after backoff or
/// exactly after a store's `Retry-After`, postponed, or failed) and queues it for the
/// storage.
pub struct Finish<C> {
    shared: Arc<Shared<C>>,
}

impl<C> Clone for Finish<C> {
    fn clone(&self) -> Self {
        Finish {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<C: Clone + Send + Sync + 'static> Finish<C> {
    fn outcome(
        &self,
        claim: &Claimed,
        result: Result<(), &BoxDynError>,
    ) -> (Outcome, &'static str, Option<String>) {
        let max_attempts = self.shared.registry.max_attempts(claim);
        let later =
            |wait: Duration| Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        let retry_or_fail = |message: String, after: Option<Duration>| {
            if claim.attempt >= max_attempts {
                (Outcome::Failed, "failed", Some(message))
            } else {
                let wait =
                    after.unwrap_or_else(|| self.shared.retry_policy.delay_after(claim.attempt));
                (Outcome::RetryAt(later(wait)), "retried", Some(message))
            }
        };
        match result {
            Ok(()) => (Outcome::Done, "done", None),
            Err(error) => match error.downcast_ref::<JobError>() {
                Some(JobError::Permanent { message }) => {
                    (Outcome::Failed, "failed", Some(message.clone()))
                }
                Some(JobError::Postpone { after }) => {
                    (Outcome::PostponeTo(later(*after)), "postponed", None)
                }
                Some(JobError::Retry { message, after }) => retry_or_fail(message.clone(), *after),
                // A panic, or any other error: worth another attempt.
                None => retry_or_fail(error.to_string(), None),
            },
        }
    }
}

impl<C: Clone + Send + Sync + 'static, Res: Send + 'static> apalis::prelude::Acknowledge<Res>
    for Finish<C>
{
    type Error = QueueError;
    type Future = BoxFuture<'static, Result<(), QueueError>>;

    fn ack(
        &mut self,
        result: &Result<Res, BoxDynError>,
        context: &ExecutionContext,
    ) -> Self::Future {
        let id = context
            .task_id()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let Some((claim, started)) = self.shared.claims().remove(&id) else {
            return async { Ok(()) }.boxed();
        };
        let (outcome, label, error) = self.outcome(&claim, result.as_ref().map(|_| ()));
        metrics::counter!("woosync_jobs_total", "job" => claim.queue.clone(), "outcome" => label)
            .increment(1);
        metrics::histogram!("woosync_job_duration_seconds", "job" => claim.queue.clone())
            .record(started.elapsed().as_secs_f64());
        if let Some(error) = &error {
            tracing::warn!(job = %claim.queue, id = %claim.id, attempt = claim.attempt, outcome = label, %error, "job attempt failed");
        }
        let shared = Arc::clone(&self.shared);
        async move {
            if let (Outcome::Failed, Some(error)) = (&outcome, &error) {
                shared.registry.failed(&claim, error.clone()).await;
            }
            let _ = shared
                .finished
                .send(Finished::Attempt(claim, outcome, error));
            Ok(())
        }
        .boxed()
    }
}
