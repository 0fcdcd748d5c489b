//! The queue on Redis, for any number of worker processes: a stream per queue read through
//! one consumer group (each job goes to one worker), sorted sets for delayed jobs, failed
//! jobs and done jobs, a hash per job, and Lua scripts for every step that must be atomic.
//!
//! Why not apalis-redis 1.0.0: it stops fetching once more than about 8,000 jobs are due at
//! once, slows down as its backlog grows, retries in two places, recovers a dead worker's
//! jobs only while another worker is alive, and cannot list, retry or discard failed jobs
//! (docs/adr/0001-own-apalis-backend.md, checked against its source).

mod reconnecting;
mod scripts;

pub use reconnecting::Reconnecting;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use redis::aio::ConnectionManagerConfig;
use redis::io::tcp::TcpSettings;
use redis::streams::{
    StreamInfoConsumersReply, StreamPendingCountReply, StreamReadOptions, StreamReadReply,
};
use redis::{AsyncCommands, IntoConnectionInfo, Pipeline, RedisError, RedisResult, Script, Value};

use super::storage::{
    AttemptRecord, Claimed, Enqueued, JobInfo, JobState, Liveness, NewJob, Outcome, OwnClaims,
    QueueCounts, QueueError, Recovered, Storage,
};

const GROUP: &str = "workers";
/// Jobs moved from `scheduled` to a stream per script call.
const PROMOTE_BATCH: usize = 1000;
/// Enqueue scripts sent per round trip.
const ENQUEUE_BATCH: usize = 1000;

pub struct RedisStorage {
    prefix: String,
    commands: Reconnecting,
    /// Blocking reads get a connection of their own: a multiplexed connection waiting on
    /// XREADGROUP would hold up every other command.
    reads: Reconnecting,
    enqueue: Script,
    promote: Script,
    claim: Script,
    finish: Script,
    recover: Script,
    redeliver: Script,
    retry: Script,
    discard: Script,
    groups_made: Mutex<HashSet<String>>,
    last_promote: Mutex<Option<Instant>>,
}

