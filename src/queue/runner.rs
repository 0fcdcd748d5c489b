//! Running jobs: an apalis worker over woosync's own backend ([`QueueBackend`]) runs up to
//! `concurrency` jobs of the registered types at once. Around it the runner heartbeats,
//! gives dead workers' jobs to the living, and on shutdown lets apalis finish what it
//! holds, takes nothing new, and waits until every result is in the storage.

use std::future::Future;
use std::sync::Arc;

use apalis::prelude::{Data, Monitor, ParallelizeExt, WorkerBuilder, WorkerBuilderExt};

use super::backend::{Held, QueueBackend, Shared, finish_attempts};
use super::backoff::RetryPolicy;
use super::job::{Job, JobError};
use super::registry::{JobTypes, Registry};
use super::storage::{Claimed, Liveness, QueueError, Recovered, Storage};
use super::waiting::{Holder, held_by};

pub struct Runner<C> {
    storage: Arc<dyn Storage>,
    registry: Registry<C>,
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

/// The apalis service: one attempt of a claimed job, by its type, its waits noted as its
/// worker's.
async fn run_claimed<C: Clone + Send + Sync + 'static>(
    claim: Claimed,
    registry: Data<Arc<Registry<C>>>,
    worker: Data<WorkerOf>,
) -> Result<(), JobError> {
    let holder = Holder {
        storage: Arc::clone(&worker.storage),
        worker: Arc::clone(&worker.name),
        delivery: claim.delivery.clone(),
        waits: Arc::default(),
    };
    held_by(holder, Arc::clone(&registry).run(claim)).await
}

/// The worker process's storage and name, which its jobs' waits are noted under.
#[derive(Clone)]
struct WorkerOf {
    storage: Arc<dyn Storage>,
    name: Arc<str>,
}

impl<C: Clone + Send + Sync + 'static> Runner<C> {
    pub fn new(storage: Arc<dyn Storage>, context: C) -> Self {
        Runner {
            storage,
            registry: Registry::new(context),
            concurrency: 8,
            liveness: Liveness::default(),
            retry_policy: RetryPolicy::default(),
            name: unique_worker_name(),
        }
    }

    pub fn register<J: Job<Context = C>>(mut self) -> Self {
        self.registry.register::<J>();
        self
    }
}

impl<C: Clone + Send + Sync + 'static> JobTypes<C> for Runner<C> {
    fn add<J: Job<Context = C>>(&mut self) {
        self.registry.register::<J>();
    }
}

impl<C: Clone + Send + Sync + 'static> Runner<C> {
    /// Jobs run at once.
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
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), QueueError> {
        let queues = self.registry.queues();
        for problem in self.storage.durability_problems().await? {
            tracing::error!("{problem}");
        }
        self.storage.heartbeat(&self.name).await?;
        let registry = Arc::new(self.registry);
        let (shared, finished) = Shared::new(
            Arc::clone(&self.storage),
            self.name.clone(),
            queues.clone(),
            self.retry_policy,
            Arc::clone(&registry),
        );
        let recovered = self
            .storage
            .recover_orphans(&queues, self.liveness, &shared.held.of(&self.name))
            .await?;
        tell_poisoned(&registry, recovered).await;
        tracing::info!(worker = %self.name, queues = ?queues, concurrency = self.concurrency, "worker started");

        let heartbeat = tokio::spawn(keep_alive(
            Arc::clone(&self.storage),
            self.name.clone(),
            queues.clone(),
            self.liveness,
            shared.held.clone(),
            Arc::clone(&registry),
        ));
        let finisher = tokio::spawn(finish_attempts(
            Arc::clone(&self.storage),
            shared.held.clone(),
            finished,
        ));
        // A fetch takes what a quarter of the slots can run: enough to keep them busy
        // without holding jobs that other worker processes could start sooner.
        let batch = self.concurrency.div_ceil(4);
        let concurrency = self.concurrency;
        let worker_name = self.name.clone();
        let backend_shared = Arc::clone(&shared);
        let worker_of = WorkerOf {
            storage: Arc::clone(&self.storage),
            name: Arc::from(self.name.as_str()),
        };
        let monitor = Monitor::new().register(move |_restarts| {
            WorkerBuilder::new(worker_name.clone())
                .backend(QueueBackend::new(Arc::clone(&backend_shared), batch))
                .data(Arc::clone(&registry))
                .data(worker_of.clone())
                .concurrency(concurrency)
                .catch_panic()
                .parallelize(tokio::spawn)
                .build(run_claimed::<C>)
        });
        let result = monitor
            .run_with_signal(async move {
                shutdown.await;
                tracing::info!("shutting down: finishing the jobs in flight");
                Ok(())
            })
            .await;
        if let Err(error) = result {
            tracing::error!(%error, "the worker stopped with an error");
        }
        shared.flush().await;
        drop(shared);
        heartbeat.abort();
        finisher.abort();
        self.storage.deregister(&self.name, &queues).await?;
        tracing::info!(worker = %self.name, "worker stopped");
        Ok(())
    }
}

async fn keep_alive<C: Clone + Send + Sync + 'static>(
    storage: Arc<dyn Storage>,
    name: String,
    queues: Vec<String>,
    liveness: Liveness,
    held: Held,
    registry: Arc<Registry<C>>,
) {
    let mut ticks = tokio::time::interval(liveness.heartbeat);
    loop {
        ticks.tick().await;
        if let Err(error) = storage.heartbeat(&name).await {
            tracing::warn!(%error, "heartbeat failed");
            continue;
        }
        match storage
            .recover_orphans(&queues, liveness, &held.of(&name))
            .await
        {
            Ok(recovered) => tell_poisoned(&registry, recovered).await,
            Err(error) => tracing::warn!(%error, "recovering a dead worker's jobs failed"),
        }
    }
}

/// Says what recovery did, and tells each job that went to the failed set, as any job
/// that fails for good is told (its sync run fails at once, not when the clock finds it
/// quiet).
async fn tell_poisoned<C: Clone + Send + Sync + 'static>(
    registry: &Registry<C>,
    recovered: Recovered,
) {
    if recovered.requeued > 0 {
        tracing::warn!(
            requeued = recovered.requeued,
            "took back the jobs of a dead worker"
        );
    }
    for (claim, error) in recovered.poisoned {
        tracing::error!(job = %claim.queue, id = %claim.id, %error, "a job went to the failed set");
        registry.failed(&claim, error).await;
    }
}
