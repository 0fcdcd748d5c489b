//! The simulated store's state and what can happen to it: records created, changed and
//! deleted (each firing the webhooks a real store would), faults, and the log of every
//! request it served, which tests read.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use chrono::Timelike;
use chrono::{DateTime, Duration as ChronoDuration, NaiveDateTime, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use serde_json::{Value, json};

use super::auth::{ApiKey, Authenticator};
use super::data::{CollectionKey, StoreData};
use super::faults::Faults;
use super::generate::{Sizes, generate, refund_record};
use super::webhooks::{self, FAILURES_BEFORE_DISABLED, SimWebhook};
use woocommerce::Resource;

const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The store's default low-stock threshold: WooCommerce's own default is 2.
pub const LOW_STOCK_SETTING: &str = "woocommerce_notify_low_stock_amount";

/// One request the store served.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    /// Microseconds since the Unix epoch.
    pub at_us: u128,
    pub method: String,
    /// The path under `/wp-json/wc/v3/`.
    pub path: String,
    /// The query without credentials, for telling pages apart.
    pub query: String,
    pub status: u16,
}

/// Counts of webhook deliveries, for tests.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryStats {
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
}

/// Counts of the faults the store put on its answers, for tests: a request that hung is
/// never logged (its client gave up), and a cut-off body is logged as a 200.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FaultsServed {
    pub throttled: u64,
    pub errors: u64,
    pub hangs: u64,
    pub truncated: u64,
    /// Writes committed whose answer was dropped.
    pub lost: u64,
}

impl FaultsServed {
    pub fn total(&self) -> u64 {
        self.throttled + self.errors + self.hangs + self.truncated + self.lost
    }
}

pub struct SimStore {
    pub site_url: String,
    pub auth: Mutex<Authenticator>,
    pub data: RwLock<StoreData>,
    pub faults: RwLock<Faults>,
    pub dice: Mutex<StdRng>,
    pub requests: Mutex<Vec<RequestRecord>>,
    pub webhooks: Arc<Mutex<Vec<SimWebhook>>>,
    pub deliveries: Arc<Mutex<DeliveryStats>>,
    pub faults_served: Mutex<FaultsServed>,
    /// WooCommerce's settings the store answers, by id (`woocommerce_notify_low_stock_amount`).
    pub settings: Mutex<HashMap<String, String>>,
    /// When the requests of the last second were let through, for the host's 429s.
    pub host_window: Mutex<VecDeque<Instant>>,
    pub http: reqwest::Client,
    /// The next id of a row in WooCommerce's own tables (order items, meta): numbered
    /// from far above any id a generated store holds.
    pub next_row_id: AtomicI64,
    /// The password of the store's admin, who approves apps (`app_auth`).
    pub admin_password: String,
    /// Sessions of the admin logged in, by cookie value.
    pub admin_sessions: Mutex<HashSet<String>>,
    /// Nonces of approval pages shown and not yet used.
    pub grant_nonces: Mutex<HashSet<String>>,
    /// Whether apps may be called back over plain HTTP: only for tests on one machine.
    pub http_callbacks: bool,
}

/// The webhook resource of a record, if it has one (variations arrive as `product`).
fn topic_resource(resource: Resource) -> Option<&'static str> {
    match resource {
        Resource::Products | Resource::ProductVariations => Some("product"),
        Resource::Orders => Some("order"),
        Resource::Customers => Some("customer"),
        Resource::Coupons => Some("coupon"),
        _ => None,
    }
}

impl SimStore {
    pub fn new(site_url: &str, seed: u64, sizes: &Sizes, key: ApiKey) -> Arc<SimStore> {
        Self::with_callbacks(site_url, seed, sizes, key, false)
    }

