//! The embedded queue, in the SQLite database itself, for one process without Redis
//! (`woosync dev`, `woosync demo`): the same storage API, so the same jobs and the same
//! operations.
//!
//! Why not apalis-sqlite 1.0.0: it retries a failed job at once with no backoff, strands a
//! job that asks to be retried later, and has no way to retry or discard a failed job.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, QueryResult, Statement, Value,
};
use tokio::sync::Notify;

use super::storage::{
    AttemptRecord, Claimed, Enqueued, JobInfo, JobState, Liveness, NewJob, Outcome, OwnClaims,
    QueueCounts, QueueError, Recovered, Storage,
};

/// How often an idle worker looks for due jobs (at once when this process enqueues some).
const POLL: Duration = Duration::from_millis(25);

/// Jobs to one `INSERT`: 10 values each, well under SQLite's 32,766.
const ROWS_PER_INSERT: usize = 1_000;

pub struct SqliteStorage {
    db: DatabaseConnection,
    /// Wakes this process's idle workers when it enqueues: a backfill's first page
    /// enqueues the rest, and its workers need not wait out a poll to start them.
    enqueued: Notify,
}

fn unavailable(error: DbErr) -> QueueError {
    QueueError::Unavailable(error.to_string())
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DatabaseBackend::Sqlite, sql, values)
}

const COLUMNS: &str = "id, queue, payload, state, attempts, max_attempts, crashes, store_id, \
                       run_at, last_error, history, created_at, updated_at";

/// Which jobs a poll found due.
#[derive(Debug, Default)]
struct Due {
    scheduled: bool,
    pending: bool,
}

/// A job's state as the dashboard sees it: a scheduled job that is due is pending.
const VISIBLE_STATE: &str =
    "CASE WHEN state = 'scheduled' AND run_at <= ? THEN 'pending' ELSE state END";

impl SqliteStorage {
    pub fn new(db: DatabaseConnection) -> Result<SqliteStorage, QueueError> {
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Err(QueueError::Unavailable(
                "the embedded queue needs the SQLite database; set REDIS_URL to queue on Redis"
                    .into(),
            ));
        }
        Ok(SqliteStorage {
            db,
            enqueued: Notify::new(),
        })
    }

    /// Which jobs are due: asked before writing, so that a poll only takes SQLite's one
    /// write lock (an UPDATE takes it even when it changes no row, and every page being
    /// written waits on it) for a change it will make.
    async fn due(&self, now: i64) -> Result<Due, QueueError> {
        let row = self
            .db
            .query_one_raw(statement(
                "SELECT \
                 EXISTS (SELECT 1 FROM queue_jobs WHERE state = 'scheduled' AND run_at <= ?) \
                 AS scheduled, \
                 EXISTS (SELECT 1 FROM queue_jobs WHERE state = 'pending' AND run_at <= ?) \
                 AS pending",
                vec![now.into(), now.into()],
            ))
            .await
            .map_err(unavailable)?;
        let Some(row) = row else {
            return Ok(Due::default());
        };
        let flag = |name: &str| row.try_get::<bool>("", name).map_err(unavailable);
        Ok(Due {
            scheduled: flag("scheduled")?,
            pending: flag("pending")?,
        })
    }

    async fn infos(&self, sql: &str, values: Vec<Value>) -> Result<Vec<JobInfo>, QueueError> {
        let rows = self
            .db
            .query_all_raw(statement(sql, values))
            .await
            .map_err(unavailable)?;
        rows.iter().map(job_info).collect()
    }
}