fn unavailable(error: RedisError) -> QueueError {
    QueueError::Unavailable(error.to_string())
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

/// A client for `url` whose connections send each command at once. With Nagle's algorithm
/// on (the redis crate's default), a command written while an earlier one on the same
/// multiplexed connection was unanswered waited for that answer, which carries the ACK.
pub fn client(url: &str) -> RedisResult<redis::Client> {
    let info = url
        .into_connection_info()?
        .set_tcp_settings(TcpSettings::default().set_nodelay(true));
    redis::Client::open(info)
}

impl RedisStorage {
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisStorage, QueueError> {
        let client = client(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(60)));
        let commands = client
            .get_connection_manager_with_config(config.clone())
            .await
            .map_err(unavailable)?;
        let reads = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(unavailable)?;
        Ok(RedisStorage {
            prefix: prefix.to_string(),
            commands: Reconnecting::new(commands),
            reads: Reconnecting::new(reads),
            enqueue: Script::new(scripts::ENQUEUE),
            promote: Script::new(scripts::PROMOTE),
            claim: Script::new(scripts::CLAIM),
            finish: Script::new(&scripts::finish()),
            recover: Script::new(&scripts::recover()),
            redeliver: Script::new(scripts::REDELIVER),
            retry: Script::new(scripts::RETRY),
            discard: Script::new(&scripts::discard()),
            groups_made: Mutex::new(HashSet::new()),
            last_promote: Mutex::new(None),
        })
    }

    async fn counts_once(&self, queue: &str) -> Result<QueueCounts, QueueError> {
        self.ensure_group(queue).await?;
        let mut pipe = redis::pipe();
        pipe.xlen(self.stream(queue))
            .cmd("XPENDING")
            .arg(self.stream(queue))
            .arg(GROUP)
            .zcard(self.set(queue, JobState::Scheduled))
            .zcard(self.set(queue, JobState::Failed))
            .zcard(self.set(queue, JobState::Done));
        let (in_stream, pending_summary, scheduled, failed, done): (u64, Value, u64, u64, u64) =
            self.run_pipeline(&pipe).await?;
        let running = match pending_summary {
            Value::Array(ref items) => items
                .first()
                .and_then(|count| redis::from_redis_value::<u64>(count.clone()).ok())
                .unwrap_or(0),
            _ => 0,
        };
        Ok(QueueCounts {
            pending: in_stream.saturating_sub(running),
            scheduled,
            running,
            failed,
            done,
        })
    }

    /// Entries a live worker was handed but never claimed (the reply to its read was lost,
    /// or its claim failed, in a Redis restart say): left alone they would wait forever,
    /// as their worker is alive. Those idle as long as an orphan are put back in the
    /// stream; a job really running keeps its entry. Where the worker itself asks, with
    /// what it `held`, a job it no longer holds is put back even when marked running: its
    /// end was lost (a Redis that crashed before saving it).
    async fn redeliver_unclaimed(
        &self,
        stream: &str,
        queue: &str,
        consumer: &str,
        liveness: Liveness,
        held: Option<&HashSet<String>>,
    ) -> Result<usize, QueueError> {
        let mut connection = self.commands.clone();
        let idle: Value = redis::cmd("XPENDING")
            .arg(stream)
            .arg(GROUP)
            .arg("IDLE")
            .arg(liveness.orphan_after.as_millis() as u64)
            .arg("-")
            .arg("+")
            .arg(100)
            .arg(consumer)
            .query_async(&mut connection)
            .await
            .map_err(|error| self.error(error))?;
        let entries: Vec<String> = match idle {
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::Array(fields) => {
                        redis::from_redis_value::<String>(fields.first()?.clone()).ok()
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut redelivered = 0;
        for entry in entries {
            let lost = held.is_some_and(|held| !held.contains(&entry));
            let result: i64 = self
                .redeliver
                .arg(&self.prefix)
                .arg(queue)
                .arg(&entry)
                .arg(u8::from(lost))
                .invoke_async(&mut connection)
                .await
                .map_err(|error| self.error(error))?;
            match result {
                1 => {
                    tracing::warn!(%queue, worker = %consumer, %entry, "put back a job a live worker was handed and never claimed")
                }
                2 => {
                    tracing::warn!(%queue, worker = %consumer, %entry, "put back a job whose end its worker lost")
                }
                _ => continue,
            }
            redelivered += 1;
        }
        Ok(redelivered)
    }

    /// A Redis error as the queue reports it. A Redis that lost its data (restarted
    /// without its append-only file) has lost the consumer groups too: they are made again
    /// on the next call.
    fn error(&self, error: RedisError) -> QueueError {
        if error.to_string().contains("NOGROUP") {
            redis_lock(&self.groups_made).clear();
        }
        unavailable(error)
    }

    fn stream(&self, queue: &str) -> String {
        format!("{}q:{queue}:stream", self.prefix)
    }

    fn set(&self, queue: &str, state: JobState) -> String {
        format!("{}q:{queue}:{}", self.prefix, state.as_str())
    }

    fn job_key(&self, id: &str) -> String {
        format!("{}job:{id}", self.prefix)
    }

    fn workers_key(&self) -> String {
        format!("{}workers", self.prefix)
    }

    /// The deliveries a worker holds that wait rather than run (see `mark_waiting`).
    fn waiting_key(&self, worker: &str) -> String {
        format!("{}waiting:{worker}", self.prefix)
    }

    /// The policy that decides whether Redis may drop keys; anything but `noeviction` can
    /// lose jobs.
    pub async fn eviction_policy(&self) -> Result<String, QueueError> {
        let mut connection = self.commands.clone();
        let reply: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory-policy")
            .query_async(&mut connection)
            .await
            .map_err(|error| self.error(error))?;
        Ok(reply.get(1).cloned().unwrap_or_default())
    }

    /// Sends a pipeline of script calls, loading the scripts first if Redis has forgotten
    /// them (it does on restart).
    async fn run_pipeline<T: redis::FromRedisValue>(
        &self,
        pipe: &Pipeline,
    ) -> Result<T, QueueError> {
        let mut connection = self.commands.clone();
        match pipe.query_async(&mut connection).await {
            Err(error)
                if error.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
            {
                for script in self.scripts() {
                    script
                        .load_async(&mut connection)
                        .await
                        .map_err(|error| self.error(error))?;
                }
                pipe.query_async(&mut connection)
                    .await
                    .map_err(|error| self.error(error))
            }
            other => other.map_err(|error| self.error(error)),
        }
    }

    fn scripts(&self) -> [&Script; 8] {
        [
            &self.redeliver,
            &self.enqueue,
            &self.promote,
            &self.claim,
            &self.finish,
            &self.recover,
            &self.retry,
            &self.discard,
        ]
    }

    async fn ensure_group(&self, queue: &str) -> Result<(), QueueError> {
        if redis_lock(&self.groups_made).contains(queue) {
            return Ok(());
        }
        let mut connection = self.commands.clone();
        // From id 0, so jobs enqueued before any worker existed are seen.
        let made: Result<(), RedisError> = connection
            .xgroup_create_mkstream(self.stream(queue), GROUP, "0")
            .await;
        match made {
            Ok(()) => {}
            Err(error) if error.to_string().contains("BUSYGROUP") => {}
            Err(error) => return Err(self.error(error)),
        }
        redis_lock(&self.groups_made).insert(queue.to_string());
        Ok(())
    }

    /// Moves due delayed jobs to their streams, at most every 50 ms per process.
    async fn promote_due(&self, queues: &[String]) -> Result<(), QueueError> {
        {
            let mut last = redis_lock(&self.last_promote);
            if last.is_some_and(|at| at.elapsed() < Duration::from_millis(50)) {
                return Ok(());
            }
            *last = Some(Instant::now());
        }
        let mut connection = self.commands.clone();
        for queue in queues {
            loop {
                let moved: usize = self
                    .promote
                    .key(self.set(queue, JobState::Scheduled))
                    .key(self.stream(queue))
                    .arg(now_ms())
                    .arg(PROMOTE_BATCH)
                    .arg(&self.prefix)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(|error| self.error(error))?;
                if moved < PROMOTE_BATCH {
                    break;
                }
            }
        }
        Ok(())
    }

    async fn job_infos(&self, ids: &[String]) -> Result<Vec<JobInfo>, QueueError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.hgetall(self.job_key(id));
            pipe.lrange(format!("{}:history", self.job_key(id)), 0, -1);
        }
        let replies: Vec<(HashMap<String, String>, Vec<String>)> = {
            let mut connection = self.commands.clone();
            let flat: Vec<Value> = pipe
                .query_async(&mut connection)
                .await
                .map_err(|error| self.error(error))?;
            flat.chunks(2)
                .map(|pair| {
                    let fields = redis::from_redis_value(pair[0].clone()).unwrap_or_default();
                    let history = redis::from_redis_value(pair[1].clone()).unwrap_or_default();
                    (fields, history)
                })
                .collect()
        };
        Ok(ids
            .iter()
            .zip(replies)
            .filter(|(_, (fields, _))| !fields.is_empty())
            .map(|(id, (fields, history))| job_info(id, &fields, &history))
            .collect())
    }
}

