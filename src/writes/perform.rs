//! Carrying out one write at the store, exactly once.
//!
//! WooCommerce has no idempotency keys, so a create whose answer is lost (a timeout after
//! the store committed, a worker killed mid-request) and then sent again makes a second
//! record. Before a create goes out, the write notes that it is sending, and the store's
//! clock; the record carries the write's key in a meta entry. An attempt that finds the
//! note looks first for what the earlier one made (orders and products created since that
//! clock, carrying the key; customers by their email, which the store keeps unique) and
//! adopts it instead of creating another. Updates set fields and are safe to repeat; the
//! two steps that are not (an order note, a stock change by difference) are each noted
//! before they go and checked at the store before they go again.

use chrono::{DateTime, Duration, Utc};
use entity::store_writes;
use serde_json::{Value, json};

use super::ledger;
use super::operation::{IDEMPOTENCY_META_KEY, Operation, StockItem, integer};
use crate::pipeline::context::Context;
use crate::queue::job::JobError;
use crate::queue::waiting::waiting;
use crate::woo::client::{ListQuery, WooClient};
use crate::woo::listed::{ListedRecord, RawRecord};
use crate::woo::{Resource, WooError};

/// How far before the store's clock a look-up begins: its `Date` and a record's creation
/// date both have whole seconds.
const CLOCK_MARGIN: Duration = Duration::seconds(2);
/// Without the store's clock, how far before our own a look-up begins.
const UNKNOWN_CLOCK_MARGIN: Duration = Duration::minutes(15);

/// What a write did at the store.
#[derive(Debug)]
pub struct Done {
    /// The store's answers, to write into the copy: the resource, the parent (a
    /// variation's product) and the record.
    pub records: Vec<(Resource, i64, RawRecord)>,
    /// The record created or updated.
    pub record_id: Option<i64>,
    /// What `GET /api/writes/{id}` shows: the record, or a stock write's items.
    pub result: Value,
}

/// Why a write did not succeed (this time).
#[derive(Debug)]
pub enum Failure {
    /// Refused by the store, or by woosync before asking it: no retry can help.
    Refused {
        code: String,
        message: String,
        result: Option<Value>,
    },
    /// Not now: the job ends so, and the queue retries or postpones it.
    Later(JobError),
}

impl From<sea_orm::DbErr> for Failure {
    fn from(error: sea_orm::DbErr) -> Failure {
        Failure::Later(error.into())
    }
}

fn refused(code: &str, message: impl Into<String>) -> Failure {
    Failure::Refused {
        code: code.to_string(),
        message: message.into(),
        result: None,
    }
}

/// Carries out `write` at the store `client` talks to.
pub struct Performer<'a> {
    pub context: &'a Context,
    pub client: &'a WooClient,
    pub write: store_writes::Model,
}

