//! The job types a worker runs: for each, how to read its payload, run it, and tell it it
//! has landed in the failed set.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tracing::Instrument;

use super::job::{Job, JobError};
use super::storage::Claimed;

type RunFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type FailedFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Reads a payload and runs the job with the context.
type RunFn<C> = Box<dyn Fn(&str, C) -> RunFuture + Send + Sync>;
/// Reads a payload and tells the job it failed, with its last error.
type FailedFn<C> = Box<dyn Fn(&str, C, String) -> FailedFuture + Send + Sync>;

struct Handler<C> {
    run: RunFn<C>,
    failed: FailedFn<C>,
    max_attempts: u32,
}

/// Job types handed one by one (`jobs::each_type`): to a registry, to a listing of queues.
pub trait JobTypes<C> {
    fn add<J: Job<Context = C>>(&mut self);
}

/// The queues of the job types handed over, by priority.
#[derive(Default)]
pub struct Queues(Vec<(i16, &'static str)>);

impl<C> JobTypes<C> for Queues {
    fn add<J: Job<Context = C>>(&mut self) {
        self.0.push((J::PRIORITY, J::NAME));
    }
}

impl Queues {
    /// The queues, the highest priority first (of equal ones, the first handed over).
    pub fn in_order(&self) -> Vec<&'static str> {
        let mut queues = self.0.clone();
        queues.sort_by_key(|(priority, _)| std::cmp::Reverse(*priority));
        queues.into_iter().map(|(_, name)| name).collect()
    }
}

pub struct Registry<C> {
    context: C,
    handlers: HashMap<&'static str, Handler<C>>,
    queues: Queues,
}

impl<C: Clone + Send + Sync + 'static> Registry<C> {
    pub fn new(context: C) -> Self {
        Registry {
            context,
            handlers: HashMap::new(),
            queues: Queues::default(),
        }
    }

    pub fn register<J: Job<Context = C>>(&mut self) {
        let replaced = self.handlers.insert(
            J::NAME,
            Handler {
                run: Box::new(|payload, context| {
                    let parsed = serde_json::from_str::<J>(payload);
                    Box::pin(async move {
                        match parsed {
                            Ok(job) => {
                                let span = job.span();
                                let attempt = job.run(context).instrument(span);
                                tokio::time::timeout(J::TIMEOUT, attempt)
                                    .await
                                    .unwrap_or_else(|_| {
                                        Err(JobError::retry(format!(
                                            "the attempt took longer than {} s",
                                            J::TIMEOUT.as_secs()
                                        )))
                                    })
                            }
                            Err(error) => Err(JobError::permanent(format!(
                                "cannot read the job {}: {error}",
                                J::NAME
                            ))),
                        }
                    })
                }),
                failed: Box::new(|payload, context, error| {
                    let parsed = serde_json::from_str::<J>(payload);
                    Box::pin(async move {
                        if let Ok(job) = parsed {
                            job.failed(context, error).await;
                        }
                    })
                }),
                max_attempts: J::MAX_ATTEMPTS,
            },
        );
        if replaced.is_none() {
            JobTypes::<C>::add::<J>(&mut self.queues);
        }
    }

    /// The queues of the registered job types, the highest priority first (of equal ones,
    /// the first registered): the order in which a worker takes ready jobs.
    pub fn queues(&self) -> Vec<String> {
        self.queues
            .in_order()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Runs one attempt of a claimed job.
    pub async fn run(self: Arc<Self>, claim: Claimed) -> Result<(), JobError> {
        match self.handlers.get(claim.queue.as_str()) {
            Some(handler) => (handler.run)(&claim.payload, self.context.clone()).await,
            None => Err(JobError::permanent(format!(
                "no handler for job type {}",
                claim.queue
            ))),
        }
    }

    /// Tells a job it has landed in the failed set.
    pub async fn failed(&self, claim: &Claimed, error: String) {
        if let Some(handler) = self.handlers.get(claim.queue.as_str()) {
            (handler.failed)(&claim.payload, self.context.clone(), error).await;
        }
    }

    /// Attempts before the job lands in the failed set: the lower of what it was enqueued
    /// with and what its type allows now.
    pub fn max_attempts(&self, claim: &Claimed) -> u32 {
        let of_type = self
            .handlers
            .get(claim.queue.as_str())
            .map_or(1, |handler| handler.max_attempts);
        claim.max_attempts.max(1).min(of_type.max(1))
    }
}