fn redis_lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn job_info(id: &str, fields: &HashMap<String, String>, history: &[String]) -> JobInfo {
    let text = |name: &str| fields.get(name).filter(|value| !value.is_empty()).cloned();
    let number = |name: &str| text(name).and_then(|value| value.parse::<i64>().ok());
    JobInfo {
        id: id.to_string(),
        queue: text("queue").unwrap_or_default(),
        state: text("state")
            .as_deref()
            .and_then(JobState::parse)
            .unwrap_or(JobState::Pending),
        payload: text("payload").unwrap_or_default(),
        attempts: number("attempts").unwrap_or_default() as u32,
        max_attempts: number("max_attempts").unwrap_or_default() as u32,
        crashes: number("crashes").unwrap_or_default() as u32,
        store_id: number("store"),
        last_error: text("last_error"),
        history: history
            .iter()
            .filter_map(|entry| serde_json::from_str::<serde_json::Value>(entry).ok())
            .map(|entry| AttemptRecord {
                attempt: entry["attempt"].as_u64().unwrap_or_default() as u32,
                at: entry["at"]
                    .as_f64()
                    .and_then(|ms| from_ms(ms as i64))
                    .unwrap_or_default(),
                error: entry["error"].as_str().unwrap_or_default().to_string(),
            })
            .collect(),
        created_at: number("created_at").and_then(from_ms),
        updated_at: number("updated_at").and_then(from_ms),
        run_at: number("run_at").and_then(from_ms),
    }
}

