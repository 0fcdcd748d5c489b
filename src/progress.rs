//! Live progress of sync runs for the person who started them (`demo`, `sync --follow`):
//! on a terminal a line per resource, its children beside it, redrawn in place with
//! indicatif, and a total line; elsewhere (a file, a pipe) a plain line every few seconds.
//! Then a summary of the records held per resource, children included.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use entity::{stores, sync_runs};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::api::sync_runs::{SyncRunView, views};
use crate::jobs;
use crate::services::Services;
use crate::stores::StoreStatus;
use crate::sync::runs::RunStatus;
use crate::sync::stored::live_record_counts;
use crate::woo::Resource;

/// How often the lines are drawn again.
const REDRAW: Duration = Duration::from_millis(500);
/// How often a plain line is written when the output is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// How the runs ended.
#[derive(Debug)]
pub enum Ended {
    Succeeded,
    /// Runs that failed with nothing left to retry them (or their store stopped), and why.
    Failed(Vec<(String, String)>),
}

/// Follows the runs until every one has succeeded and no job is left, or one has failed
/// for good.
pub async fn follow(services: &Services, run_ids: &[i64]) -> anyhow::Result<Ended> {
    let started = Instant::now();
    let terminal = std::io::stdout().is_terminal();
    let lines = Lines::new(terminal);
    let mut last_plain = Instant::now();
    loop {
        let runs = sync_runs::Entity::find()
            .filter(sync_runs::Column::Id.is_in(run_ids.iter().copied()))
            .all(&services.db)
            .await?;
        let stopped = stopped_stores(services, &runs).await?;
        let seen = views(&services.db, runs)
            .await
            .map_err(|error| anyhow::anyhow!(error.message))?;
        let mut jobs_left = 0;
        for queue in jobs::queues() {
            let counts = services.queue.counts(queue).await?;
            jobs_left += counts.pending + counts.scheduled + counts.running;
        }
        lines.draw(&seen, jobs_left, started.elapsed());
        if !terminal && last_plain.elapsed() >= PLAIN_EVERY {
            println!("{}", plain_line(&seen, jobs_left, started.elapsed()));
            last_plain = Instant::now();
        }
        let failed: Vec<(String, String)> = seen
            .iter()
            .filter(|run| run.status == RunStatus::Failed.to_string())
            .filter(|run| jobs_left == 0 || stopped.contains(&run.store_id))
            .map(|run| {
                let why = run
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "no error recorded".into());
                (run.resource.clone(), why)
            })
            .collect();
        let succeeded = seen
            .iter()
            .all(|run| run.status == RunStatus::Succeeded.to_string());
        if (succeeded && jobs_left == 0) || !failed.is_empty() {
            lines.finish();
            return Ok(if failed.is_empty() {
                Ended::Succeeded
            } else {
                Ended::Failed(failed)
            });
        }
        tokio::time::sleep(REDRAW).await;
    }
}

/// `records held: products 150, product_variations 112, ...`: every resource of the store
/// with records, children included.
pub async fn records_held(services: &Services, store_id: i64) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    let mut total = 0;
    for resource in Resource::ALL {
        let count = live_record_counts(&services.db, resource, Some(store_id))
            .await?
            .get(&store_id)
            .copied()
            .unwrap_or(0);
        if count > 0 {
            parts.push(format!("{resource} {count}"));
            total += count;
        }
    }
    Ok(format!(
        "records held: {} ({total} in all)",
        parts.join(", ")
    ))
}

/// Stores among the runs' that no job will sync until someone acts (bad keys, paused).
async fn stopped_stores(
    services: &Services,
    runs: &[sync_runs::Model],
) -> anyhow::Result<Vec<i64>> {
    let ids: Vec<i64> = runs.iter().map(|run| run.store_id).collect();
    Ok(stores::Entity::find()
        .filter(stores::Column::Id.is_in(ids))
        .filter(stores::Column::Status.ne(StoreStatus::Active))
        .all(&services.db)
        .await?
        .into_iter()
        .map(|store| store.id)
        .collect())
}

/// The lines on a terminal: one per run, and a total.
struct Lines {
    multi: MultiProgress,
    total: ProgressBar,
    runs: std::sync::Mutex<BTreeMap<i64, ProgressBar>>,
}

