//! `FetchChildren`: the records listed under parents (a variable product's variations, an
//! order's refunds or notes, an attribute's terms, a shipping zone's locations and
//! methods), each parent's fetched whole, so what the store no longer lists is marked
//! deleted. One job takes the parents of a page, up to [`PARENTS_PER_JOB`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::pipeline::context::Context;
use crate::pipeline::failure::stopping_status;
use crate::queue::job::{Job, JobError};
use crate::queue::storage::NewJob;
use crate::queue::waiting::waiting;
use crate::sync::group_commit::{GroupWrite, WriteFuture};
use crate::sync::outbox::Outbox;
use crate::sync::run_children;
use crate::sync::runs;
use crate::sync::tombstone::{Identities, Missing};
use crate::sync::{Applied, Origin, PreparedRecords, WriteTxn};
use crate::woo::client::{ListQuery, MAX_PER_PAGE, WooClient};
use crate::woo::listed::RawRecord;
use crate::woo::{Resource, WooError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchChildren {
    pub store_id: i64,
    /// The child resource.
    pub resource: Resource,
    /// The parents whose children are fetched: at most [`PARENTS_PER_JOB`].
    pub parent_ids: Vec<i64>,
    /// The run that listed the parents, which is done only once their children are
    /// written; none for parents a webhook brought.
    #[serde(default)]
    pub run_id: Option<i64>,
}

impl Job for FetchChildren {
    const NAME: &'static str = "fetch_children";
    /// Last: the store answers children in a fraction of a page's time, so a backfill
    /// ends with them rather than with a sweep of orders that waited behind them.
    const PRIORITY: i16 = 10;
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, resource = %self.resource, parents = ?self.parent_ids)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let Some(active) = context.active_store(self.store_id).await? else {
            return Ok(());
        };
        let _in_memory = waiting(CHILDREN_IN_MEMORY.acquire())
            .await
            .map_err(|_| JobError::retry("the worker is shutting down"))?;
        let listed_at = Utc::now();
        let halted = AtomicBool::new(false);
        let (job, client, halted) = (&self, &active.client, &halted);
        let listings: Vec<(i64, Listing)> =
            waiting(
                stream::iter(self.parent_ids.clone())
                    .map(|parent_id| async move {
                        (parent_id, job.list(client, parent_id, halted).await)
                    })
                    .buffered(PARENTS_AT_ONCE)
                    .collect(),
            )
            .await;

        let Tally {
            listed,
            later,
            failed,
            wait,
            stop,
        } = Tally::of(listings);
        if let Some(error) = stop {
            self.write(&context, listed, listed_at).await?;
            return Err(context.woo_failure(self.store_id, error).await);
        }
        if listed.is_empty() {
            // Nothing to keep: the job runs again whole, through the queue's backoff after
            // a failure, or once the store's budget allows.
            return match failed.into_iter().next() {
                Some((_, error)) => Err(context.woo_failure(self.store_id, error).await),
                None if later.is_empty() => Ok(()),
                None => Err(JobError::Postpone { after: wait }),
            };
        }
        self.write(&context, listed, listed_at).await?;
        // What was written stays written: the parents not listed go on in jobs of their
        // own, those held back together, each failed one alone, so that its retries and its
        // place in the failed set are its own.
        let retry_at = Utc::now() + wait;
        let mut rest = FetchChildren::jobs(self.store_id, self.resource, self.run_id, &later);
        for (parent_id, error) in failed {
            tracing::warn!(store = self.store_id, resource = %self.resource, parent = parent_id, %error, "children not listed: retried in a job of their own");
            rest.extend(FetchChildren::jobs(
                self.store_id,
                self.resource,
                self.run_id,
                &[parent_id],
            ));
        }
        context
            .enqueue_jobs(rest.into_iter().map(|job| job.at(retry_at)).collect())
            .await
    }

    /// Out of attempts: the run that wants these children fails until the job is retried.
    async fn failed(self, context: Context, error: String) {
        if let Some(run_id) = self.run_id {
            let _ = runs::record_error(&context.db, run_id, &error, true).await;
        }
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }

    fn dedupe_key(&self) -> Option<String> {
        let parents: Vec<String> = self.parent_ids.iter().map(i64::to_string).collect();
        Some(format!(
            "children:{}:{}:{}",
            self.store_id,
            self.resource,
            parents.join(",")
        ))
    }
}

/// Parents whose children one job fetches. A job's fixed costs (its claim, the store's
/// lookup, the read of what is kept, its transaction entry) were 0.4 ms of CPU, more than
/// its three variations cost; the variable products of a page share them. Few enough that
/// the children of products with hundreds of variations still fit in memory, and that a
/// job at a real store's pace ends in seconds.
pub const PARENTS_PER_JOB: usize = 25;

/// Requests a job has in flight at once, all under its store's shared rate limit.
const PARENTS_AT_ONCE: usize = 4;

/// Children jobs of a worker process holding what they listed at once. A slot's worth of
/// them (96) raised the 100,000 run's peak by up to 30 MB; 4, the pages' room, starved a
/// rate-limited store of requests (each job gives its slot back when the budget runs
/// short, and too few were left asking). 16 jobs keep 64 requests asking.
static CHILDREN_IN_MEMORY: Semaphore = Semaphore::const_new(16);

impl FetchChildren {
    /// The jobs that fetch the `resource` children of these parents.
    pub fn jobs(
        store_id: i64,
        resource: Resource,
        run_id: Option<i64>,
        parent_ids: &[i64],
    ) -> Vec<NewJob> {
        parent_ids
            .chunks(PARENTS_PER_JOB)
            .map(|parent_ids| {
                NewJob::of(&FetchChildren {
                    store_id,
                    resource,
                    parent_ids: parent_ids.to_vec(),
                    run_id,
                })
            })
            .collect()
    }

