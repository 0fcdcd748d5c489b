//! Delivering the feed to an endpoint: at least once, in feed order per record. A pump
//! reads the events after the endpoint's `read_through` and sends them, records in parallel
//! and each record's events one after another; an event that fails is retried with
//! exponential backoff, and the later events of its record wait for it (rows `waiting` in
//! `event_deliveries`) while other records go on. The endpoint's `cursor` is the position
//! up to which everything is delivered. An endpoint failing for longer than the retries
//! last is disabled, its events kept for when it is resumed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::{DateTime, Utc};
use entity::event_deliveries::{self, DeliveryStatus};
use entity::event_endpoints::{self, EndpointStatus};
use entity::events;
use futures_util::{StreamExt, stream};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::cursor::FeedBounds;
use super::endpoints::{EndpointError, endpoint_filters, error_chain, signing_secret};
use super::envelope::Envelope;
use super::read::{FeedQuery, read_page};
use super::signature::SigningSecret;
use crate::secrets::SecretKey;
use crate::woo::client::StoreHttp;

/// Events read at once.
const BATCH: u64 = 500;
/// Records delivered at once to one endpoint.
const RECORDS_AT_ONCE: usize = 32;
/// The longest wait between two attempts of a delivery.
const LONGEST_RETRY_DELAY: Duration = Duration::from_secs(10 * 3600);
/// How much of a failure's text is kept.
const ERROR_KEPT: usize = 500;

/// How deliveries are retried.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub retry_first_delay: Duration,
    /// How long an endpoint may fail before it is disabled.
    pub retry_for: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            retry_first_delay: Duration::from_secs(5),
            retry_for: Duration::from_secs(3 * 86_400),
        }
    }
}

/// What one pass of a pump did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Nothing to send now.
    Idle,
    /// Events were sent (or set to wait).
    Worked,
    /// The endpoint is gone, paused or disabled.
    Stopped,
}

/// What a pump needs.
pub struct Pump<'a> {
    pub db: &'a DatabaseConnection,
    pub http: &'a StoreHttp,
    pub key: &'a SecretKey,
    pub settings: &'a DeliverySettings,
}

/// An event and how many times it was tried before.
struct Pending {
    event: events::Model,
    attempts: i32,
}

/// How one attempt went.
struct Attempt {
    event_id: i64,
    attempts: i32,
    outcome: Outcome,
    at: DateTime<Utc>,
}

enum Outcome {
    Delivered {
        code: u16,
        latency_ms: i64,
    },
    Failed {
        code: Option<u16>,
        latency_ms: i64,
        error: String,
    },
    /// Behind a failed event of its record.
    Waiting,
}

/// Events of one record, in feed order: sent one after another.
type Lane = (i64, String, i64, String);

fn lane_of(event: &events::Model) -> Lane {
    (
        event.store_id,
        event
            .resource
            .map_or_else(|| event.kind.clone(), |resource| resource.to_string()),
        event.parent_id,
        event.record_id.clone().unwrap_or_default(),
    )
}

