//! What a run does next, said without naming the job that does it: the pipeline decides
//! the steps, and `jobs::jobs_for` turns each into the job of its type (the context holds
//! that function, so the pipeline does not depend on the jobs that depend on it).

use crate::sync::runs::RunKind;
use crate::woo::Resource;

/// A step of a sync run, or of keeping a store.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// One page of a run's listing.
    Page {
        store_id: i64,
        resource: Resource,
        run_id: i64,
        kind: RunKind,
        page: u32,
    },
    /// A run's ID sweep: what ends a backfill, or what a sweep run is.
    Sweep {
        store_id: i64,
        resource: Resource,
        run_id: i64,
    },
    /// The `resource` children of these parents, for a run or (without one) for records a
    /// webhook brought.
    Children {
        store_id: i64,
        resource: Resource,
        run_id: Option<i64>,
        parent_ids: Vec<i64>,
    },
}
