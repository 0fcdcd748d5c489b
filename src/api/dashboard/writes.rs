//! The dashboard's section on writes to stores: those in flight (queued, running) and those
//! failed, with the store's error, and buttons to retry or discard.

use chrono::{DateTime, Utc};
use entity::store_writes::{self, WriteState};
use maud::{Markup, html};
use sea_orm::{DatabaseConnection, DbErr};

use super::page::{ago, token};
use super::session::Csrf;
use crate::writes::ledger;

/// Writes shown of each kind.
const SHOWN: u64 = 50;

pub struct WriteRows {
    pub in_flight: Vec<store_writes::Model>,
    pub failed: Vec<store_writes::Model>,
}

pub async fn write_rows(db: &DatabaseConnection) -> Result<WriteRows, DbErr> {
    let mut in_flight = ledger::list(db, None, Some(WriteState::Running), SHOWN).await?;
    in_flight.extend(ledger::list(db, None, Some(WriteState::Queued), SHOWN).await?);
    let mut failed = ledger::list(db, None, Some(WriteState::Failed), SHOWN).await?;
    failed.retain(|write| write.error_code.as_deref() != Some(ledger::DISCARDED));
    Ok(WriteRows { in_flight, failed })
}

pub fn section(rows: &WriteRows, csrf: &Csrf, now: DateTime<Utc>) -> Markup {
    html! {
        section #writes {
            h2 { "Writes in flight (" (rows.in_flight.len()) ") and failed (" (rows.failed.len()) ")" }
            @if rows.in_flight.is_empty() && rows.failed.is_empty() {
                p.muted { "No write is under way and none has failed." }
            } @else {
                table {
                    tr {
                        th { "Write" } th { "Store" } th { "Operation" } th { "State" } th.num { "Attempts" }
                        th { "Since" } th { "Error" } th { "" }
                    }
                    @for write in rows.in_flight.iter().chain(&rows.failed) {
                        tr.write data-id=(write.id) data-state=(write.state.as_str()) {
                            td { (write.id) br; span.muted { (write.idempotency_key) } }
                            td { (write.store_id) }
                            td { (write.operation) @if let Some(id) = write.record_id { " #" (id) } }
                            td {
                                @match write.state {
                                    WriteState::Failed => span.error { "failed" },
                                    other => span { (other.as_str()) },
                                }
                            }
                            td.num { (write.attempts) }
                            td { (ago(write.updated_at, now)) }
                            td.error {
                                @if let Some(code) = &write.error_code { (code) ": " }
                                (write.error_message.as_deref().unwrap_or(""))
                            }
                            td {
                                @if write.state == WriteState::Failed {
                                    form.inline method="post" action={ "/dashboard/writes/" (write.id) "/retry" } {
                                        (token(csrf))
                                        button.retry type="submit" { "Retry" }
                                    }
                                    " "
                                }
                                @if write.state == WriteState::Failed || (write.state == WriteState::Queued && write.sent_at.is_none()) {
                                    form.inline method="post" action={ "/dashboard/writes/" (write.id) "/discard" } {
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
}