#[async_trait::async_trait]
impl Storage for RedisStorage {
    async fn durability_problems(&self) -> Result<Vec<String>, QueueError> {
        let policy = self.eviction_policy().await?;
        Ok(if policy == "noeviction" {
            Vec::new()
        } else {
            vec![format!(
                "Redis evicts keys under memory pressure (maxmemory-policy {policy}): queued jobs can be lost. \
                 Set maxmemory-policy noeviction"
            )]
        })
    }

    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError> {
        let mut results = Vec::with_capacity(jobs.len());
        for batch in jobs.chunks(ENQUEUE_BATCH) {
            let now = now_ms();
            let mut pipe = redis::pipe();
            for job in batch {
                let run_at = job.run_at.map_or(0, |at| at.timestamp_millis());
                let mut invocation = self.enqueue.prepare_invoke();
                invocation
                    .arg(&self.prefix)
                    .arg(&job.queue)
                    .arg(&job.payload)
                    .arg(job.max_attempts)
                    .arg(job.dedupe_key.as_deref().unwrap_or(""))
                    .arg(run_at)
                    .arg(now)
                    .arg(job.store_id.map(|id| id.to_string()).unwrap_or_default())
                    // A window is at least a millisecond: 0 means none.
                    .arg(
                        job.dedupe_window
                            .map_or(0, |window| (window.as_millis() as u64).max(1)),
                    );
                pipe.invoke_script(&invocation);
            }
            let replies: Vec<(i64, String)> = self.run_pipeline(&pipe).await?;
            results.extend(replies.into_iter().map(|(new, id)| {
                if new == 1 {
                    Enqueued::New(id)
                } else {
                    Enqueued::Duplicate(id)
                }
            }));
        }
        Ok(results)
    }