fn job_info(row: &QueryResult) -> Result<JobInfo, QueueError> {
    let get_i64 = |name: &str| row.try_get::<i64>("", name).map_err(unavailable);
    let text = |name: &str| row.try_get::<Option<String>>("", name).map_err(unavailable);
    let ms = |value: i64| Utc.timestamp_millis_opt(value).single();
    let history: Vec<serde_json::Value> =
        serde_json::from_str(&text("history")?.unwrap_or_default()).unwrap_or_default();
    let state = text("state")?.unwrap_or_default();
    let run_at = get_i64("run_at")?;
    let state = match JobState::parse(&state) {
        Some(JobState::Scheduled) if run_at <= now_ms() => JobState::Pending,
        Some(state) => state,
        None => JobState::Pending,
    };
    Ok(JobInfo {
        id: get_i64("id")?.to_string(),
        queue: text("queue")?.unwrap_or_default(),
        state,
        payload: text("payload")?.unwrap_or_default(),
        attempts: get_i64("attempts")? as u32,
        max_attempts: get_i64("max_attempts")? as u32,
        crashes: get_i64("crashes")? as u32,
        store_id: row
            .try_get::<Option<i64>>("", "store_id")
            .map_err(unavailable)?,
        last_error: text("last_error")?,
        history: history
            .iter()
            .map(|entry| AttemptRecord {
                attempt: entry["attempt"].as_u64().unwrap_or_default() as u32,
                at: entry["at"].as_i64().and_then(ms).unwrap_or_default(),
                error: entry["error"].as_str().unwrap_or_default().to_string(),
            })
            .collect(),
        created_at: ms(get_i64("created_at")?),
        updated_at: ms(get_i64("updated_at")?),
        run_at: ms(run_at),
    })
}

fn id_value(id: &str) -> Result<Value, QueueError> {
    id.parse::<i64>()
        .map(Value::from)
        .map_err(|_| QueueError::NotFound(id.to_string()))
}