    /// A store whose app authentication calls back over plain HTTP too when
    /// `http_callbacks` (a real store insists on https).
    pub fn with_callbacks(
        site_url: &str,
        seed: u64,
        sizes: &Sizes,
        key: ApiKey,
        http_callbacks: bool,
    ) -> Arc<SimStore> {
        let catalog = generate(seed, sizes, site_url, Utc::now());
        Arc::new(SimStore {
            site_url: site_url.trim_end_matches('/').to_string(),
            auth: Mutex::new(Authenticator::new(vec![key])),
            data: RwLock::new(StoreData::from_catalog(catalog)),
            faults: RwLock::new(Faults::default()),
            dice: Mutex::new(StdRng::seed_from_u64(seed)),
            requests: Mutex::new(Vec::new()),
            webhooks: Arc::default(),
            deliveries: Arc::default(),
            faults_served: Mutex::default(),
            settings: Mutex::new(HashMap::from([(
                LOW_STOCK_SETTING.to_string(),
                "2".to_string(),
            )])),
            host_window: Mutex::default(),
            next_row_id: AtomicI64::new(100_000_000),
            admin_password: admin_password(seed),
            admin_sessions: Mutex::default(),
            grant_nonces: Mutex::default(),
            http_callbacks,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a plain HTTP client builds"),
        })
    }

    pub fn log_request(&self, record: RequestRecord) {
        lock(&self.requests).push(record);
    }

    pub fn faults_served(&self) -> FaultsServed {
        lock(&self.faults_served).clone()
    }

