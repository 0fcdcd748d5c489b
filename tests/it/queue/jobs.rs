//! Jobs for the queue tests, and the worker process the crash tests start and kill.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};
use woosync::queue::job::{Job, JobError};

/// What the in-process tests' jobs share: which jobs ran, how often, and when.
#[derive(Clone, Default)]
pub struct Seen {
    pub ids: Arc<Mutex<HashSet<u64>>>,
    pub runs: Arc<AtomicU64>,
    pub attempts: Arc<Mutex<Vec<(u64, Instant)>>>,
}

impl Seen {
    pub fn distinct(&self) -> usize {
        self.ids.lock().unwrap().len()
    }
}

/// Records that it ran.
#[derive(Serialize, Deserialize)]
pub struct Record {
    pub n: u64,
}

impl Job for Record {
    const NAME: &'static str = "test_record";
    type Context = Seen;

    async fn run(self, seen: Seen) -> Result<(), JobError> {
        seen.runs.fetch_add(1, Ordering::Relaxed);
        seen.ids.lock().unwrap().insert(self.n);
        Ok(())
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("record-{}", self.n))
    }
}

/// Fails `failures` times, then succeeds; records the time of each attempt.
#[derive(Serialize, Deserialize)]
pub struct Flaky {
    pub n: u64,
    pub failures: u32,
}

impl Job for Flaky {
    const NAME: &'static str = "test_flaky";
    const MAX_ATTEMPTS: u32 = 5;
    type Context = Seen;

    async fn run(self, seen: Seen) -> Result<(), JobError> {
        let attempt = {
            let mut attempts = seen.attempts.lock().unwrap();
            attempts.push((self.n, Instant::now()));
            attempts.iter().filter(|(n, _)| *n == self.n).count() as u32
        };
        if attempt <= self.failures {
            return Err(JobError::retry(format!("failure {attempt}")));
        }
        seen.ids.lock().unwrap().insert(self.n);
        Ok(())
    }
}

/// Waits, then records its number in the `runs` table of a SQLite file: what the
/// crash tests' worker processes run.
#[derive(Serialize, Deserialize)]
pub struct Slow {
    pub n: u64,
    pub millis: u64,
}

impl Job for Slow {
    const NAME: &'static str = "test_slow";
    type Context = Option<DatabaseConnection>;

    async fn run(self, db: Option<DatabaseConnection>) -> Result<(), JobError> {
        tokio::time::sleep(Duration::from_millis(self.millis)).await;
        let db = db.ok_or_else(|| JobError::permanent("no database"))?;
        db.execute_unprepared(&format!(
            "INSERT OR IGNORE INTO runs (n) VALUES ({})",
            self.n
        ))
        .await
        .map_err(|error| JobError::retry(error.to_string()))?;
        Ok(())
    }
}

/// Kills its worker process, every time.
#[derive(Serialize, Deserialize)]
pub struct Poison;

impl Job for Poison {
    const NAME: &'static str = "test_poison";
    type Context = Option<DatabaseConnection>;

    async fn run(self, _: Option<DatabaseConnection>) -> Result<(), JobError> {
        std::process::abort();
    }
}

/// Waits on something slow (as a job waits on a store) and never ends by itself.
#[derive(Serialize, Deserialize)]
pub struct Dawdle;

impl Job for Dawdle {
    const NAME: &'static str = "test_dawdle";
    type Context = Option<DatabaseConnection>;

    async fn run(self, _: Option<DatabaseConnection>) -> Result<(), JobError> {
        woosync::queue::waiting::waiting(tokio::time::sleep(Duration::from_secs(600))).await;
        Ok(())
    }
}

/// Takes a while, then records that it ran.
#[derive(Serialize, Deserialize)]
pub struct Nap {
    pub n: u64,
    pub millis: u64,
}

impl Job for Nap {
    const NAME: &'static str = "test_nap";
    type Context = Seen;

    async fn run(self, seen: Seen) -> Result<(), JobError> {
        tokio::time::sleep(Duration::from_millis(self.millis)).await;
        seen.runs.fetch_add(1, Ordering::Relaxed);
        seen.ids.lock().unwrap().insert(self.n);
        Ok(())
    }
}

/// Fails for good at once, for a store.
#[derive(Serialize, Deserialize)]
pub struct Doomed {
    pub n: u64,
    pub store: i64,
}

impl Job for Doomed {
    const NAME: &'static str = "test_doomed";
    type Context = Seen;

    async fn run(self, seen: Seen) -> Result<(), JobError> {
        seen.runs.fetch_add(1, Ordering::Relaxed);
        Err(JobError::permanent(format!("doomed {}", self.n)))
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store)
    }
}