/// `history` with one more failed attempt.
const APPEND_HISTORY: &str =
    "json_insert(history, '$[#]', json_object('attempt', attempts, 'at', ?, 'error', ?))";

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError> {
        let txn = crate::database::begin_write(&self.db)
            .await
            .map_err(unavailable)?;
        let now = now_ms();
        let mut results: Vec<Option<Enqueued>> = Vec::with_capacity(jobs.len());
        let mut rows = Vec::with_capacity(jobs.len());
        for (index, job) in jobs.into_iter().enumerate() {
            let dedupe_until = job
                .dedupe_window
                .map(|window| now + window.as_millis() as i64);
            let mut held_by = None;
            if let Some(key) = job.dedupe_key.as_ref().filter(|_| dedupe_until.is_some()) {
                held_by = txn
                    .query_one_raw(statement(
                        "SELECT id FROM queue_jobs WHERE dedupe_key = ? AND dedupe_until > ?",
                        vec![key.clone().into(), now.into()],
                    ))
                    .await
                    .map_err(unavailable)?
                    .map(|row| row.try_get::<i64>("", "id").map_err(unavailable))
                    .transpose()?;
            }
            results.push(held_by.map(|id| Enqueued::Duplicate(id.to_string())));
            if held_by.is_none() {
                rows.push((index, job, dedupe_until));
            }
        }
        // Many rows to a statement: each statement is a round trip to SQLite's connection
        // thread while the write lock is held, and the first page of a backfill of 100,000
        // orders enqueues the other 999.
        let mut conflicts: Vec<(usize, String)> = Vec::new();
        while !rows.is_empty() {
            let mut chunk: Vec<_> = rows.drain(..rows.len().min(ROWS_PER_INSERT)).collect();
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 10);
            for (_, job, dedupe_until) in &mut chunk {
                let run_at = job.run_at.map_or(now, |at| at.timestamp_millis());
                let state = if run_at > now { "scheduled" } else { "pending" };
                values.extend([
                    std::mem::take(&mut job.queue).into(),
                    std::mem::take(&mut job.payload).into(),
                    state.into(),
                    (job.max_attempts as i64).into(),
                    job.dedupe_key.clone().into(),
                    (*dedupe_until).into(),
                    job.store_id.into(),
                    run_at.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            let sql = format!(
                "INSERT INTO queue_jobs (queue, payload, state, attempts, max_attempts, crashes, \
                 dedupe_key, dedupe_until, store_id, run_at, history, created_at, updated_at) \
                 VALUES {} ON CONFLICT DO NOTHING RETURNING id, dedupe_key",
                vec!["(?, ?, ?, 0, ?, 0, ?, ?, ?, ?, '[]', ?, ?)"; chunk.len()].join(", ")
            );
            let mut inserted = txn
                .query_all_raw(statement(&sql, values))
                .await
                .map_err(unavailable)?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get::<i64>("", "id").map_err(unavailable)?,
                        row.try_get::<Option<String>>("", "dedupe_key")
                            .map_err(unavailable)?,
                    ))
                })
                .collect::<Result<Vec<_>, QueueError>>()?;
            // Rows are inserted in the order of their values, so ids ascend with them; a
            // job whose key was taken (by a live job, or one before it here) left no row.
            inserted.sort_unstable_by_key(|(id, _)| *id);
            let mut inserted = inserted.into_iter().peekable();
            for (index, job, _) in chunk {
                match inserted.next_if(|(_, key)| *key == job.dedupe_key) {
                    Some((id, _)) => results[index] = Some(Enqueued::New(id.to_string())),
                    None => conflicts.push((index, job.dedupe_key.unwrap_or_default())),
                }
            }
        }
        for (index, key) in conflicts {
            let holder = txn
                .query_one_raw(statement(
                    "SELECT id FROM queue_jobs WHERE dedupe_key = ? \
                     AND state IN ('pending', 'scheduled', 'running')",
                    vec![key.into()],
                ))
                .await
                .map_err(unavailable)?
                .ok_or_else(|| QueueError::Unavailable("a conflicting job vanished".into()))?;
            let id = holder.try_get::<i64>("", "id").map_err(unavailable)?;
            results[index] = Some(Enqueued::Duplicate(id.to_string()));
        }
        txn.commit().await.map_err(unavailable)?;
        self.enqueued.notify_waiters();
        results
            .into_iter()
            .map(|result| {
                result.ok_or_else(|| QueueError::Unavailable("a job was left unqueued".into()))
            })
            .collect()
    }

    async fn fetch(
        &self,
        worker: &str,
        queues: &[String],
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Claimed>, QueueError> {
        let started = std::time::Instant::now();
        // The queues in the order given, as a Redis worker reads them: the due jobs of the
        // first queue, then of the next, up to `max`. Each queue's jobs are walked in order
        // on the `(queue, state, run_at, id)` index, at most `max` of each.
        let per_queue: Vec<String> = (0..queues.len())
            .map(|turn| {
                format!(
                    "SELECT id, {turn} AS turn, run_at FROM (SELECT id, run_at FROM queue_jobs \
                     WHERE queue = ? AND state = 'pending' AND run_at <= ? ORDER BY run_at, id LIMIT ?)"
                )
            })
            .collect();
        let sql = format!(
            "UPDATE queue_jobs SET state = 'running', worker = ?, attempts = attempts + 1, updated_at = ? \
             WHERE id IN (SELECT id FROM ({}) ORDER BY turn, run_at, id LIMIT ?) \
             RETURNING id, queue, payload, attempts, max_attempts",
            per_queue.join(" UNION ALL ")
        );
        loop {
            // Listening before looking, so that jobs enqueued meanwhile still wake it.
            let enqueued = self.enqueued.notified();
            tokio::pin!(enqueued);
            enqueued.as_mut().enable();
            let now = now_ms();
            let due = self.due(now).await?;
            if due.scheduled {
                // Due delayed jobs become pending first, so that the claim below walks the
                // (state, run_at, id) index and costs the same whatever the backlog.
                self.db
                    .execute_raw(statement(
                        "UPDATE queue_jobs SET state = 'pending' WHERE state = 'scheduled' AND run_at <= ?",
                        vec![now.into()],
                    ))
                    .await
                    .map_err(unavailable)?;
            }
            let rows = if due.scheduled || due.pending {
                let mut values: Vec<Value> = vec![worker.into(), now.into()];
                for queue in queues {
                    values.extend([queue.clone().into(), now.into(), (max as i64).into()]);
                }
                values.push((max as i64).into());
                self.db
                    .query_all_raw(statement(&sql, values))
                    .await
                    .map_err(unavailable)?
            } else {
                Vec::new()
            };
            if !rows.is_empty() || started.elapsed() >= wait {
                let mut claimed = rows
                    .iter()
                    .map(|row| {
                        let id = row
                            .try_get::<i64>("", "id")
                            .map_err(unavailable)?
                            .to_string();
                        Ok(Claimed {
                            delivery: id.clone(),
                            id,
                            queue: row.try_get("", "queue").map_err(unavailable)?,
                            payload: row.try_get("", "payload").map_err(unavailable)?,
                            attempt: row.try_get::<i64>("", "attempts").map_err(unavailable)?
                                as u32,
                            max_attempts: row
                                .try_get::<i64>("", "max_attempts")
                                .map_err(unavailable)?
                                as u32,
                        })
                    })
                    .collect::<Result<Vec<_>, QueueError>>()?;
                // `RETURNING` gives the rows in no particular order: handed on in the
                // queues' order.
                claimed.sort_by_key(|job| {
                    (
                        queues.iter().position(|queue| *queue == job.queue),
                        job.id.parse::<i64>().unwrap_or_default(),
                    )
                });
                return Ok(claimed);
            }
            let _ =
                tokio::time::timeout(POLL.min(wait.saturating_sub(started.elapsed())), enqueued)
                    .await;
        }
    }

    async fn finish(
        &self,
        results: Vec<(Claimed, Outcome, Option<String>)>,
    ) -> Result<(), QueueError> {
        let txn = crate::database::begin_write(&self.db)
            .await
            .map_err(unavailable)?;
        let now = now_ms();
        // Jobs done, the most of any batch, end in one statement: each statement is a round
        // trip to SQLite's connection thread while the write lock is held.
        let (done, others): (Vec<_>, Vec<_>) = results
            .into_iter()
            .partition(|(_, outcome, error)| matches!(outcome, Outcome::Done) && error.is_none());
        for ids in done.chunks(500) {
            let ids = ids
                .iter()
                .map(|(job, ..)| id_value(&job.id))
                .collect::<Result<Vec<_>, _>>()?;
            let sql = format!(
                "UPDATE queue_jobs SET state = 'done', run_at = ?, worker = NULL, updated_at = ? \
                 WHERE state = 'running' AND id IN ({})",
                vec!["?"; ids.len()].join(", ")
            );
            let mut values: Vec<Value> = vec![now.into(), now.into()];
            values.extend(ids);
            txn.execute_raw(statement(&sql, values))
                .await
                .map_err(unavailable)?;
        }
        for (job, outcome, error) in others {
            let (state, run_at, uncount) = match outcome {
                Outcome::Done => ("done", now, 0),
                Outcome::RetryAt(at) => ("scheduled", at.timestamp_millis(), 0),
                Outcome::PostponeTo(at) => ("scheduled", at.timestamp_millis(), 1),
                Outcome::Failed => ("failed", now, 0),
            };
            let history = if error.is_some() {
                APPEND_HISTORY
            } else {
                "history"
            };
            let sql = format!(
                "UPDATE queue_jobs SET state = ?, run_at = ?, worker = NULL, updated_at = ?, \
                 attempts = attempts - {uncount}, last_error = COALESCE(?, last_error), history = {history} WHERE id = ? AND state = 'running'"
            );
            let mut values: Vec<Value> = vec![
                state.into(),
                run_at.into(),
                now.into(),
                error.clone().into(),
            ];
            if let Some(error) = error {
                values.push(now.into());
                values.push(error.into());
            }
            values.push(id_value(&job.id)?);
            txn.execute_raw(statement(&sql, values))
                .await
                .map_err(unavailable)?;
        }
        txn.commit().await.map_err(unavailable)
    }

    async fn heartbeat(&self, worker: &str) -> Result<(), QueueError> {
        self.db
            .execute_raw(statement(
                "INSERT INTO queue_workers (name, heartbeat) VALUES (?, ?) \
                 ON CONFLICT (name) DO UPDATE SET heartbeat = excluded.heartbeat",
                vec![worker.into(), now_ms().into()],
            ))
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    /// A job's end is committed with it, so a living worker's jobs need no recovery. The
    /// embedded queue keeps no marks of waiting jobs (one process: a crash takes every job
    /// with it): each job held is charged.
    async fn recover_orphans(
        &self,
        _queues: &[String],
        liveness: Liveness,
        _own: &OwnClaims,
    ) -> Result<Recovered, QueueError> {
        let now = now_ms();
        let stale_before = now - liveness.orphan_after.as_millis() as i64;
        let limit = i64::from(liveness.crash_limit);
        let sql = format!(
            "UPDATE queue_jobs SET crashes = crashes + 1, worker = NULL, updated_at = ?, run_at = ?, \
             state = CASE WHEN crashes + 1 >= ? THEN 'failed' ELSE 'pending' END, \
             last_error = CASE WHEN crashes + 1 >= ? \
               THEN 'a poison pill: its worker died ' || (crashes + 1) || ' times while running it' \
               ELSE 'its worker died while running it' END, \
             history = {APPEND_HISTORY} \
             WHERE state = 'running' AND (worker IS NULL OR worker NOT IN \
               (SELECT name FROM queue_workers WHERE heartbeat >= ?)) \
             RETURNING id, queue, payload, attempts, max_attempts, state, last_error"
        );
        let rows = self
            .db
            .query_all_raw(statement(
                &sql,
                vec![
                    now.into(),
                    now.into(),
                    limit.into(),
                    limit.into(),
                    now.into(),
                    "its worker died while running it".into(),
                    stale_before.into(),
                ],
            ))
            .await
            .map_err(unavailable)?;
        self.db
            .execute_raw(statement(
                "DELETE FROM queue_workers WHERE heartbeat < ?",
                vec![stale_before.into()],
            ))
            .await
            .map_err(unavailable)?;
        let mut recovered = Recovered::default();
        for row in rows {
            let get_i64 = |name: &str| row.try_get::<i64>("", name);
            if row.try_get::<String>("", "state").map_err(unavailable)? != "failed" {
                recovered.requeued += 1;
                continue;
            }
            let id = get_i64("id").map_err(unavailable)?.to_string();
            let claimed = Claimed {
                delivery: id.clone(),
                id,
                queue: row.try_get("", "queue").map_err(unavailable)?,
                payload: row.try_get("", "payload").map_err(unavailable)?,
                attempt: get_i64("attempts").map_err(unavailable)? as u32,
                max_attempts: get_i64("max_attempts").map_err(unavailable)? as u32,
            };
            let error: Option<String> = row.try_get("", "last_error").map_err(unavailable)?;
            recovered
                .poisoned
                .push((claimed, error.unwrap_or_default()));
        }
        Ok(recovered)
    }

    async fn deregister(&self, worker: &str, _queues: &[String]) -> Result<(), QueueError> {
        self.db
            .execute_raw(statement(
                "DELETE FROM queue_workers WHERE name = ?",
                vec![worker.into()],
            ))
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn counts(&self, queue: &str) -> Result<QueueCounts, QueueError> {
        // Counted on the (queue, state) index; due delayed jobs count as pending.
        let rows = self
            .db
            .query_all_raw(statement(
                "SELECT state, COUNT(*) AS n FROM queue_jobs WHERE queue = ? GROUP BY state",
                vec![queue.into()],
            ))
            .await
            .map_err(unavailable)?;
        let mut counts = QueueCounts::default();
        for row in rows {
            let state: String = row.try_get("", "state").map_err(unavailable)?;
            let n = row.try_get::<i64>("", "n").map_err(unavailable)? as u64;
            match JobState::parse(&state) {
                Some(JobState::Pending) => counts.pending += n,
                Some(JobState::Scheduled) => counts.scheduled += n,
                Some(JobState::Running) => counts.running += n,
                Some(JobState::Failed) => counts.failed += n,
                Some(JobState::Done) => counts.done += n,
                None => {}
            }
        }
        let due = self
            .db
            .query_one_raw(statement(
                "SELECT COUNT(*) AS n FROM queue_jobs WHERE state = 'scheduled' AND run_at <= ? AND queue = ?",
                vec![now_ms().into(), queue.into()],
            ))
            .await
            .map_err(unavailable)?
            .map(|row| row.try_get::<i64>("", "n").unwrap_or_default() as u64)
            .unwrap_or_default();
        counts.scheduled -= due.min(counts.scheduled);
        counts.pending += due;
        Ok(counts)
    }

    async fn list(
        &self,
        queue: &str,
        state: JobState,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<JobInfo>, QueueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM queue_jobs WHERE queue = ? AND {VISIBLE_STATE} = ? \
             ORDER BY id LIMIT ? OFFSET ?"
        );
        self.infos(
            &sql,
            vec![
                queue.into(),
                now_ms().into(),
                state.as_str().into(),
                (limit as i64).into(),
                (offset as i64).into(),
            ],
        )
        .await
    }

    async fn show(&self, id: &str) -> Result<JobInfo, QueueError> {
        let sql = format!("SELECT {COLUMNS} FROM queue_jobs WHERE id = ?");
        self.infos(&sql, vec![id_value(id)?])
            .await?
            .pop()
            .ok_or_else(|| QueueError::NotFound(id.to_string()))
    }

    async fn retry(&self, id: &str) -> Result<(), QueueError> {
        let updated = self
            .db
            .execute_raw(statement(
                "UPDATE OR IGNORE queue_jobs SET state = 'pending', attempts = 0, crashes = 0, \
                 run_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'",
                vec![now_ms().into(), now_ms().into(), id_value(id)?],
            ))
            .await
            .map_err(unavailable)?
            .rows_affected();
        if updated == 1 {
            return Ok(());
        }
        Err(self.show(id).await?.not_in("failed"))
    }

    async fn retry_all_failed(
        &self,
        queue: &str,
        store_id: Option<i64>,
    ) -> Result<usize, QueueError> {
        let retried = self
            .db
            .execute_raw(statement(
                "UPDATE OR IGNORE queue_jobs SET state = 'pending', attempts = 0, crashes = 0, \
                 run_at = ?, updated_at = ? WHERE queue = ? AND state = 'failed' \
                 AND (? IS NULL OR store_id = ?)",
                vec![
                    now_ms().into(),
                    now_ms().into(),
                    queue.into(),
                    store_id.into(),
                    store_id.into(),
                ],
            ))
            .await
            .map_err(unavailable)?
            .rows_affected();
        Ok(retried as usize)
    }

    async fn discard(&self, id: &str) -> Result<(), QueueError> {
        let deleted = self
            .db
            .execute_raw(statement(
                "DELETE FROM queue_jobs WHERE id = ? AND state != 'running'",
                vec![id_value(id)?],
            ))
            .await
            .map_err(unavailable)?
            .rows_affected();
        if deleted == 1 {
            return Ok(());
        }
        Err(self.show(id).await?.not_in("not running"))
    }

    async fn purge_done(&self, queue: &str, before: DateTime<Utc>) -> Result<usize, QueueError> {
        let purged = self
            .db
            .execute_raw(statement(
                // A job holding its key for a window is kept until the window ends.
                "DELETE FROM queue_jobs WHERE queue = ? AND state = 'done' AND updated_at < ? \
                 AND (dedupe_until IS NULL OR dedupe_until <= ?)",
                vec![
                    queue.into(),
                    before.timestamp_millis().into(),
                    now_ms().into(),
                ],
            ))
            .await
            .map_err(unavailable)?
            .rows_affected();
        Ok(purged as usize)
    }
}