    /// Forgets the requests served so far, so that a test counts from now.
    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.requests).clone()
    }

    /// The most requests the store answered (a 429 is no answer) within any one second.
    pub fn busiest_second(&self) -> usize {
        let mut answered: Vec<u128> = lock(&self.requests)
            .iter()
            .filter(|request| request.status != 429)
            .map(|request| request.at_us)
            .collect();
        answered.sort_unstable();
        let mut busiest = 0;
        let mut first = 0;
        for (last, at) in answered.iter().enumerate() {
            while answered[first] + 1_000_000 <= *at {
                first += 1;
            }
            busiest = busiest.max(last + 1 - first);
        }
        busiest
    }

    /// A modification time for `record`: now, and after its last one, so that every change
    /// is visible to a `modified_after` poll and orders strictly.
    pub(crate) fn touch(record: &mut Value) {
        let previous = record
            .get("date_modified_gmt")
            .and_then(Value::as_str)
            .and_then(|text| NaiveDateTime::parse_from_str(text, DATE_FORMAT).ok())
            .map(|naive| naive.and_utc());
        // Dates have whole seconds: a second edit within the same second must still move
        // the date forward, as versions of a record are ordered by it.
        let mut at: DateTime<Utc> = Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now);
        if let Some(previous) = previous
            && at <= previous
        {
            at = previous + ChronoDuration::seconds(1);
        }
        let text = at.format(DATE_FORMAT).to_string();
        for field in ["date_modified", "date_modified_gmt"] {
            if record.get(field).is_some() {
                record[field] = Value::String(text.clone());
            }
        }
    }

    /// Creates a record like the first of its collection with `fields` over it; fires
    /// `<resource>.created`.
    pub fn create(&self, resource: Resource, parent: i64, fields: Value) -> Option<Value> {
        let mut data = write(&self.data);
        let key: CollectionKey = (resource, parent);
        let template = data.collection(key).first().cloned().or_else(|| {
            // An empty collection: borrow the shape from any parent's.
            data.parents(resource)
                .into_iter()
                .find_map(|other| data.collection((resource, other)).first().cloned())
        })?;
        let mut record = template;
        let id = data.next_id(resource);
        if let Some(template_id) = record["id"].as_i64() {
            relink(
                &mut record["_links"],
                &resource.collection_path(parent),
                template_id,
                id,
            );
        }
        record["id"] = json!(id);
        merge(&mut record, fields);
        let now = Utc::now().format(DATE_FORMAT).to_string();
        for field in [
            "date_created",
            "date_created_gmt",
            "date_modified",
            "date_modified_gmt",
        ] {
            if record.get(field).is_some() {
                record[field] = Value::String(now.clone());
            }
        }
        data.upsert(key, record.clone());
        if resource == Resource::Orders && PAID.contains(&record["status"].as_str().unwrap_or("")) {
            count_sales(&mut data, &record);
        }
        drop(data);
        self.fire(resource, "created", &record);
        Some(record)
    }

    /// Changes a record's fields and its modified date; fires `<resource>.updated`. As in
    /// WooCommerce, a coupon edit that touches only its meta (amount, limits, expiry) is
    /// saved without moving the modified date, and renaming a category or tag changes the
    /// name inside its products without moving theirs or firing their webhooks.
    pub fn update(
        &self,
        resource: Resource,
        parent: i64,
        id: i64,
        changes: Value,
    ) -> Option<Value> {
        let meta_only = resource == Resource::Coupons
            && changes.as_object().is_some_and(|fields| {
                fields
                    .keys()
                    .all(|field| !COUPON_POST_FIELDS.contains(&field.as_str()))
            });
        let mut data = write(&self.data);
        let record = data.find_mut((resource, parent), id)?;
        merge(record, changes);
        if !meta_only {
            Self::touch(record);
        }
        let record = record.clone();
        if let Some(field) = term_field(resource) {
            let reference = json!({"id": id, "name": record["name"], "slug": record["slug"]});
            data.change_each((Resource::Products, 0), |product| {
                replace_term(product, field, id, Some(&reference))
            });
        }
        drop(data);
        self.fire(resource, "updated", &record);
        Some(record)
    }

    /// Deletes a record as trashing it does in WooCommerce (and deleting a customer):
    /// fires `<resource>.deleted` with `{"id": N}`.
    pub fn delete(&self, resource: Resource, parent: i64, id: i64) -> Option<Value> {
        let removed = self.remove(resource, parent, id)?;
        self.fire(resource, "deleted", &json!({"id": id}));
        Some(removed)
    }

    /// Brings a trashed record back as untrashing does in WooCommerce: fires
    /// `<resource>.restored` with the whole record.
    pub fn restore(&self, resource: Resource, parent: i64, mut record: Value) -> Value {
        Self::touch(&mut record);
        write(&self.data).upsert((resource, parent), record.clone());
        self.fire(resource, "restored", &record);
        record
    }

    /// Deletes a record for good (`force=true`, or "Delete permanently" in the admin):
    /// WooCommerce hooks `*.deleted` to trashing only, so no webhook fires (a customer,
    /// which has no trash, is the exception). Deleting a category or tag takes it out of
    /// its products, silently.
    pub fn delete_permanently(&self, resource: Resource, parent: i64, id: i64) -> Option<Value> {
        if resource == Resource::Customers {
            return self.delete(resource, parent, id);
        }
        self.remove(resource, parent, id)
    }

    /// Takes a record out of the store, and a category or tag out of its products.
    fn remove(&self, resource: Resource, parent: i64, id: i64) -> Option<Value> {
        let mut data = write(&self.data);
        let removed = data.remove((resource, parent), id)?;
        if let Some(field) = term_field(resource) {
            data.change_each((Resource::Products, 0), |product| {
                replace_term(product, field, id, None)
            });
        }
        Some(removed)
    }

    /// Refunds part of an order: a refund record under it, and the order's `refunds` list
    /// (refunds have no topic of their own; they arrive as `order.updated`).
    pub fn refund(&self, order_id: i64, amount: &str, reason: &str) -> Option<Value> {
        let mut data = write(&self.data);
        data.find((Resource::Orders, 0), order_id)?;
        let refund_id = data.next_id(Resource::OrderRefunds);
        let now = Utc::now().format(DATE_FORMAT).to_string();
        let refund = refund_record(&self.site_url, order_id, refund_id, amount, reason, &now);
        data.upsert((Resource::OrderRefunds, order_id), refund.clone());
        let order = data.find_mut((Resource::Orders, 0), order_id)?;
        if let Some(refunds) = order.get_mut("refunds").and_then(Value::as_array_mut) {
            refunds.push(json!({"id": refund_id, "reason": reason, "total": format!("-{amount}")}));
        }
        Self::touch(order);
        let order = order.clone();
        drop(data);
        self.fire(Resource::Orders, "updated", &order);
        Some(refund)
    }

    /// Queues deliveries of `event` for `record` to every active webhook of its topic.
    pub(crate) fn fire(&self, resource: Resource, event: &str, record: &Value) {
        let Some(topic_resource) = topic_resource(resource) else {
            return;
        };
        let topic = format!("{topic_resource}.{event}");
        let targets: Vec<SimWebhook> = lock(&self.webhooks)
            .iter()
            .filter(|webhook| webhook.status == "active" && webhook.topic == topic)
            .cloned()
            .collect();
        if targets.is_empty() {
            return;
        }
        let body = record.to_string().into_bytes();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        for webhook in targets {
            let http = self.http.clone();
            let site_url = self.site_url.clone();
            let body = body.clone();
            let webhooks = Arc::clone(&self.webhooks);
            let deliveries = Arc::clone(&self.deliveries);
            runtime.spawn(async move {
                let second = Utc::now().timestamp();
                let ok = webhooks::deliver(&http, &site_url, &webhook, &body, second).await;
                record_delivery(&webhooks, &deliveries, webhook.id, ok);
            });
        }
    }
}

