//! Logs: text, or JSON lines when `LOG_FORMAT=json`; colours only on a terminal and
//! without `NO_COLOR`; the level from `RUST_LOG`, else `info` for the processes and `warn`
//! for the commands a person runs, whose own output says what happens.
//! Metrics: recorded through the `metrics` facade, rendered for Prometheus at `/metrics`.

use std::io::IsTerminal;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init_logging(format: LogFormat, level: &str) {
    // SeaORM's migrator says two lines per migration; `database::migrate` says one in all.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},sea_orm_migration=warn")));
    let colours = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// The process's metrics recorder, installed the first time it is asked for (a process
/// has one recorder, however many servers it runs, as tests do).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Seconds, from a fast database write to a slow store's page.
            let buckets = [
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
            ];
            let recorder = PrometheusBuilder::new()
                .set_buckets(&buckets)
                .expect("buckets are given")
                .build_recorder();
            let handle = recorder.handle();
            // Histograms are drained into their buckets by upkeep; without a scrape they
            // would otherwise keep every sample.
            let upkeep = handle.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed: /metrics shows none");
            }
            handle
        })
        .clone()
}
