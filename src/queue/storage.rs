//! What a queue backend stores and answers, whatever it is built on: Redis for any number
//! of worker processes, or the embedded SQLite database for one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A job to put in a queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub queue: String,
    /// The job as JSON.
    pub payload: String,
    pub max_attempts: u32,
    pub dedupe_key: Option<String>,
    /// Holds `dedupe_key` this long from the enqueue, whatever becomes of the job (a
    /// webhook's content is not applied twice within the window); without it the key is
    /// held while the job is pending or running.
    pub dedupe_window: Option<Duration>,
    pub store_id: Option<i64>,
    /// Not before this time (a delayed job); none is now.
    pub run_at: Option<DateTime<Utc>>,
}

impl NewJob {
    /// `job` for its own queue, with its de-duplication key and store, to run now.
    pub fn of<J: super::job::Job>(job: &J) -> NewJob {
        NewJob {
            queue: J::NAME.to_string(),
            // A job is plain data: serialising it cannot fail.
            payload: serde_json::to_string(job).expect("a job serialises to JSON"),
            max_attempts: J::MAX_ATTEMPTS,
            dedupe_key: job.dedupe_key(),
            dedupe_window: None,
            store_id: job.store_id(),
            run_at: None,
        }
    }

    /// The same job, its de-duplication key held for `window` from now.
    pub fn deduplicated_for(self, key: String, window: Duration) -> NewJob {
        NewJob {
            dedupe_key: Some(key),
            dedupe_window: Some(window),
            ..self
        }
    }

    /// The same job, not before `at`.
    pub fn at(self, at: DateTime<Utc>) -> NewJob {
        NewJob {
            run_at: Some(at),
            ..self
        }
    }
}

/// What an enqueue did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    New(String),
    /// A job with the same de-duplication key is pending or running (or was enqueued within
    /// the key's window): this one was not added.
    Duplicate(String),
}

impl Enqueued {
    pub fn id(&self) -> &str {
        match self {
            Enqueued::New(id) | Enqueued::Duplicate(id) => id,
        }
    }
}

/// A worker, and the deliveries it holds: fetched and not yet ended in the storage.
#[derive(Debug, Clone, Default)]
pub struct OwnClaims {
    pub worker: String,
    pub held: std::collections::HashSet<String>,
}

/// A job a worker has taken.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub queue: String,
    pub payload: String,
    /// This attempt, 1-based.
    pub attempt: u32,
    pub max_attempts: u32,
    /// The backend's handle on this delivery (a stream entry id on Redis).
    pub delivery: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Ready to run.
    Pending,
    /// Waiting out a delay or a retry's backoff.
    Scheduled,
    Running,
    /// Out of attempts (or crashed its worker too often); kept until retried or discarded.
    Failed,
    Done,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Pending,
        JobState::Scheduled,
        JobState::Running,
        JobState::Failed,
        JobState::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Scheduled => "scheduled",
            JobState::Running => "running",
            JobState::Failed => "failed",
            JobState::Done => "done",
        }
    }

    pub fn parse(name: &str) -> Option<JobState> {
        JobState::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
    }
}

/// How many jobs of a queue are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    pub pending: u64,
    pub scheduled: u64,
    pub running: u64,
    pub failed: u64,
    pub done: u64,
}

/// One failed attempt.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AttemptRecord {
    pub attempt: u32,
    pub at: DateTime<Utc>,
    pub error: String,
}

/// Everything known about one job, for the dashboard and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobInfo {
    pub id: String,
    pub queue: String,
    pub state: JobState,
    pub payload: String,
    pub attempts: u32,
    pub max_attempts: u32,
    /// Times the job's worker died while running it.
    pub crashes: u32,
    pub store_id: Option<i64>,
    pub last_error: Option<String>,
    pub history: Vec<AttemptRecord>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub run_at: Option<DateTime<Utc>>,
}