/// Counts a delivery and keeps the webhook's failure count, disabling it as WooCommerce
/// does after repeated failures.
fn record_delivery(
    webhooks: &Mutex<Vec<SimWebhook>>,
    deliveries: &Mutex<DeliveryStats>,
    webhook_id: i64,
    ok: bool,
) {
    let mut stats = lock(deliveries);
    stats.sent += 1;
    if ok {
        stats.succeeded += 1;
    } else {
        stats.failed += 1;
    }
    drop(stats);
    if let Some(webhook) = lock(webhooks).iter_mut().find(|w| w.id == webhook_id) {
        if ok {
            webhook.failure_count = 0;
        } else {
            webhook.failure_count += 1;
            if webhook.failure_count > FAILURES_BEFORE_DISABLED {
                webhook.status = "disabled".into();
            }
        }
    }
}

/// A coupon's fields kept on its post (the rest are meta, saved without moving the
/// modified date).
const COUPON_POST_FIELDS: [&str; 5] = [
    "code",
    "description",
    "status",
    "date_created",
    "date_created_gmt",
];

/// Order statuses that count towards a product's `total_sales`.
pub(crate) const PAID: [&str; 3] = ["processing", "completed", "on-hold"];

/// Adds an order's quantities to its products' `total_sales`, as WooCommerce does when an
/// order is paid: a meta update that moves no modified date and fires no webhook.
pub(crate) fn count_sales(data: &mut StoreData, order: &Value) {
    let Some(lines) = order["line_items"].as_array() else {
        return;
    };
    for line in lines {
        let (Some(product_id), Some(quantity)) =
            (line["product_id"].as_i64(), line["quantity"].as_i64())
        else {
            continue;
        };
        if let Some(product) = data.find_mut((Resource::Products, 0), product_id)
            && let Some(sold) = product["total_sales"].as_i64()
        {
            product["total_sales"] = json!(sold + quantity);
        }
    }
}

/// The field of a product that embeds terms of `resource`, for categories and tags.
fn term_field(resource: Resource) -> Option<&'static str> {
    match resource {
        Resource::ProductCategories => Some("categories"),
        Resource::ProductTags => Some("tags"),
        _ => None,
    }
}

/// Replaces (or, with none, removes) the term `id` among a product's embedded `field`;
/// returns whether the product held it.
fn replace_term(product: &mut Value, field: &str, id: i64, with: Option<&Value>) -> bool {
    let Some(terms) = product.get_mut(field).and_then(Value::as_array_mut) else {
        return false;
    };
    let Some(at) = terms
        .iter()
        .position(|term| term["id"].as_i64() == Some(id))
    else {
        return false;
    };
    match with {
        Some(reference) => terms[at] = reference.clone(),
        None => {
            terms.remove(at);
        }
    }
    true
}

/// Points the links of a record copied from record `from` of `collection` (a path such as
/// `orders` or `products/7/variations`) at record `to`.
fn relink(links: &mut Value, collection: &str, from: i64, to: i64) {
    let (old, new) = (
        format!("/{collection}/{from}"),
        format!("/{collection}/{to}"),
    );
    match links {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(href) if key == "href" => {
                        let at = href.find(&old).filter(|at| {
                            let rest = &href[at + old.len()..];
                            rest.is_empty() || rest.starts_with('/')
                        });
                        if let Some(at) = at {
                            href.replace_range(at..at + old.len(), &new);
                        }
                    }
                    other => relink(other, collection, from, to),
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| relink(item, collection, from, to)),
        _ => {}
    }
}

/// Merges the top-level fields of `changes` into `record`.
fn merge(record: &mut Value, changes: Value) {
    if let (Value::Object(record), Value::Object(changes)) = (record, changes) {
        record.extend(changes);
    }
}

/// The admin's password of a store made from `seed`.
pub fn admin_password(seed: u64) -> String {
    format!("sim-admin-{seed:x}")
}

pub fn now_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default()
}

/// Locks a mutex, carrying on with its data if a panicking thread poisoned it: the
/// simulator's state stays usable for the test that is reading it.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
