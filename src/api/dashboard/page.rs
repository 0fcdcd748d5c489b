//! The dashboard's markup.

use axum::Extension;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use super::session::{CSRF_FIELD, Csrf};
use super::summary::{COUNTED, StoreRow, Summary, summary};
use crate::api::error::ApiError;
use crate::api::state::ApiState;
use crate::stores::StoreStatus;
use crate::woo::Resource;

const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
header{background:#1d2327;color:#fff;padding:10px 24px;display:flex;justify-content:space-between;align-items:center}
header h1{font-size:18px;margin:0} header form{margin:0}
main{padding:8px 24px 40px} main.narrow{max-width:420px;margin:60px auto;background:#fff;padding:24px;border-radius:6px}
section{background:#fff;border-radius:6px;padding:12px 16px;margin:16px 0;box-shadow:0 1px 2px #0001}
h2{font-size:16px;margin:4px 0 10px} table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eee;vertical-align:top} th{font-weight:600;color:#50575e}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:9px;font-size:12px;background:#ddd}
.active,.succeeded{background:#d1f0d9;color:#0a5c2b} .running,.queued{background:#dbe9ff;color:#174ea6}
.failed,.auth_failed,.rest_disabled{background:#fbd5d5;color:#8a1414} .paused{background:#fdf0c4;color:#6b5300}
.error{color:#8a1414;max-width:420px;word-break:break-word} .muted{color:#787c82}
.notice{background:#dbe9ff;padding:8px 12px;border-radius:6px} .problem{color:#8a1414}
form.inline{display:inline} button{cursor:pointer;padding:3px 10px;border:1px solid #8c8f94;border-radius:4px;background:#fff}
button.primary{background:#2271b1;border-color:#2271b1;color:#fff} progress{width:140px}
input[type=password]{width:100%;padding:8px;margin:8px 0;box-sizing:border-box}
";

/// Refreshes the live part every two seconds; forms still work without it.
const SCRIPT: &str = "
setInterval(async () => {
  try {
    const answer = await fetch('/dashboard/live', {credentials: 'same-origin'});
    if (answer.status === 401) location.href = '/dashboard/sign-in';
    else if (answer.ok) document.getElementById('live').innerHTML = await answer.text();
  } catch (_) {}
}, 2000);
";

/// What the pages may load: their own inline style and script (by hash), requests to
/// this service, forms posted here; nothing else, and no framing.
pub fn content_security_policy() -> String {
    let hash = |text: &str| {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    };
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        hash(STYLE),
        hash(SCRIPT)
    )
}

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · woosync" }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

pub async fn dashboard(
    State(state): State<ApiState>,
    Extension(csrf): Extension<Csrf>,
    Query(notice): Query<Notice>,
) -> Result<Markup, ApiError> {
    let summary = summary(&state).await?;
    Ok(layout(
        "Dashboard",
        html! {
            header {
                h1 { "woosync" }
                form.inline method="post" action="/dashboard/sign-out" { (token(&csrf)) button type="submit" { "Sign out" } }
            }
            main {
                @if let Some(notice) = notice.notice {
                    p.notice #notice { (notice) }
                }
                (super::connect::section(&csrf))
                div #live { (live_sections(&summary, &csrf, Utc::now())) }
            }
            script { (PreEscaped(SCRIPT)) }
        },
    ))
}

/// The part of the page that changes: fetched again by the page's script.
pub async fn live(
    State(state): State<ApiState>,
    Extension(csrf): Extension<Csrf>,
) -> Result<Markup, ApiError> {
    Ok(live_sections(&summary(&state).await?, &csrf, Utc::now()))
}

/// The hidden field every form that changes something carries.
pub(super) fn token(csrf: &Csrf) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(csrf.0); }
}

fn live_sections(summary: &Summary, csrf: &Csrf, now: DateTime<Utc>) -> Markup {
    html! {
        (stores(&summary.stores, csrf, now))
        (runs(summary))
        (queues(summary))
        (failed(summary, csrf, now))
        (super::writes::section(&summary.writes, csrf, now))
        (quarantined(summary, csrf, now))
        (super::event_endpoints::section(&summary.endpoints, now))
    }
}

fn quarantined(summary: &Summary, csrf: &Csrf, now: DateTime<Utc>) -> Markup {
    html! {
        section #quarantined {
            h2 {
                "Quarantined records (" (summary.quarantined_total) ")"
                @if summary.quarantined_total > summary.quarantined.len() as u64 { " — the newest " (summary.quarantined.len()) " shown" }
            }
            @if summary.quarantined.is_empty() {
                p.muted { "Every record the stores sent could be read and kept." }
            } @else {
                table {
                    tr {
                        th { "Store" } th { "Resource" } th { "Id" } th { "Set aside" } th { "Why" } th { "As sent" } th { "" }
                    }
                    @for entry in &summary.quarantined {
                        tr.quarantined data-id=(entry.id) {
                            td { (entry.store_id) }
                            td { (entry.resource) }
                            td { (entry.woo_id.as_deref().unwrap_or("?")) }
                            td { (ago(entry.created_at, now)) }
                            td.error { (entry.reason) }
                            td { code.raw { (entry.raw.chars().take(160).collect::<String>()) @if entry.raw.chars().count() > 160 { "…" } } }
                            td {
                                form.inline method="post" action={ "/dashboard/quarantine/" (entry.id) "/retry" } {
                                    (token(csrf))
                                    button.retry-record type="submit" { "Fetch again" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn stores(rows: &[StoreRow], csrf: &Csrf, now: DateTime<Utc>) -> Markup {
    html! {
        section #stores {
            h2 { "Stores" }
            @if rows.is_empty() {
                p.muted { "No store is connected: POST /api/integrations/woocommerce/connect." }
            } @else {
                table {
                    tr {
                        th { "Store" } th { "Status" } th { "WooCommerce" }
                        @for resource in COUNTED { th.num { (resource.name().replace('_', " ")) } }
                        th { "Last sync" } th { "Webhooks" } th { "Actions" }
                    }
                    @for row in rows {
                        @let store = &row.store;
                        tr.store data-id=(store.id) {
                            td { strong { (store.name) } br; span.muted { (store.url) } }
                            td.store-status {
                                span class={ "badge " (store.status) } { (store.status) }
                                @if let Some(reason) = &store.status_reason { div.error { (reason) } }
                            }
                            td {
                                @match &store.wc_version {
                                    Some(version) => (version),
                                    None => span.muted title="woosync reads it when it tests the store: a store not tested yet, or whose key may not read the system status" { "unknown (not tested yet, or the key may not read the system status)" },
                                }
                            }
                            @for count in &row.records { td.num { (count) } }
                            td {
                                @match row.last_synced_at {
                                    Some(at) => { (ago(at, now)) }
                                    None => { span.muted { "never" } }
                                }
                            }
                            td {
                                @if row.webhooks == 0 { span.muted { "none" } }
                                @else {
                                    (row.webhooks) " registered"
                                    @if row.webhooks_disabled > 0 { br; span.error { (row.webhooks_disabled) " disabled" } }
                                }
                            }
                            td {
                                form.inline method="post" action={ "/dashboard/stores/" (store.id) "/sync" } {
                                    (token(csrf))
                                    select name="resource" {
                                        option value="all" { "everything" }
                                        @for resource in Resource::TOP_LEVEL {
                                            option value=(resource.name()) { (resource.name().replace('_', " ")) }
                                        }
                                    }
                                    " "
                                    button.sync type="submit" { "Sync" }
                                }
                                " "
                                @if store.status == StoreStatus::Paused {
                                    form.inline method="post" action={ "/dashboard/stores/" (store.id) "/resume" } {
                                        (token(csrf))
                                        button.resume type="submit" { "Resume" }
                                    }
                                } @else {
                                    form.inline method="post" action={ "/dashboard/stores/" (store.id) "/pause" } {
                                        (token(csrf))
                                        button.pause type="submit" { "Pause" }
                                    }
                                }
                                " "
                                form.inline method="post" action="/dashboard/jobs/retry-failed" {
                                    (token(csrf))
                                    input type="hidden" name="store_id" value=(store.id);
                                    button.retry-store type="submit" { "Retry failed" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn runs(summary: &Summary) -> Markup {
    html! {
        section #runs {
            h2 { "Sync runs" }
            @if summary.runs.is_empty() {
                p.muted { "No sync has run yet." }
            } @else {
                table {
                    tr {
                        th { "Run" } th { "Store" } th { "Resource" } th { "Kind" } th { "Status" }
                        th { "Progress" } th.num { "Records" } th.num { "Rate" } th.num { "ETA" } th { "Last error" }
                    }
                    @for run in &summary.runs {
                        tr.run data-id=(run.id) data-status=(run.status) data-resource=(run.resource) {
                            td { (run.id) }
                            td { (run.store_id) }
                            td { (run.resource) }
                            td { (run.kind) }
                            td { span class={ "badge " (run.status) } { (run.status) } }
                            td {
                                @let total = run.pages_total.unwrap_or(0).max(run.pages_done);
                                progress value=(run.pages_done) max=(total.max(1)) {}
                                " " (run.pages_done) "/" @if let Some(total) = run.pages_total { (total) } @else { "?" }
                                @if run.children.parents > 0 {
                                    br;
                                    span.muted { "children " (run.children.parents_done) "/" (run.children.parents) }
                                }
                            }
                            td.num { (run.records + run.children.records) }
                            td.num { @if let Some(rate) = run.records_per_s { (format!("{rate:.0}/s")) } }
                            td.num { @if let Some(eta) = run.eta_s { (format!("{eta:.0} s")) } }
                            // A run that ended well shows its earlier errors as history, not
                            // as its state.
                            @match (&run.last_error, run.status.as_str()) {
                                (Some(error), "succeeded") => td.muted.history {
                                    (run.errors) " earlier error" @if run.errors != 1 { "s" } ", last: " (error)
                                },
                                (Some(error), _) => td.error { (error) },
                                (None, _) => td {},
                            }
                        }
                    }
                }
            }
        }
    }
}

fn queues(summary: &Summary) -> Markup {
    html! {
        section #queues {
            h2 { "Queues" }
            table {
                tr {
                    th { "Job" } th.num { "Pending" } th.num { "Scheduled (backoff)" } th.num { "Running" }
                    th.num { "Failed" } th.num { "Done" }
                }
                @for queue in &summary.queues {
                    tr {
                        td { (queue.job) }
                        td.num { (queue.pending) } td.num { (queue.scheduled) } td.num { (queue.running) }
                        td.num { (queue.failed) } td.num { (queue.done) }
                    }
                }
            }
        }
    }
}

fn failed(summary: &Summary, csrf: &Csrf, now: DateTime<Utc>) -> Markup {
    html! {
        section #failed {
            @let total: u64 = summary.queues.iter().map(|queue| queue.failed).sum();
            h2 {
                "Failed jobs (" (total) ")"
                @if total > summary.failed.len() as u64 { " — the oldest " (summary.failed.len()) " shown" }
            }
            @if summary.failed.is_empty() {
                p.muted { "Nothing has failed." }
            } @else {
                form.inline method="post" action="/dashboard/jobs/retry-failed" {
                    (token(csrf))
                    button.primary #retry-all type="submit" { "Retry all failed" }
                }
                table {
                    tr {
                        th { "Job" } th { "Type" } th { "Store" } th { "Resource" } th.num { "Attempts" }
                        th { "Last attempt" } th { "Error" } th { "" }
                    }
                    @for job in &summary.failed {
                        tr.failed-job data-id=(job.id) data-store=(job.store_id.map(|id| id.to_string()).unwrap_or_default()) {
                            td { (job.id) }
                            td { (job.job) }
                            td { (job.store_id.map(|id| id.to_string()).unwrap_or_default()) }
                            td { (job.resource.as_deref().unwrap_or("")) }
                            td.num { (job.attempts) "/" (job.max_attempts) }
                            td { @if let Some(at) = job.updated_at { (ago(at, now)) } }
                            td.error { (job.last_error.as_deref().unwrap_or("")) }
                            td {
                                form.inline method="post" action={ "/dashboard/jobs/" (job.id) "/retry" } {
                                    (token(csrf))
                                    button.retry type="submit" { "Retry" }
                                }
                                " "
                                form.inline method="post" action={ "/dashboard/jobs/" (job.id) "/discard" } {
                                    (token(csrf))
                                    button.discard type="submit" { "Discard" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "12 s ago", "3 min ago", "5 h ago", or the date.
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3_600 => format!("{} min ago", seconds / 60),
        3_600..86_400 => format!("{} h ago", seconds / 3_600),
        _ => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}