impl Performer<'_> {
    pub async fn perform(&self) -> Result<Done, Failure> {
        let operation = Operation::parse(&self.write.operation).ok_or_else(|| {
            refused(
                "unknown_operation",
                format!("unknown operation {}", self.write.operation),
            )
        })?;
        let body: Value = serde_json::from_str(&self.write.body)
            .map_err(|error| refused("unreadable_body", error.to_string()))?;
        match operation {
            Operation::SetStock => self.set_stock(&body).await,
            Operation::UpdateOrder => self.update_order(body).await,
            operation if operation.creates() => self.create(operation, body).await,
            operation => {
                let path = self.record_path(operation);
                let record = self.send_update(&path, &body).await?;
                self.done(operation.resource(), self.write.parent_id, record)
            }
        }
    }

    fn record_path(&self, operation: Operation) -> String {
        let id = self.write.record_id.unwrap_or_default();
        match operation {
            Operation::UpdateVariation => {
                format!("products/{}/variations/{id}", self.write.parent_id)
            }
            other => format!("{}/{id}", other.resource().collection_path(0)),
        }
    }

    async fn create(&self, operation: Operation, mut body: Value) -> Result<Done, Failure> {
        let resource = operation.resource();
        let collection = resource.collection_path(0);
        if self.write.sent_at.is_some()
            && let Some(found) = self.find_created(operation, &body).await?
        {
            return self.done(resource, 0, found);
        }
        let clock = match operation {
            Operation::CreateOrder => self.check_order_products(&body).await?,
            _ => self.store_clock(&collection).await?,
        };
        tag(&mut body, &self.write.idempotency_key);
        ledger::note_sent(&self.context.db, &self.write, clock).await?;
        let record = match waiting(self.client.create(&collection, &body)).await {
            Ok(record) => record,
            Err(error) => return Err(self.failure(error).await),
        };
        self.done(resource, 0, record)
    }

    /// What an earlier attempt of this create made at the store, if it made anything.
    async fn find_created(
        &self,
        operation: Operation,
        body: &Value,
    ) -> Result<Option<RawRecord>, Failure> {
        let key = self.write.idempotency_key.as_str();
        let since = self.lookup_start();
        match operation {
            Operation::CreateCustomer => {
                let email = body["email"].as_str().unwrap_or_default().to_string();
                let found: Vec<RawRecord> = self
                    .list(
                        "customers",
                        ListQuery {
                            filters: vec![("email", email)],
                            ..ListQuery::default()
                        },
                    )
                    .await?;
                Ok(found.into_iter().find(|customer| {
                    let parsed: Value = customer.read().unwrap_or_default();
                    carries_key(&parsed, key) || created_since(&parsed, since)
                }))
            }
            _ => {
                let collection = operation.resource().collection_path(0);
                let Some(id) = self.find_by_key(&collection, since).await? else {
                    return Ok(None);
                };
                Ok(Some(self.read(&format!("{collection}/{id}")).await?))
            }
        }
    }

    /// The record of `collection` created since `since` that carries the write's key:
    /// oldest first, page by page, so the one made right after `since` is on the first.
    async fn find_by_key(
        &self,
        collection: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<i64>, Failure> {
        let key = self.write.idempotency_key.as_str();
        for page in 1.. {
            let query = ListQuery {
                page: Some(page),
                created_after: Some(since),
                orderby: Some("date"),
                order: Some("asc"),
                fields: Some("id,meta_data".into()),
                ..ListQuery::default()
            };
            let listed = match waiting(self.client.list_page(collection, &query)).await {
                Ok(listed) => listed,
                Err(error) => return Err(self.failure(error).await),
            };
            if let Some(id) = listed
                .items
                .iter()
                .find(|candidate| carries_key(candidate, key))
                .and_then(|candidate| candidate["id"].as_i64())
            {
                return Ok(Some(id));
            }
            if listed.items.len() < crate::woo::client::MAX_PER_PAGE as usize {
                break;
            }
        }
        Ok(None)
    }

    /// Where a look-up of what earlier attempts made begins.
    fn lookup_start(&self) -> DateTime<Utc> {
        match (self.write.store_clock_at_send, self.write.sent_at) {
            (Some(clock), _) => clock - CLOCK_MARGIN,
            (None, Some(sent)) => sent - UNKNOWN_CLOCK_MARGIN,
            (None, None) => Utc::now() - UNKNOWN_CLOCK_MARGIN,
        }
    }

    /// Refuses an order that names a product or variation the store does not have (it
    /// would make the order anyway, with an empty line at 0.00); the store's clock.
    async fn check_order_products(&self, body: &Value) -> Result<Option<DateTime<Utc>>, Failure> {
        let mut wanted: Vec<(i64, i64)> = body["line_items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|item| item.get("id").is_none())
            .map(|item| (number(&item["product_id"]), number(&item["variation_id"])))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return self.store_clock("orders").await;
        }
        let mut product_ids: Vec<i64> = wanted.iter().map(|(product, _)| *product).collect();
        product_ids.dedup();
        let mut clock = None;
        let mut held: Vec<Value> = Vec::new();
        for chunk in product_ids.chunks(crate::woo::client::MAX_PER_PAGE as usize) {
            let query = ListQuery {
                include: chunk.to_vec(),
                fields: Some("id,variations".into()),
                ..ListQuery::default()
            };
            let page = match waiting(self.client.list_page("products", &query)).await {
                Ok(page) => page,
                Err(error) => return Err(self.failure(error).await),
            };
            clock = clock.or(page.info.date);
            held.extend(page.items);
        }
        let mut missing = Vec::new();
        for (product, variation) in wanted {
            let found = held
                .iter()
                .find(|record| record["id"].as_i64() == Some(product));
            match (found, variation) {
                (None, _) => missing.push(format!("product {product}")),
                (Some(_), 0) => {}
                (Some(record), variation) => {
                    let has = record["variations"]
                        .as_array()
                        .is_some_and(|ids| ids.iter().any(|id| id.as_i64() == Some(variation)));
                    if !has {
                        missing.push(format!("variation {variation} of product {product}"));
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(refused(
                "unknown_products",
                format!(
                    "the store has no {}: WooCommerce would create the order with an empty line at 0.00",
                    missing.join(", no ")
                ),
            ));
        }
        Ok(clock)
    }

    /// The store's clock, from the cheapest request that tells it.
    async fn store_clock(&self, collection: &str) -> Result<Option<DateTime<Utc>>, Failure> {
        let query = ListQuery {
            per_page: Some(1),
            fields: Some("id".into()),
            ..ListQuery::default()
        };
        match waiting(self.client.list_page(collection, &query)).await {
            Ok(page) => Ok(page.info.date),
            Err(error) => Err(self.failure(error).await),
        }
    }

    async fn list<T: ListedRecord>(
        &self,
        collection: &str,
        query: ListQuery,
    ) -> Result<Vec<T>, Failure> {
        match waiting(self.client.list_all(collection, &query)).await {
            Ok(records) => Ok(records),
            Err(error) => Err(self.failure(error).await),
        }
    }

    async fn send_update(&self, path: &str, body: &Value) -> Result<RawRecord, Failure> {
        match waiting(self.client.update(path, body)).await {
            Ok(record) => Ok(record),
            Err(error) => Err(self.failure(error).await),
        }
    }

    /// The notes to add to an order, then its update: a note has no key of its own, so
    /// before one is sent again the order's notes are read for it.
    async fn update_order(&self, mut body: Value) -> Result<Done, Failure> {
        let notes = body
            .as_object_mut()
            .and_then(|fields| fields.remove("notes"))
            .and_then(|notes| notes.as_array().cloned())
            .unwrap_or_default();
        let path = self.record_path(Operation::UpdateOrder);
        let mut progress: Value = self
            .write
            .progress
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_else(|| json!({"notes_done": 0}));
        let notes_path = format!("{path}/notes");
        let first = number(&progress["notes_done"]) as usize;
        for (at, note) in notes.iter().enumerate().skip(first) {
            // An earlier attempt sent this note and never heard back: it is there if the
            // order has a note with its text that was not there before.
            let known_before: Option<Vec<i64>> = progress["sending"]["known"]
                .as_array()
                .map(|ids| ids.iter().filter_map(Value::as_i64).collect());
            let notes_now: Vec<Value> = self.list(&notes_path, ListQuery::default()).await?;
            let made = known_before.is_some_and(|before| {
                notes_now.iter().any(|held| {
                    held["id"].as_i64().is_some_and(|id| !before.contains(&id))
                        && held["note"] == note["note"]
                })
            });
            if !made {
                let known: Vec<i64> = notes_now
                    .iter()
                    .filter_map(|held| held["id"].as_i64())
                    .collect();
                progress = json!({"notes_done": at, "sending": {"known": known}});
                ledger::save_progress(&self.context.db, self.write.id, &progress).await?;
                let body = json!({
                    "note": note["note"],
                    "customer_note": note.get("customer_note").cloned().unwrap_or(json!(false)),
                });
                if let Err(error) = waiting(self.client.create(&notes_path, &body)).await {
                    return Err(self.failure(error).await);
                }
            }
            progress = json!({"notes_done": at + 1});
            ledger::save_progress(&self.context.db, self.write.id, &progress).await?;
        }
        // The order's fields last, so that its answer is the order as it ends.
        let fields_to_set = body.as_object().is_some_and(|fields| !fields.is_empty());
        let record = if fields_to_set || notes.is_empty() {
            self.send_update(&path, &body).await?
        } else {
            self.read(&path).await?
        };
        self.done(Resource::Orders, 0, record)
    }

    /// Sets stock, item by item. An item with `expected_quantity` is a compare-and-set:
    /// every such item is read first, and any mismatch fails the write before anything is
    /// written. Its change then goes as a difference (`inventory_delta`), so a sale that
    /// lands between the read and the write is kept, seen in the answer, and the
    /// difference is taken back: the store keeps the sale's stock and the write fails
    /// with `conflict`.
    async fn set_stock(&self, body: &Value) -> Result<Done, Failure> {
        let items = StockItem::all_of(body);
        let mut progress: Value = self
            .write
            .progress
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_else(|| json!({"done": []}));
        let done_count = progress["done"].as_array().map_or(0, Vec::len);
        if done_count == 0 && progress.get("sending").is_none() {
            let mut conflicts = Vec::new();
            for item in &items {
                let Some(expected) = item.expected_quantity else {
                    continue;
                };
                let found = self.stock_of(item).await?;
                if found != Some(expected) {
                    conflicts.push(conflict(item, found));
                }
            }
            if !conflicts.is_empty() {
                return Err(Failure::Refused {
                    code: "conflict".into(),
                    message: conflict_message(&conflicts),
                    result: Some(json!({"items": conflicts})),
                });
            }
        }
        let mut records = Vec::new();
        for item in items.iter().skip(done_count) {
            let record = match item.expected_quantity {
                None => {
                    let change =
                        json!({"manage_stock": true, "stock_quantity": item.stock_quantity});
                    self.send_update(&item.path(), &change).await?
                }
                Some(expected) => self.compare_and_set(item, expected, &mut progress).await?,
            };
            let parsed: Value = record.read().unwrap_or_default();
            if let Some(done) = progress["done"].as_array_mut() {
                done.push(json!({
                    "product_id": item.product_id,
                    "variation_id": item.variation_id,
                    "stock_quantity": parsed["stock_quantity"],
                }));
            }
            ledger::save_progress(&self.context.db, self.write.id, &progress).await?;
            let (resource, parent) = match item.variation_id {
                0 => (Resource::Products, 0),
                _ => (Resource::ProductVariations, item.product_id),
            };
            records.push((resource, parent, as_listed(resource, record)));
        }
        Ok(Done {
            records,
            record_id: None,
            result: json!({"items": progress["done"]}),
        })
    }

    async fn compare_and_set(
        &self,
        item: &StockItem,
        expected: i64,
        progress: &mut Value,
    ) -> Result<RawRecord, Failure> {
        let delta = item.stock_quantity - expected;
        // An earlier attempt sent this item's difference and never heard back.
        if let Some(sending) = progress.get("sending").cloned() {
            let found = self.stock_of(item).await?;
            let compensating = sending["compensating"].as_bool() == Some(true);
            let (applied, before) = match compensating {
                false => (item.stock_quantity, expected),
                true => (number(&sending["after"]), number(&sending["before"])),
            };
            if found == Some(applied) {
                if compensating {
                    return Err(stock_conflict(item, found));
                }
                return self.read_item(item).await;
            }
            if found != Some(before) {
                return Err(stock_conflict(item, found));
            }
            if compensating {
                return self
                    .take_back(item, delta, number(&sending["before"]), progress)
                    .await;
            }
        }
        progress["sending"] = json!({"compensating": false});
        ledger::save_progress(&self.context.db, self.write.id, progress).await?;
        let record = self
            .send_update(&item.path(), &json!({"inventory_delta": delta}))
            .await?;
        let answered = record.read::<Value>().unwrap_or_default()["stock_quantity"].as_i64();
        if answered == Some(item.stock_quantity) {
            if let Some(fields) = progress.as_object_mut() {
                fields.remove("sending");
            }
            return Ok(record);
        }
        // Someone else moved the stock between the read and this write: the difference
        // is taken back, leaving theirs.
        let answered = answered.unwrap_or_default();
        self.take_back(item, delta, answered, progress).await
    }

    async fn take_back(
        &self,
        item: &StockItem,
        delta: i64,
        before: i64,
        progress: &mut Value,
    ) -> Result<RawRecord, Failure> {
        progress["sending"] =
            json!({"compensating": true, "before": before, "after": before - delta});
        ledger::save_progress(&self.context.db, self.write.id, progress).await?;
        let record = self
            .send_update(&item.path(), &json!({"inventory_delta": -delta}))
            .await?;
        let found = record.read::<Value>().unwrap_or_default()["stock_quantity"].as_i64();
        Err(stock_conflict(item, found))
    }

    async fn stock_of(&self, item: &StockItem) -> Result<Option<i64>, Failure> {
        let record = self.read_item(item).await?;
        let parsed: Value = record.read().unwrap_or_default();
        Ok(parsed["stock_quantity"].as_i64())
    }

    async fn read_item(&self, item: &StockItem) -> Result<RawRecord, Failure> {
        self.read(&item.path()).await
    }

    /// One record as the store has it now.
    async fn read(&self, path: &str) -> Result<RawRecord, Failure> {
        match waiting(self.client.get_record(path)).await {
            Ok(record) => Ok(record),
            Err(error) => Err(self.failure(error).await),
        }
    }

    fn done(&self, resource: Resource, parent: i64, record: RawRecord) -> Result<Done, Failure> {
        let record = as_listed(resource, record);
        let parsed: Value = record.read().unwrap_or_default();
        Ok(Done {
            record_id: parsed["id"].as_i64(),
            result: parsed,
            records: vec![(resource, parent, record)],
        })
    }

    /// How a failed request ends the attempt. A refusal (a 4xx with WooCommerce's code)
    /// fails the write; a read-only key fails it too without stopping the store (it
    /// still reads); bad keys stop the store as they do for reads; anything else is tried
    /// again, and the next attempt finds out what this one did.
    async fn failure(&self, error: WooError) -> Failure {
        match error {
            WooError::MissingScope { message } => Failure::Refused {
                code: "woocommerce_rest_authentication_error".into(),
                message,
                result: None,
            },
            WooError::Rejected { code, message, .. } => Failure::Refused {
                code,
                message,
                result: None,
            },
            WooError::NotFound { message } => Failure::Refused {
                code: "not_found".into(),
                message,
                result: None,
            },
            other => Failure::Later(self.context.woo_failure(self.write.store_id, other).await),
        }
    }
}

/// Adds the write's key to the record's meta entries.
fn tag(body: &mut Value, key: &str) {
    let entry = json!({"key": IDEMPOTENCY_META_KEY, "value": key});
    match body.get_mut("meta_data").and_then(Value::as_array_mut) {
        Some(meta) => meta.push(entry),
        None => body["meta_data"] = json!([entry]),
    }
}

fn carries_key(record: &Value, key: &str) -> bool {
    record["meta_data"].as_array().is_some_and(|meta| {
        meta.iter()
            .any(|entry| entry["key"] == IDEMPOTENCY_META_KEY && entry["value"] == key)
    })
}

fn created_since(record: &Value, since: DateTime<Utc>) -> bool {
    record["date_created_gmt"]
        .as_str()
        .and_then(|text| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok())
        .is_some_and(|created| created.and_utc() >= since)
}

/// An integer of a body or of the write's progress; 0 where there is none.
fn number(value: &Value) -> i64 {
    integer(Some(value)).unwrap_or_default()
}

fn conflict(item: &StockItem, found: Option<i64>) -> Value {
    json!({
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "expected_quantity": item.expected_quantity,
        "found_quantity": found,
    })
}

fn conflict_message(conflicts: &[Value]) -> String {
    let parts: Vec<String> = conflicts
        .iter()
        .map(|conflict| {
            let what = match conflict["variation_id"].as_i64() {
                Some(0) | None => format!("product {}", conflict["product_id"]),
                Some(variation) => format!(
                    "variation {variation} of product {}",
                    conflict["product_id"]
                ),
            };
            format!(
                "{what} has {} in stock, not the {} expected",
                conflict["found_quantity"], conflict["expected_quantity"]
            )
        })
        .collect();
    format!("{}: nothing written", parts.join("; "))
}

fn stock_conflict(item: &StockItem, found: Option<i64>) -> Failure {
    let conflicts = vec![conflict(item, found)];
    Failure::Refused {
        code: "conflict".into(),
        message: conflict_message(&conflicts).replace(
            ": nothing written",
            ": the stock moved while it was written, and the change was taken back",
        ),
        result: Some(json!({"items": conflicts})),
    }
}

/// A record as the store lists it: a product's answer to a write is in the edit context,
/// which adds two fields a listing does not have.
fn as_listed(resource: Resource, record: RawRecord) -> RawRecord {
    if resource != Resource::Products || !record.get().contains("\"permalink_template\"") {
        return record;
    }
    let Ok(mut parsed) = record.read::<Value>() else {
        return record;
    };
    if let Some(fields) = parsed.as_object_mut() {
        fields.remove("permalink_template");
        fields.remove("generated_slug");
    }
    serde_json::value::to_raw_value(&parsed).unwrap_or(record)
}