    /// Writes the children listed, and marks deleted what their parents no longer list.
    async fn write(
        &self,
        context: &Context,
        listed: Vec<(i64, Vec<RawRecord>)>,
        listed_at: DateTime<Utc>,
    ) -> Result<(), JobError> {
        if listed.is_empty() {
            return Ok(());
        }
        // A quiet run's children are as quiet as it is.
        let emits_events = match self.run_id {
            Some(run_id) => runs::find_run(&context.db, run_id)
                .await?
                .is_none_or(|run| run.emits_events),
            None => true,
        };
        let upstream: Vec<(i64, Identities)> = listed
            .iter()
            .map(|(parent_id, children)| (*parent_id, Identities::of(self.resource, children)))
            .collect();
        let missing = Missing::find_under_parents(
            &context.db,
            self.store_id,
            self.resource,
            &upstream,
            listed_at,
        )
        .await?;
        let counts: Vec<(i64, usize)> = listed
            .iter()
            .map(|(parent_id, children)| (*parent_id, children.len()))
            .collect();
        let prepared = PreparedRecords::under_parents(
            context.db.get_database_backend(),
            Origin {
                store_id: self.store_id,
                resource: self.resource,
                parent_id: 0,
                run_id: None,
                emits_events,
                revives: true,
            },
            listed,
        );
        context
            .writer
            .write(ChildrenWrite {
                missing,
                prepared,
                done: self.run_id.map(|run_id| ChildrenDone {
                    run_id,
                    resource: self.resource,
                    listed: counts,
                }),
            })
            .await?
            .count_committed(self.resource);
        if let Some(run_id) = self.run_id {
            runs::finish_if_complete(&context.db, run_id).await?;
        }
        Ok(())
    }

    /// One parent's children, or why they were not listed.
    async fn list(&self, client: &WooClient, parent_id: i64, halted: &AtomicBool) -> Listing {
        if halted.load(Ordering::Relaxed) {
            return Listing::NotAsked;
        }
        let query = ListQuery {
            per_page: Some(MAX_PER_PAGE),
            ..ListQuery::default()
        };
        match client
            .list_all(&self.resource.collection_path(parent_id), &query)
            .await
        {
            Ok(children) => Listing::Children(children),
            // The parent is gone: so are its children.
            Err(WooError::NotFound { .. }) => Listing::Children(Vec::new()),
            Err(error) => {
                // Nothing more is asked of a store that says to slow down, whose budget is
                // spent, or that cannot be used.
                if matches!(
                    error,
                    WooError::RateLimited { .. } | WooError::BudgetSpent { .. }
                ) || stopping_status(&error).is_some()
                {
                    halted.store(true, Ordering::Relaxed);
                }
                Listing::Failed(error)
            }
        }
    }
}

/// What became of one parent's listing.
enum Listing {
    Children(Vec<RawRecord>),
    /// Not asked: the store's budget was spent, or the store stopped, first.
    NotAsked,
    Failed(WooError),
}

/// A job's listings, sorted by what becomes of them.
struct Tally {
    listed: Vec<(i64, Vec<RawRecord>)>,
    /// Parents not asked, or held back by the store's budget: asked again after `wait`.
    later: Vec<i64>,
    failed: Vec<(i64, WooError)>,
    /// The longest the store's budget or its `Retry-After` asked to wait.
    wait: Duration,
    /// A failure that stops the store.
    stop: Option<WooError>,
}

impl Tally {
    fn of(listings: Vec<(i64, Listing)>) -> Tally {
        let mut tally = Tally {
            listed: Vec::new(),
            later: Vec::new(),
            failed: Vec::new(),
            wait: Duration::ZERO,
            stop: None,
        };
        for (parent_id, listing) in listings {
            match listing {
                Listing::Children(children) => tally.listed.push((parent_id, children)),
                Listing::NotAsked => tally.later.push(parent_id),
                Listing::Failed(WooError::BudgetSpent { wait }) => {
                    tally.wait = tally.wait.max(wait);
                    tally.later.push(parent_id);
                }
                Listing::Failed(error) if stopping_status(&error).is_some() => {
                    tally.stop.get_or_insert(error);
                }
                Listing::Failed(error) => {
                    if let WooError::RateLimited {
                        retry_after: Some(after),
                    } = error
                    {
                        tally.wait = tally.wait.max(after);
                    }
                    tally.failed.push((parent_id, error));
                }
            }
        }
        tally
    }
}

/// Parents' children as listed: written, and those a parent no longer lists marked
/// deleted.
struct ChildrenWrite {
    missing: Vec<Missing>,
    prepared: PreparedRecords,
    done: Option<ChildrenDone>,
}

/// The run that wants these children, and how many each parent listed.
struct ChildrenDone {
    run_id: i64,
    resource: Resource,
    listed: Vec<(i64, usize)>,
}

impl GroupWrite for ChildrenWrite {
    type Output = Applied;

    fn write<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, Applied> {
        Box::pin(async move {
            let now = Utc::now();
            let announce = self.prepared.announces().then_some(outbox);
            for missing in &self.missing {
                missing.mark(txn, now, announce).await?;
            }
            if let Some(done) = &self.done {
                run_children::mark_done(txn, done.run_id, done.resource, &done.listed, now).await?;
            }
            self.prepared.write(txn, outbox).await
        })
    }
}