    async fn fetch(
        &self,
        worker: &str,
        queues: &[String],
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Claimed>, QueueError> {
        for queue in queues {
            self.ensure_group(queue).await?;
        }
        self.promote_due(queues).await?;
        let mut reads = self.reads.clone();
        // The queues in the order given, each for the room the ones before left: a worker
        // runs the jobs of its first queues first. Only when none has a job does the
        // worker wait, on all of them at once.
        let mut replies = Vec::new();
        let mut room = max;
        for queue in queues {
            if room == 0 {
                break;
            }
            let options = StreamReadOptions::default()
                .group(GROUP, worker)
                .count(room);
            let reply: Option<StreamReadReply> = reads
                .xread_options(&[self.stream(queue)], &[">"], &options)
                .await
                .map_err(|error| self.error(error))?;
            if let Some(reply) = reply {
                room = room.saturating_sub(reply.keys.iter().map(|key| key.ids.len()).sum());
                replies.push(reply);
            }
        }
        if room == max {
            let streams: Vec<String> = queues.iter().map(|queue| self.stream(queue)).collect();
            let ids: Vec<&str> = queues.iter().map(|_| ">").collect();
            // COUNT applies to each stream: share `max` out so the total stays near it.
            let options = StreamReadOptions::default()
                .group(GROUP, worker)
                .count(max.div_ceil(queues.len().max(1)))
                .block(wait.as_millis() as usize);
            let reply: Option<StreamReadReply> = reads
                .xread_options(&streams, &ids, &options)
                .await
                .map_err(|error| self.error(error))?;
            replies.extend(reply);
        }
        let mut invocation = self.claim.prepare_invoke();
        invocation.arg(&self.prefix).arg(worker).arg(now_ms());
        let mut any = false;
        for stream in replies.iter().flat_map(|reply| &reply.keys) {
            let queue = queues
                .iter()
                .find(|queue| self.stream(queue) == stream.key)
                .cloned()
                .unwrap_or_default();
            for entry in &stream.ids {
                let id: Option<String> = entry.get("id");
                invocation
                    .arg(&queue)
                    .arg(&entry.id)
                    .arg(id.unwrap_or_default());
                any = true;
            }
        }
        if !any {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        pipe.invoke_script(&invocation);
        let (claimed,): (Vec<(String, String, String, String, u32, u32)>,) =
            self.run_pipeline(&pipe).await?;
        Ok(claimed
            .into_iter()
            .map(
                |(queue, delivery, id, payload, max_attempts, attempt)| Claimed {
                    id,
                    queue,
                    payload,
                    attempt,
                    max_attempts,
                    delivery,
                },
            )
            .collect())
    }

    async fn finish(
        &self,
        results: Vec<(Claimed, Outcome, Option<String>)>,
    ) -> Result<(), QueueError> {
        if results.is_empty() {
            return Ok(());
        }
        let mut invocation = self.finish.prepare_invoke();
        invocation.arg(&self.prefix).arg(now_ms());
        for (job, outcome, error) in &results {
            let (name, run_at) = match outcome {
                Outcome::Done => ("done", 0),
                Outcome::RetryAt(at) => ("retry", at.timestamp_millis()),
                Outcome::PostponeTo(at) => ("postpone", at.timestamp_millis()),
                Outcome::Failed => ("failed", 0),
            };
            invocation
                .arg(&job.queue)
                .arg(&job.delivery)
                .arg(&job.id)
                .arg(name)
                .arg(run_at)
                .arg(error.as_deref().unwrap_or(""))
                .arg(job.attempt);
        }
        let mut pipe = redis::pipe();
        pipe.invoke_script(&invocation).ignore();
        self.run_pipeline::<()>(&pipe).await
    }

    async fn heartbeat(&self, worker: &str) -> Result<(), QueueError> {
        let mut connection = self.commands.clone();
        connection
            .zadd::<_, _, _, ()>(self.workers_key(), worker, now_ms())
            .await
            .map_err(|error| self.error(error))
    }

    async fn mark_waiting(
        &self,
        worker: &str,
        delivery: &str,
        waiting: bool,
    ) -> Result<(), QueueError> {
        let mut connection = self.commands.clone();
        let key = self.waiting_key(worker);
        let result = if waiting {
            connection.hset::<_, _, _, ()>(key, delivery, 1).await
        } else {
            connection.hdel::<_, _, ()>(key, delivery).await
        };
        result.map_err(|error| self.error(error))
    }

    async fn recover_orphans(
        &self,
        queues: &[String],
        liveness: Liveness,
        own: &OwnClaims,
    ) -> Result<Recovered, QueueError> {
        let mut connection = self.commands.clone();
        let stale_before = now_ms() - liveness.orphan_after.as_millis() as i64;
        let alive: HashSet<String> = connection
            .zrangebyscore::<_, _, _, Vec<String>>(self.workers_key(), stale_before, "+inf")
            .await
            .map_err(|error| self.error(error))?
            .into_iter()
            .collect();
        let mut recovered = Recovered::default();
        let mut dead_workers = HashSet::new();
        for queue in queues {
            self.ensure_group(queue).await?;
            let stream = self.stream(queue);
            let consumers: StreamInfoConsumersReply = connection
                .xinfo_consumers(&stream, GROUP)
                .await
                .map_err(|error| self.error(error))?;
            for consumer in consumers.consumers {
                // A consumer unknown to the heartbeats counts as dead only once it has
                // been idle as long as a silent worker would.
                let dead = !alive.contains(&consumer.name)
                    && (consumer.idle as u128) >= liveness.orphan_after.as_millis();
                if !dead {
                    if consumer.pending > 0 {
                        let held = (consumer.name == own.worker).then_some(&own.held);
                        recovered.requeued += self
                            .redeliver_unclaimed(&stream, queue, &consumer.name, liveness, held)
                            .await?;
                    }
                    continue;
                }
                dead_workers.insert(consumer.name.clone());
                if consumer.pending > 0 {
                    tracing::warn!(worker = %consumer.name, %queue, pending = consumer.pending, idle_ms = consumer.idle, "a worker silent for an orphan's time is taken for dead");
                }
                if consumer.pending > 0 {
                    let waiting: HashSet<String> = connection
                        .hkeys(self.waiting_key(&consumer.name))
                        .await
                        .map_err(|error| self.error(error))?;
                    let pending: StreamPendingCountReply = connection
                        .xpending_consumer_count(
                            &stream,
                            GROUP,
                            "-",
                            "+",
                            consumer.pending,
                            &consumer.name,
                        )
                        .await
                        .map_err(|error| self.error(error))?;
                    for entry in pending.ids {
                        let (code, id): (i64, Option<String>) = self
                            .recover
                            .arg(&self.prefix)
                            .arg(queue)
                            .arg(&entry.id)
                            .arg(now_ms())
                            .arg(liveness.crash_limit)
                            .arg(if waiting.contains(&entry.id) {
                                "1"
                            } else {
                                "0"
                            })
                            .arg(liveness.stranded_limit)
                            .invoke_async(&mut connection)
                            .await
                            .map_err(|error| self.error(error))?;
                        match (code, id) {
                            (1, _) => recovered.requeued += 1,
                            (2, Some(id)) => {
                                let job = self.show(&id).await?;
                                let error = job.last_error.clone().unwrap_or_default();
                                recovered.poisoned.push((
                                    Claimed {
                                        id: job.id,
                                        queue: job.queue,
                                        payload: job.payload,
                                        attempt: job.attempts,
                                        max_attempts: job.max_attempts,
                                        delivery: entry.id.clone(),
                                    },
                                    error,
                                ));
                            }
                            _ => {}
                        }
                    }
                }
                let left: StreamPendingCountReply = connection
                    .xpending_consumer_count(&stream, GROUP, "-", "+", 1, &consumer.name)
                    .await
                    .map_err(|error| self.error(error))?;
                if left.ids.is_empty() {
                    let _: Result<i64, RedisError> = connection
                        .xgroup_delconsumer(&stream, GROUP, &consumer.name)
                        .await;
                }
            }
        }
        for worker in dead_workers {
            let _: Result<i64, RedisError> = connection.del(self.waiting_key(&worker)).await;
        }
        let _: Result<i64, RedisError> = connection
            .zrembyscore(self.workers_key(), "-inf", stale_before)
            .await;
        Ok(recovered)
    }

    async fn deregister(&self, worker: &str, queues: &[String]) -> Result<(), QueueError> {
        let mut connection = self.commands.clone();
        for queue in queues {
            let stream = self.stream(queue);
            // Deleting a consumer orphans its pending entries for good: leave one that
            // still holds any to the recovery of dead workers.
            let pending: StreamPendingCountReply = connection
                .xpending_consumer_count(&stream, GROUP, "-", "+", 1, worker)
                .await
                .map_err(|error| self.error(error))?;
            if pending.ids.is_empty() {
                let _: Result<i64, RedisError> =
                    connection.xgroup_delconsumer(&stream, GROUP, worker).await;
            }
        }
        connection
            .zrem::<_, _, ()>(self.workers_key(), worker)
            .await
            .map_err(|error| self.error(error))
    }

    async fn counts(&self, queue: &str) -> Result<QueueCounts, QueueError> {
        match self.counts_once(queue).await {
            // The groups were lost with Redis's data and are made again now.
            Err(QueueError::Unavailable(message)) if message.contains("NOGROUP") => {
                self.counts_once(queue).await
            }
            other => other,
        }
    }

    async fn list(
        &self,
        queue: &str,
        state: JobState,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<JobInfo>, QueueError> {
        let mut connection = self.commands.clone();
        let ids: Vec<String> = match state {
            JobState::Scheduled | JobState::Failed | JobState::Done => connection
                .zrange(
                    self.set(queue, state),
                    offset as isize,
                    (offset + limit) as isize - 1,
                )
                .await
                .map_err(|error| self.error(error))?,
            JobState::Pending | JobState::Running => {
                // The stream holds both; read in order and keep the state asked for.
                let reply: redis::streams::StreamRangeReply = connection
                    .xrange_count(self.stream(queue), "-", "+", offset + limit * 4 + 100)
                    .await
                    .map_err(|error| self.error(error))?;
                reply
                    .ids
                    .iter()
                    .filter_map(|entry| entry.get::<String>("id"))
                    .collect()
            }
        };
        let mut infos = self.job_infos(&ids).await?;
        if matches!(state, JobState::Pending | JobState::Running) {
            infos.retain(|info| info.state == state);
            infos = infos.into_iter().skip(offset).take(limit).collect();
        }
        Ok(infos)
    }

    async fn show(&self, id: &str) -> Result<JobInfo, QueueError> {
        self.job_infos(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| QueueError::NotFound(id.to_string()))
    }

    async fn retry(&self, id: &str) -> Result<(), QueueError> {
        let mut connection = self.commands.clone();
        let result: i64 = self
            .retry
            .arg(&self.prefix)
            .arg(id)
            .arg(now_ms())
            .invoke_async(&mut connection)
            .await
            .map_err(|error| self.error(error))?;
        match result {
            1 => Ok(()),
            -1 => Err(QueueError::WrongState {
                id: id.to_string(),
                state: "failed, and a newer job holds its de-duplication key".into(),
                expected: "failed",
            }),
            _ => Err(self.show(id).await?.not_in("failed")),
        }
    }

    async fn retry_all_failed(
        &self,
        queue: &str,
        store_id: Option<i64>,
    ) -> Result<usize, QueueError> {
        // Only the jobs failed so far, listed before any is retried: one retried now that
        // fails again at once is not met a second time.
        let cutoff = now_ms();
        let set = self.set(queue, JobState::Failed);
        let mut connection = self.commands.clone();
        let mut failed = Vec::new();
        loop {
            let ids: Vec<String> = connection
                .zrangebyscore_limit(&set, "-inf", cutoff, failed.len() as isize, 500)
                .await
                .map_err(|error| self.error(error))?;
            if ids.is_empty() {
                break;
            }
            failed.extend(ids);
        }
        let mut retried = 0;
        for ids in failed.chunks(500) {
            for job in self.job_infos(ids).await? {
                if store_id.is_some() && job.store_id != store_id {
                    continue;
                }
                match self.retry(&job.id).await {
                    Ok(()) => retried += 1,
                    Err(QueueError::WrongState { .. }) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        Ok(retried)
    }

    async fn discard(&self, id: &str) -> Result<(), QueueError> {
        let mut connection = self.commands.clone();
        let result: i64 = self
            .discard
            .arg(&self.prefix)
            .arg(id)
            .invoke_async(&mut connection)
            .await
            .map_err(|error| self.error(error))?;
        if result == 1 {
            Ok(())
        } else {
            Err(self.show(id).await?.not_in("not running"))
        }
    }

    async fn purge_done(&self, queue: &str, before: DateTime<Utc>) -> Result<usize, QueueError> {
        let mut connection = self.commands.clone();
        let set = self.set(queue, JobState::Done);
        let mut purged = 0;
        loop {
            let ids: Vec<String> = connection
                .zrangebyscore_limit(&set, "-inf", before.timestamp_millis(), 0, 1000)
                .await
                .map_err(|error| self.error(error))?;
            if ids.is_empty() {
                break;
            }
            let mut pipe = redis::pipe();
            for id in &ids {
                pipe.del(self.job_key(id)).ignore();
                pipe.del(format!("{}:history", self.job_key(id))).ignore();
                pipe.zrem(&set, id).ignore();
            }
            self.run_pipeline::<()>(&pipe).await?;
            purged += ids.len();
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn connections_send_each_command_at_once() {
        let client = super::client("redis://127.0.0.1:6379/0").expect("a valid URL");
        assert!(client.get_connection_info().tcp_settings().nodelay());
    }
}
