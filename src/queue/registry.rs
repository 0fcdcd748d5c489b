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

pub struct Registry<C> {
    context: C,
    handlers: HashMap<&'static str, Handler<C>>,
    /// The job types in the order registered.
    order: Vec<&'static str>,
}

impl<C: Clone + Send + Sync + 'static> Registry<C> {
    pub fn new(context: C) -> Self {
        Registry {
            context,
            handlers: HashMap::new(),
            order: Vec::new(),
        }
    }

    pub fn register<J: Job<Context = C>>(&mut self) {
        if !self.order.contains(&J::NAME) {
            self.order.push(J::NAME);
        }
        self.handlers.insert(
            J::NAME,
            Handler {
                run: Box::new(|payload, context| {
                    let parsed = serde_json::from_str::<J>(payload);
                    Box::pin(async move {
                        match parsed {
                            Ok(job) => {
                                let span = job.span();
                                job.run(context).instrument(span).await
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
    }

    /// The queues of the registered job types, in the order registered: the order in which
    /// a worker takes ready jobs on Redis (the embedded queue takes them as they fell due).
    pub fn queues(&self) -> Vec<String> {
        self.order.iter().map(|name| name.to_string()).collect()
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
