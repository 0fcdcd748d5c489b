//! The queue on Redis and the embedded one: backlogs, crashes, duplicates, retries and the
//! operations on failed jobs.

mod backing;
mod behaviour;
mod jobs;
