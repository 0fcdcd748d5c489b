//! A job: a small serializable struct with one `run`, in the shape of crates.io's
//! background jobs. The queue retries it with backoff until its attempts run out.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a run failed, and whether another attempt could help.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt: after the queue's backoff, or not before `after` when the
    /// other side said how long to wait.
    #[error("{message}")]
    Retry {
        message: String,
        after: Option<Duration>,
    },
    /// No retry can help (bad credentials, a payload that cannot be read): straight to
    /// the failed set.
    #[error("{message}")]
    Permanent { message: String },
    /// Not now, through no fault of the job (its store's rate limit is spent): it gives
    /// its worker slot back and runs again after `after`, without using an attempt.
    #[error("postponed for {} ms", after.as_millis())]
    Postpone { after: Duration },
}

impl JobError {
    pub fn retry(message: impl Into<String>) -> Self {
        JobError::Retry {
            message: message.into(),
            after: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        JobError::Permanent {
            message: message.into(),
        }
    }
}

pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The job's type, which is also the name of its queue.
    const NAME: &'static str;
    /// Attempts before the job lands in the failed set.
    const MAX_ATTEMPTS: u32 = 8;
    /// Of the jobs ready to run, those of a higher priority are taken first.
    const PRIORITY: i16 = 0;
    /// How long an attempt may take before it is given up (and retried through the
    /// backoff): a job stuck on a connection that never answers does not hold its slot for
    /// ever.
    const TIMEOUT: Duration = Duration::from_secs(15 * 60);
    /// What every job of a runner shares (database, clients, settings).
    type Context: Clone + Send + Sync + 'static;

    fn run(self, context: Self::Context) -> impl Future<Output = Result<(), JobError>> + Send;

    /// Called once when the job lands in the failed set (out of attempts, or a failure no
    /// retry can fix), with its last error: the place to mark what the job was part of.
    fn failed(self, _context: Self::Context, _error: String) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// The span every log line of a run is in, naming what the job works on (its store,
    /// resource and sync run).
    fn span(&self) -> tracing::Span {
        tracing::info_span!("job", job = Self::NAME)
    }

    /// The store the job works for, so a store's jobs can be listed, retried or stopped.
    fn store_id(&self) -> Option<i64> {
        None
    }

    /// A key that makes a second enqueue, while this job is pending or running, a
    /// duplicate.
    fn dedupe_key(&self) -> Option<String> {
        None
    }
}
