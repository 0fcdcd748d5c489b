//! How a store is kept: starting a run of a resource and moving it on (its pages, its
//! sweep, the children its records ask for), resuming a run whose jobs were lost, and how
//! a failure ends a job. The jobs (`jobs/`) each do one step; what follows a step is
//! decided here and said as a [`Step`].

pub mod children;
pub mod context;
pub mod failpoint;
pub mod failure;
pub mod paging;
pub mod quarantine;
pub mod resume;
pub mod start;
pub mod step;

pub use context::{ActiveStore, Context, SyncContext, SyncSettings};
pub use start::{StartError, StartedRun, SyncMode, UnknownMode, resources_named, start_sync};
pub use step::Step;