impl JobInfo {
    /// The error for an operation that needs the job in state `expected`.
    pub fn not_in(&self, expected: &'static str) -> QueueError {
        QueueError::WrongState {
            id: self.id.clone(),
            state: self.state.as_str().into(),
            expected,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the queue is unavailable: {0}")]
    Unavailable(String),
    #[error("job {0} does not exist")]
    NotFound(String),
    #[error("job {id} is {state}, not {expected}")]
    WrongState {
        id: String,
        state: String,
        expected: &'static str,
    },
}

/// How a failed attempt ends: tried again at a time, or in the failed set.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Done,
    RetryAt(DateTime<Utc>),
    /// Run again at a time, this attempt not counted.
    PostponeTo(DateTime<Utc>),
    Failed,
}

/// Timings of crash recovery, configurable so tests of crashes run in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Liveness {
    pub heartbeat: Duration,
    /// A worker silent this long is dead: its jobs go to others.
    pub orphan_after: Duration,
    /// A job whose worker died this many times while running it is a poison pill: it goes
    /// to the failed set.
    pub crash_limit: u32,
    /// A job whose worker died this many times while it only waited (on a store, its rate
    /// budget, room for a page) goes to the failed set too: a crash is charged to the job
    /// that was running, but a job that kills its worker while marked waiting is stopped
    /// all the same.
    pub stranded_limit: u32,
}

impl Default for Liveness {
    fn default() -> Self {
        Liveness {
            heartbeat: Duration::from_secs(5),
            orphan_after: Duration::from_secs(30),
            crash_limit: 3,
            stranded_limit: 10,
        }
    }
}

/// What recovering the jobs of dead workers did.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Jobs given back to the living.
    pub requeued: usize,
    /// Jobs their workers died with too often, now in the failed set, with their last
    /// error: what they were part of is told, as for any job that fails for good.
    pub poisoned: Vec<(Claimed, String)>,
}

#[async_trait::async_trait]
pub trait Storage: Send + Sync {
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError>;

    /// What about the storage's setup could lose jobs (Redis evicting keys, say); empty
    /// when nothing.
    async fn durability_problems(&self) -> Result<Vec<String>, QueueError> {
        Ok(Vec::new())
    }

    /// Takes up to `max` ready jobs of `queues` for `worker`, waiting up to `wait` for one.
    async fn fetch(
        &self,
        worker: &str,
        queues: &[String],
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Claimed>, QueueError>;

    /// Ends attempts: done, retried later, or failed, with the error of a failed attempt.
    async fn finish(
        &self,
        results: Vec<(Claimed, Outcome, Option<String>)>,
    ) -> Result<(), QueueError>;

    /// Says `worker` is alive.
    async fn heartbeat(&self, worker: &str) -> Result<(), QueueError>;

    /// Gives the jobs of dead workers to the living (or fails poison pills); returns how
    /// many jobs were recovered. `own` is the calling worker and what it holds: a job
    /// handed to it that it no longer holds (its end was lost with a Redis that crashed
    /// before saving it) is run again, though the worker lives.
    async fn recover_orphans(
        &self,
        queues: &[String],
        liveness: Liveness,
        own: &OwnClaims,
    ) -> Result<Recovered, QueueError>;

    /// Notes that the job `delivery` of `worker` waits (`true`: on a store, its rate
    /// budget, room for a page) or runs again (`false`): a worker's crash is charged only
    /// to the jobs that were running. Where it is not kept, every job held is charged.
    async fn mark_waiting(
        &self,
        _worker: &str,
        _delivery: &str,
        _waiting: bool,
    ) -> Result<(), QueueError> {
        Ok(())
    }

    /// A worker leaving cleanly, with nothing in flight.
    async fn deregister(&self, worker: &str, queues: &[String]) -> Result<(), QueueError>;

    async fn counts(&self, queue: &str) -> Result<QueueCounts, QueueError>;

    /// Jobs of a queue in a state, oldest first, `offset` and `limit` for paging.
    async fn list(
        &self,
        queue: &str,
        state: JobState,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<JobInfo>, QueueError>;

    async fn show(&self, id: &str) -> Result<JobInfo, QueueError>;

    /// Runs a failed job again, with its attempts reset.
    async fn retry(&self, id: &str) -> Result<(), QueueError>;

    /// Runs every failed job of a queue again, or only those of one store.
    async fn retry_all_failed(
        &self,
        queue: &str,
        store_id: Option<i64>,
    ) -> Result<usize, QueueError>;

    /// Removes a failed or scheduled job for good.
    async fn discard(&self, id: &str) -> Result<(), QueueError>;

    /// Forgets done jobs finished before `before`.
    async fn purge_done(&self, queue: &str, before: DateTime<Utc>) -> Result<usize, QueueError>;
}