impl Lines {
    fn new(terminal: bool) -> Lines {
        let target = if terminal {
            ProgressDrawTarget::stdout()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let total = multi.add(ProgressBar::no_length());
        total.set_style(
            ProgressStyle::with_template("{msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Lines {
            multi,
            total,
            runs: std::sync::Mutex::new(BTreeMap::new()),
        }
    }

    fn draw(&self, runs: &[SyncRunView], jobs_left: u64, elapsed: Duration) {
        let mut bars = self.runs.lock().unwrap_or_else(|error| error.into_inner());
        for run in runs {
            let bar = bars.entry(run.id).or_insert_with(|| {
                let bar = self.multi.insert_before(&self.total, ProgressBar::new(1));
                bar.set_style(
                    ProgressStyle::with_template("{prefix:<24} [{bar:20}] {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("#>."),
                );
                bar.set_prefix(run.resource.clone());
                bar
            });
            let total = run.pages_total.unwrap_or(0).max(run.pages_done).max(1);
            bar.set_length(total as u64);
            bar.set_position(run.pages_done as u64);
            bar.set_message(run_line(run));
        }
        self.total.set_message(total_line(runs, jobs_left, elapsed));
    }

    fn finish(&self) {
        let bars = self.runs.lock().unwrap_or_else(|error| error.into_inner());
        for bar in bars.values() {
            bar.finish();
        }
        self.total.finish();
    }
}

/// Pages and records of one run, its children, rate and time left.
fn run_line(run: &SyncRunView) -> String {
    let pages = match run.pages_total {
        Some(total) => format!("{}/{total} pages", run.pages_done),
        None => format!("{} pages", run.pages_done),
    };
    let mut line = format!("{pages}, {} records", run.records);
    if run.children.parents > 0 || run.children.records > 0 {
        line.push_str(&format!(
            " + {} {} ({}/{} parents)",
            run.children.records,
            child_names(&run.resource),
            run.children.parents_done,
            run.children.parents
        ));
    }
    if let Some(rate) = run.records_per_s.filter(|_| run.finished_at.is_none()) {
        line.push_str(&format!(", {rate:.0}/s"));
    }
    if let Some(eta) = run.eta_s {
        line.push_str(&format!(", {eta:.0} s left"));
    }
    line.push_str(&format!("  {}", run.status));
    line
}

fn total_line(runs: &[SyncRunView], jobs_left: u64, elapsed: Duration) -> String {
    let records: i64 = runs
        .iter()
        .map(|run| run.records + run.children.records)
        .sum();
    let done = runs
        .iter()
        .filter(|run| run.status == RunStatus::Succeeded.to_string())
        .count();
    format!(
        "{:<24} {done}/{} runs done, {records} records, {jobs_left} jobs queued, {:.0} s",
        "total",
        runs.len(),
        elapsed.as_secs_f64()
    )
}

/// One line for a log file: the runs not done yet, briefly, and the total.
fn plain_line(runs: &[SyncRunView], jobs_left: u64, elapsed: Duration) -> String {
    let mut ordered: Vec<&SyncRunView> = runs.iter().collect();
    ordered.sort_by(|a, b| a.resource.cmp(&b.resource));
    let parts: Vec<String> = ordered
        .iter()
        .filter(|run| run.status != RunStatus::Succeeded.to_string())
        .map(|run| {
            let children = if run.children.records > 0 {
                format!(" + {} {}", run.children.records, child_names(&run.resource))
            } else {
                String::new()
            };
            format!(
                "{} {}{children} ({})",
                run.resource, run.records, run.status
            )
        })
        .collect();
    format!(
        "{:.0} s: {}; {}",
        elapsed.as_secs_f64(),
        parts.join(", "),
        total_line(runs, jobs_left, elapsed)
            .trim_start_matches("total")
            .trim()
    )
}

/// The children a resource's runs fetch: `product_variations`, `order_refunds and
/// order_notes`.
fn child_names(resource: &str) -> String {
    let children: Vec<&str> = Resource::ALL
        .into_iter()
        .filter(|child| {
            child
                .parent()
                .is_some_and(|parent| parent.name() == resource)
        })
        .map(Resource::name)
        .collect();
    match children.as_slice() {
        [] => "children".into(),
        [one] => (*one).into(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}
