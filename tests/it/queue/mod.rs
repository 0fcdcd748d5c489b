//! The queue on Redis (and the embedded one): backlogs, crashes, duplicates, retries and
//! the operations on failed jobs.

mod jobs;
mod redis_queue;