impl Pump<'_> {
    /// Sends what is due to an endpoint now, once.
    pub async fn pass(&self, endpoint_id: i64) -> Result<Pass, EndpointError> {
        let Some(endpoint) = event_endpoints::Entity::find_by_id(endpoint_id)
            .one(self.db)
            .await?
        else {
            return Ok(Pass::Stopped);
        };
        if endpoint.status != EndpointStatus::Active {
            return Ok(Pass::Stopped);
        }
        let bounds = FeedBounds::read(self.db).await?;
        if endpoint.read_through < bounds.pruned_through {
            self.disable(
                &endpoint,
                format!(
                    "its events after {} were pruned before they were delivered; the oldest \
                     cursor served is {}: replay from it",
                    endpoint.read_through, bounds.pruned_through
                ),
            )
            .await?;
            return Ok(Pass::Stopped);
        }
        let now = Utc::now();
        let (backlog, blocked) = self.backlog(endpoint.id, now).await?;
        let mut read_through = endpoint.read_through;
        let mut fresh = Vec::new();
        // A full backlog is worked off first, so a record's later events never pass its
        // earlier ones.
        if (backlog.len() as u64) < BATCH && endpoint.read_through < bounds.latest {
            let (types, store_ids) = endpoint_filters(&endpoint);
            let query = FeedQuery {
                after: endpoint.read_through,
                limit: BATCH,
                store_ids,
                types,
            };
            let page = read_page(self.db, &query, endpoint.read_through, bounds.latest).await?;
            read_through = page.next_cursor;
            fresh = page.events;
        }
        if backlog.is_empty() && fresh.is_empty() {
            // Positions move on past what the filters left out, or what was deleted.
            if read_through != endpoint.read_through || endpoint.cursor < read_through {
                self.settle(&endpoint, read_through, &[]).await?;
            }
            return Ok(Pass::Idle);
        }
        let mut lanes: BTreeMap<Lane, Vec<Pending>> = BTreeMap::new();
        for pending in backlog.into_iter().chain(
            fresh
                .into_iter()
                .map(|event| Pending { event, attempts: 0 }),
        ) {
            lanes
                .entry(lane_of(&pending.event))
                .or_default()
                .push(pending);
        }
        let secret = signing_secret(self.key, &endpoint)?;
        let url = endpoint.url.clone();
        let (secret, url, blocked) = (&secret, url.as_str(), &blocked);
        let attempts: Vec<Attempt> = stream::iter(lanes)
            .map(|(lane, mut pending)| async move {
                pending.sort_by_key(|pending| pending.event.id);
                let waiting = blocked.contains(&lane);
                self.send_lane(url, secret, pending, waiting).await
            })
            .buffer_unordered(RECORDS_AT_ONCE)
            .flat_map(stream::iter)
            .collect()
            .await;
        count(&attempts);
        self.settle(&endpoint, read_through, &attempts).await?;
        Ok(Pass::Worked)
    }

    /// The deliveries to try again now (failed ones due, and those waiting behind an event
    /// since delivered), and the records still held up by a failure not yet due.
    async fn backlog(
        &self,
        endpoint_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Pending>, HashSet<Lane>), DbErr> {
        let rows = event_deliveries::Entity::find()
            .filter(event_deliveries::Column::EndpointId.eq(endpoint_id))
            .filter(
                event_deliveries::Column::Status
                    .is_in([DeliveryStatus::Failing, DeliveryStatus::Waiting]),
            )
            .order_by_asc(event_deliveries::Column::EventId)
            .limit(BATCH)
            .all(self.db)
            .await?;
        if rows.is_empty() {
            return Ok((Vec::new(), HashSet::new()));
        }
        let mut held: HashMap<i64, events::Model> = events::Entity::find()
            .filter(events::Column::Id.is_in(rows.iter().map(|row| row.event_id)))
            .all(self.db)
            .await?
            .into_iter()
            .map(|event| (event.id, event))
            .collect();
        let mut blocked = HashSet::new();
        let mut due = Vec::new();
        let mut gone = Vec::new();
        for row in rows {
            // Pruned, or its store disconnected, since: nothing to send.
            let Some(event) = held.remove(&row.event_id) else {
                gone.push(row.id);
                continue;
            };
            let lane = lane_of(&event);
            let not_yet = row.status == DeliveryStatus::Failing
                && row.next_attempt_at.is_some_and(|at| at > now);
            if not_yet || blocked.contains(&lane) {
                blocked.insert(lane);
                continue;
            }
            due.push(Pending {
                event,
                attempts: row.attempts,
            });
        }
        // A lane held up keeps every event of it waiting, the due ones too.
        due.retain(|pending| !blocked.contains(&lane_of(&pending.event)));
        if !gone.is_empty() {
            event_deliveries::Entity::delete_many()
                .filter(event_deliveries::Column::Id.is_in(gone))
                .exec(self.db)
                .await?;
        }
        Ok((due, blocked))
    }

    /// Sends a record's events in order, up to the first that fails; the rest wait.
    async fn send_lane(
        &self,
        url: &str,
        secret: &SigningSecret,
        pending: Vec<Pending>,
        waiting: bool,
    ) -> Vec<Attempt> {
        let mut attempts = Vec::with_capacity(pending.len());
        let mut held = waiting;
        for Pending {
            event,
            attempts: before,
        } in pending
        {
            let event_id = event.id;
            let at = Utc::now();
            if held {
                attempts.push(Attempt {
                    event_id,
                    attempts: before,
                    outcome: Outcome::Waiting,
                    at,
                });
                continue;
            }
            let outcome = self.send(url, secret, event).await;
            held = matches!(outcome, Outcome::Failed { .. });
            attempts.push(Attempt {
                event_id,
                attempts: before + 1,
                outcome,
                at,
            });
        }
        attempts
    }

    async fn send(&self, url: &str, secret: &SigningSecret, event: events::Model) -> Outcome {
        let started = Instant::now();
        let failed = |code: Option<u16>, error: String| Outcome::Failed {
            code,
            latency_ms: started.elapsed().as_millis() as i64,
            error: error.chars().take(ERROR_KEPT).collect(),
        };
        let id = event.id.to_string();
        let body = match Envelope::of(event).and_then(|envelope| serde_json::to_vec(&envelope)) {
            Ok(body) => body,
            Err(error) => return failed(None, format!("the event cannot be read: {error}")),
        };
        // Checked at each delivery: a name may resolve elsewhere since it was registered.
        let client = match url::Url::parse(url)
            .map_err(|error| error.to_string())
            .and_then(|parsed| self.http.for_url(&parsed).cloned())
        {
            Ok(client) => client,
            Err(error) => return failed(None, error),
        };
        let timestamp = Utc::now().timestamp();
        let signature = secret.sign(&id, timestamp, &body);
        let response = client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match response {
            Ok(response) if response.status().is_success() => Outcome::Delivered {
                code: response.status().as_u16(),
                latency_ms: started.elapsed().as_millis() as i64,
            },
            Ok(response) => {
                let code = response.status();
                failed(Some(code.as_u16()), format!("the endpoint answered {code}"))
            }
            Err(error) => failed(None, error_chain(&error)),
        }
    }

    /// Writes how the attempts went, and moves the endpoint's positions on: unless a
    /// replay moved them meanwhile.
    async fn settle(
        &self,
        endpoint: &event_endpoints::Model,
        read_through: i64,
        attempts: &[Attempt],
    ) -> Result<(), DbErr> {
        let txn = crate::database::begin_write(self.db).await?;
        let rows: Vec<event_deliveries::ActiveModel> = attempts
            .iter()
            .map(|attempt| self.delivery_row(endpoint.id, attempt))
            .collect();
        for chunk in rows.chunks(500) {
            event_deliveries::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        event_deliveries::Column::EndpointId,
                        event_deliveries::Column::EventId,
                    ])
                    .update_columns([
                        event_deliveries::Column::Status,
                        event_deliveries::Column::Attempts,
                        event_deliveries::Column::ResponseCode,
                        event_deliveries::Column::LatencyMs,
                        event_deliveries::Column::LastError,
                        event_deliveries::Column::LastAttemptAt,
                        event_deliveries::Column::NextAttemptAt,
                    ])
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        let oldest_open: Option<i64> = event_deliveries::Entity::find()
            .select_only()
            .expr(event_deliveries::Column::EventId.min())
            .filter(event_deliveries::Column::EndpointId.eq(endpoint.id))
            .filter(event_deliveries::Column::Status.ne(DeliveryStatus::Delivered))
            .into_tuple::<Option<i64>>()
            .one(&txn)
            .await?
            .flatten();
        let failing = attempts
            .iter()
            .any(|attempt| matches!(attempt.outcome, Outcome::Failed { .. }));
        let now = Utc::now();
        let failing_since = match (failing, oldest_open) {
            (true, _) => Some(endpoint.failing_since.unwrap_or(now)),
            (false, Some(_)) => endpoint.failing_since,
            (false, None) => None,
        };
        let given_up = failing_since.is_some_and(|since| {
            (now - since).to_std().unwrap_or_default() > self.settings.retry_for
        });
        let mut update = event_endpoints::Entity::update_many()
            .col_expr(
                event_endpoints::Column::ReadThrough,
                Expr::value(read_through),
            )
            .col_expr(
                event_endpoints::Column::Cursor,
                Expr::value(oldest_open.map_or(read_through, |oldest| oldest - 1)),
            )
            .col_expr(
                event_endpoints::Column::FailingSince,
                Expr::value(failing_since),
            )
            .col_expr(event_endpoints::Column::UpdatedAt, Expr::value(now));
        if given_up {
            let last = event_deliveries::Entity::find()
                .filter(event_deliveries::Column::EndpointId.eq(endpoint.id))
                .filter(event_deliveries::Column::Status.eq(DeliveryStatus::Failing))
                .order_by_desc(event_deliveries::Column::LastAttemptAt)
                .one(&txn)
                .await?
                .and_then(|delivery| delivery.last_error);
            update = update
                .col_expr(
                    event_endpoints::Column::Status,
                    Expr::value(EndpointStatus::Disabled.as_str()),
                )
                .col_expr(
                    event_endpoints::Column::StatusReason,
                    Expr::value(format!(
                        "disabled: failing since {} (last: {}); its events are kept: resume it to deliver them",
                        failing_since.map(|at| at.to_rfc3339()).unwrap_or_default(),
                        last.unwrap_or_default()
                    )),
                );
        }
        let moved = update
            .filter(event_endpoints::Column::Id.eq(endpoint.id))
            .filter(event_endpoints::Column::ReadThrough.eq(endpoint.read_through))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            // Replayed meanwhile: what was sent stays logged, the positions are the replay's.
            tracing::info!(
                endpoint = endpoint.id,
                "endpoint moved while delivering: its positions kept"
            );
        }
        txn.commit().await
    }

    fn delivery_row(&self, endpoint_id: i64, attempt: &Attempt) -> event_deliveries::ActiveModel {
        let (status, code, latency, error, next) = match &attempt.outcome {
            Outcome::Delivered { code, latency_ms } => (
                DeliveryStatus::Delivered,
                Some(*code),
                Some(*latency_ms),
                None,
                None,
            ),
            Outcome::Failed {
                code,
                latency_ms,
                error,
            } => (
                DeliveryStatus::Failing,
                *code,
                Some(*latency_ms),
                Some(error.clone()),
                Some(attempt.at + retry_delay(self.settings, attempt.attempts)),
            ),
            Outcome::Waiting => (DeliveryStatus::Waiting, None, None, None, None),
        };
        event_deliveries::ActiveModel {
            id: NotSet,
            endpoint_id: Set(endpoint_id),
            event_id: Set(attempt.event_id),
            status: Set(status),
            attempts: Set(attempt.attempts),
            response_code: Set(code.map(i32::from)),
            latency_ms: Set(latency),
            last_error: Set(error),
            last_attempt_at: Set(attempt.at),
            next_attempt_at: Set(next),
        }
    }

    async fn disable(
        &self,
        endpoint: &event_endpoints::Model,
        reason: String,
    ) -> Result<(), DbErr> {
        event_endpoints::Entity::update_many()
            .col_expr(
                event_endpoints::Column::Status,
                Expr::value(EndpointStatus::Disabled.as_str()),
            )
            .col_expr(event_endpoints::Column::StatusReason, Expr::value(reason))
            .col_expr(event_endpoints::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(event_endpoints::Column::Id.eq(endpoint.id))
            .exec(self.db)
            .await?;
        Ok(())
    }
}

