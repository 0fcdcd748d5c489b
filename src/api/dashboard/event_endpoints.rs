//! The dashboard's section on the change feed's consumer endpoints: each with its status,
//! how far behind the feed it is, and its latest deliveries.

use chrono::{DateTime, Utc};
use entity::event_deliveries::{self, DeliveryStatus};
use entity::event_endpoints::{self, EndpointStatus};
use maud::{Markup, html};
use sea_orm::{DatabaseConnection, DbErr};

use crate::feed::cursor::FeedBounds;
use crate::feed::endpoints::{all_endpoints, deliveries};

/// Deliveries shown per endpoint.
const LATEST: u64 = 5;

pub struct EndpointRow {
    pub endpoint: event_endpoints::Model,
    /// Events after what it has delivered.
    pub behind: i64,
    pub failing: u64,
    pub latest: Vec<event_deliveries::Model>,
}

pub async fn endpoint_rows(db: &DatabaseConnection) -> Result<Vec<EndpointRow>, DbErr> {
    let latest_event = FeedBounds::read(db).await?.latest;
    let mut rows = Vec::new();
    for endpoint in all_endpoints(db).await? {
        let (latest, failing) = deliveries(db, endpoint.id, None, LATEST)
            .await
            .map_err(|error| DbErr::Custom(error.to_string()))?;
        rows.push(EndpointRow {
            behind: (latest_event - endpoint.cursor).max(0),
            failing,
            latest,
            endpoint,
        });
    }
    Ok(rows)
}

pub fn section(rows: &[EndpointRow], now: DateTime<Utc>) -> Markup {
    html! {
        section #event-endpoints {
            h2 { "Event endpoints (" (rows.len()) ")" }
            @if rows.is_empty() {
                p.muted { "No consumer receives the change feed yet: POST /api/event-endpoints registers one." }
            } @else {
                table {
                    tr {
                        th { "Endpoint" } th { "Status" } th.num { "Events behind" } th.num { "Failing" } th { "Latest deliveries" }
                    }
                    @for row in rows {
                        tr.endpoint data-id=(row.endpoint.id) {
                            td { (row.endpoint.url) @if let Some(description) = &row.endpoint.description { br; span.muted { (description) } } }
                            td {
                                @match row.endpoint.status {
                                    EndpointStatus::Active => span { "active" },
                                    EndpointStatus::Paused => span.muted { "paused" },
                                    EndpointStatus::Disabled => span.error { "disabled" },
                                }
                                @if let Some(reason) = &row.endpoint.status_reason { br; span.error { (reason) } }
                            }
                            td.num { (row.behind) }
                            td.num { (row.failing) }
                            td {
                                @for delivery in &row.latest {
                                    div.delivery {
                                        "#" (delivery.event_id) " "
                                        @match delivery.status {
                                            DeliveryStatus::Delivered => span { "delivered" },
                                            DeliveryStatus::Failing => span.error { "failing" },
                                            DeliveryStatus::Waiting => span.muted { "waiting" },
                                        }
                                        @if let Some(code) = delivery.response_code { " " (code) }
                                        @if let Some(ms) = delivery.latency_ms { " in " (ms) " ms" }
                                        " · " (delivery.attempts) " attempt(s) · " (super::page::ago(delivery.last_attempt_at, now))
                                        @if let Some(error) = &delivery.last_error { " · " span.error { (error) } }
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
