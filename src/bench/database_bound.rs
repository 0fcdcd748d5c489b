//! The database's own pace, the bound of an ingest: a backfill's records upserted by
//! woosync's writers as the pipeline writes them (a page, or a children job's parents, a
//! write), all at once, with no store, queue or worker running, into a fresh database on
//! the same server. Measured beside the ingest in the same run, it tells how much of a
//! figure is the database's on this machine and how much is woosync's.

use std::time::Instant;

use futures_util::future::try_join_all;

use crate::bench::compare::difference_in;
use crate::bench::deployment::Deployment;
use crate::config::Config;
use crate::jobs::fetch_children::PARENTS_PER_JOB;
use crate::sync::{Origin, PreparedRecords, RecordsWrite};
use crate::woo::Resource;
use crate::woo::client::MAX_PER_PAGE;
use crate::woo::listed::RawRecord;
use sim::server::SimInfo;
use sim::store::{SimStore, read};

/// Records a second the database takes the records of `resources` (top-level ones) and of
/// their children at.
pub(super) async fn database_records_per_s(
    config: &Config,
    info: &SimInfo,
    sim: &SimStore,
    resources: &[Resource],
) -> anyhow::Result<f64> {
    let deployment = Deployment::start(config, "bound", None, &[]).await?;
    let store = deployment.connect(info, 1.0).await?;
    let backend = deployment.services.db.get_database_backend();
    // Parsing and building the statements is the worker's part, done before the clock.
    let mut writes = Vec::new();
    for (resource, listings) in listings(sim, resources)? {
        let origin = Origin {
            store_id: store,
            resource,
            parent_id: 0,
            run_id: None,
            emits_events: false,
            revives: true,
        };
        writes.push(RecordsWrite(PreparedRecords::under_parents(
            backend, origin, listings,
        )));
    }
    let writer = &deployment.services.context.writer;
    let started = Instant::now();
    let applied = try_join_all(writes.into_iter().map(|write| writer.write(write))).await?;
    let elapsed = started.elapsed();
    let written: u64 = applied.iter().map(|applied| applied.written).sum();
    if let Some(difference) = difference_in(&deployment.services.db, store, sim, resources).await? {
        anyhow::bail!("the database's own pace left a copy unlike the store: {difference}");
    }
    deployment.finish().await?;
    Ok(written as f64 / elapsed.as_secs_f64())
}

/// One write of the pipeline: a page of a top-level resource (under parent 0), or the
/// listings under a children job's parents.
type PipelineWrite = (Resource, Vec<(i64, Vec<RawRecord>)>);

/// The records of `resources` and of their children, in the writes the pipeline makes.
fn listings(sim: &SimStore, resources: &[Resource]) -> anyhow::Result<Vec<PipelineWrite>> {
    let data = read(&sim.data);
    let mut writes = Vec::new();
    for resource in Resource::ALL {
        if !resources.contains(&resource.parent().unwrap_or(resource)) {
            continue;
        }
        let mut under_parents = Vec::new();
        for (parent, texts) in data.served_under_parents(resource) {
            let records = texts
                .iter()
                .map(|text| serde_json::from_str::<RawRecord>(text))
                .collect::<Result<Vec<_>, _>>()?;
            under_parents.push((parent, records));
        }
        under_parents.sort_unstable_by_key(|(parent, _)| *parent);
        if resource.parent().is_some() {
            writes.extend(groups(under_parents, PARENTS_PER_JOB).map(|job| (resource, job)));
            continue;
        }
        for (parent, records) in under_parents {
            let pages = groups(records, MAX_PER_PAGE as usize);
            writes.extend(pages.map(|page| (resource, vec![(parent, page)])));
        }
    }
    Ok(writes)
}

/// `items` in groups of `size` at most, in order.
fn groups<T>(items: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let mut items = items.into_iter().peekable();
    std::iter::from_fn(move || {
        items.peek()?;
        Some(items.by_ref().take(size).collect())
    })
}