/// The wait before attempt `attempts + 1`: exponential from the first delay, with jitter,
/// at most ten hours.
fn retry_delay(settings: &DeliverySettings, attempts: i32) -> chrono::Duration {
    let delay = ExponentialBuilder::default()
        .with_min_delay(settings.retry_first_delay)
        .with_max_delay(LONGEST_RETRY_DELAY)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build()
        .nth(attempts.saturating_sub(1).max(0) as usize)
        .unwrap_or(LONGEST_RETRY_DELAY);
    chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(10))
}

fn count(attempts: &[Attempt]) {
    let delivered = attempts
        .iter()
        .filter(|attempt| matches!(attempt.outcome, Outcome::Delivered { .. }))
        .count();
    let failed = attempts
        .iter()
        .filter(|attempt| matches!(attempt.outcome, Outcome::Failed { .. }))
        .count();
    metrics::counter!("woosync_events_delivered_total").increment(delivered as u64);
    metrics::counter!("woosync_event_deliveries_failed_total").increment(failed as u64);
}

/// The active endpoints with something to send now: events after what they read, or a
/// failed delivery due again.
pub async fn endpoints_due<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DbErr> {
    let latest = FeedBounds::read(db).await?.latest;
    let active: Vec<(i64, i64)> = event_endpoints::Entity::find()
        .select_only()
        .columns([
            event_endpoints::Column::Id,
            event_endpoints::Column::ReadThrough,
        ])
        .filter(event_endpoints::Column::Status.eq(EndpointStatus::Active))
        .into_tuple()
        .all(db)
        .await?;
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let mut due: Vec<i64> = active
        .iter()
        .filter(|(_, read_through)| *read_through < latest)
        .map(|(id, _)| *id)
        .collect();
    let retries: Vec<i64> = event_deliveries::Entity::find()
        .select_only()
        .column(event_deliveries::Column::EndpointId)
        .distinct()
        .filter(event_deliveries::Column::Status.eq(DeliveryStatus::Failing))
        .filter(event_deliveries::Column::NextAttemptAt.lte(Utc::now()))
        .into_tuple::<i64>()
        .all(db)
        .await?;
    let active: HashSet<i64> = active.into_iter().map(|(id, _)| id).collect();
    due.extend(retries.into_iter().filter(|id| active.contains(id)));
    due.sort_unstable();
    due.dedup();
    Ok(due)
}
