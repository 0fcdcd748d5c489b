//! Benchmarks (`woosync bench ...`): figures, not pass/fail tests. Each prints what it
//! measured and, with `--json`, one JSON object last for scripts.

pub mod compare;
pub mod database_bound;
pub mod deployment;
pub mod events;
pub mod queue;
pub mod scale;
pub mod scratch;
pub mod sync;
pub mod torture;
pub mod webhooks;
pub mod writes;
