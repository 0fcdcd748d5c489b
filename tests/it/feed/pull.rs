//! Following the feed by cursor: a consumer that snapshots through the read API and
//! follows from the start ends equal to the database; concurrent writers on Postgres never
//! make a reader skip an event that commits late.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::Rng;
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::{Value, json};
use sim::store::read;
use woosync::feed::cursor::FeedBounds;
use woosync::feed::read::{FeedQuery, read_page};
use woosync::sync::outbox::{NewEvent, insert_events};
use woosync::woo::Resource;

use super::{SETTLE, feed_after, feed_app};
use crate::support::app::TestApp;
use crate::support::database::{Backend, TestDatabase};
use crate::support::pipeline::{QueueKind, wait_for};

/// What a consumer holds: per resource, each live record by id.
type Held = BTreeMap<String, BTreeMap<String, Value>>;

/// Every live record of a resource, as the read API serves it.
async fn snapshot(app: &TestApp, store: i64, resource: &str) -> BTreeMap<String, Value> {
    let mut records = BTreeMap::new();
    for page in 1.. {
        let (status, body) = app
            .get(&format!(
                "/api/stores/{store}/{resource}?per_page=500&page={page}"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        let batch = body["records"].as_array().unwrap();
        for record in batch {
            records.insert(record["id"].to_string(), record.clone());
        }
        if page >= body["total_pages"].as_u64().unwrap() {
            break;
        }
    }
    records
}

/// Follows the feed as the README says: a resource's snapshot when its first copy is
/// announced, then each record event as the record's new state.
fn follow(held: &mut Held, event: &Value, snapshots: &BTreeMap<String, BTreeMap<String, Value>>) {
    let resource = event["resource"].as_str().unwrap_or_default().to_string();
    let kind = event["type"].as_str().unwrap();
    if kind == "sync.backfill_completed" {
        if let Some(snapshot) = snapshots.get(&resource) {
            held.insert(resource, snapshot.clone());
        }
        return;
    }
    let Some(records) = held.get_mut(&resource) else {
        return;
    };
    let id = event["record_id"].to_string();
    match kind.rsplit('.').next().unwrap() {
        "created" | "updated" | "restored" => {
            records.insert(id, event["data"].clone());
        }
        "deleted" => {
            records.remove(&id);
        }
        // Derived events repeat a record event's state.
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_following_the_feed_ends_equal_to_the_database_on_the_embedded_queue_and_sqlite()
{
    follow_from_the_start(QueueKind::Embedded, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_following_the_feed_ends_equal_to_the_database_on_redis_and_postgres() {
    follow_from_the_start(QueueKind::Redis, Backend::Postgres).await;
}

async fn follow_from_the_start(queue: QueueKind, backend: Backend) {
    let (app, _database) = feed_app(queue, backend).await;
    let (store, _worker) = app.synced_store().await;
    let (status, _) = app
        .integration("webhooks/setup", json!({"store_id": store}))
        .await;
    assert_eq!(status, 200);
    let sim = &app.pipeline.sim.server.store;
    let resources = ["products", "orders", "customers", "order_refunds"];

    // A consumer that starts reading while the store changes.
    let mut snapshots = BTreeMap::new();
    for resource in resources {
        snapshots.insert(resource.to_string(), snapshot(&app, store, resource).await);
    }
    let mut held = Held::new();
    let (events, mut cursor) = feed_after(&app, "0").await;
    for event in &events {
        follow(&mut held, event, &snapshots);
    }

    let products: Vec<i64> = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .filter(|product| product["type"] == "simple")
        .take(5)
        .map(|product| product["id"].as_i64().unwrap())
        .collect();
    for (n, id) in products.iter().enumerate() {
        sim.update(
            Resource::Products,
            0,
            *id,
            json!({"name": format!("Changed {n}")}),
        );
    }
    sim.delete(Resource::Products, 0, products[4]);
    // Pending: a paid order would raise its products' sales silently, as WooCommerce
    // does, which only the weekly refresh catches.
    let order = sim
        .create(Resource::Orders, 0, json!({"status": "pending"}))
        .unwrap();
    sim.refund(order["id"].as_i64().unwrap(), "2.00", "late");
    let customer = read(&sim.data).collection((Resource::Customers, 0))[1]["id"]
        .as_i64()
        .unwrap();
    sim.update(
        Resource::Customers,
        0,
        customer,
        json!({"last_name": "Nouveau"}),
    );

    wait_for("the changes to land", SETTLE, || async {
        app.pipeline.jobs_left().await == 0 && app.pipeline.difference(store, sim).await.is_none()
    })
    .await;
    // Long-polled to the end: the next read waits and returns nothing new.
    loop {
        let (status, page) = app
            .get(&format!("/api/events?after={cursor}&limit=7&wait=1"))
            .await;
        assert_eq!(status, 200, "{page}");
        let batch = page["events"].as_array().unwrap();
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if batch.is_empty() {
            break;
        }
        for event in batch {
            follow(&mut held, event, &snapshots);
        }
    }
    for resource in resources {
        let now = snapshot(&app, store, resource).await;
        assert_eq!(held[resource].len(), now.len(), "{resource}");
        assert!(
            held[resource] == now,
            "{resource} differs from the database"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writers_on_postgres_never_make_a_reader_skip_an_event() {
    let test = TestDatabase::migrated(Backend::Postgres).await;
    let store = test.add_store("https://shop.example").await;
    let db = test.db.clone();
    let writing = Arc::new(AtomicBool::new(true));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let db = db.clone();
        writers.push(tokio::spawn(async move {
            for n in 0..40 {
                let txn = db.begin().await.unwrap();
                let events = (0..3)
                    .map(|k| NewEvent {
                        store_id: store,
                        kind: "orders.updated".into(),
                        resource: Some(Resource::Orders),
                        record_id: Some(format!("{writer}{n}{k}")),
                        parent_id: 0,
                        data: "{}".into(),
                        previous: None,
                    })
                    .collect();
                insert_events(&txn, events, chrono::Utc::now())
                    .await
                    .unwrap();
                // Held between taking ids and committing: where a late commit would hide.
                let pause = rand::rng().random_range(0..3);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                txn.commit().await.unwrap();
            }
        }));
    }
    let reader = {
        let db = db.clone();
        let writing = Arc::clone(&writing);
        tokio::spawn(async move {
            let query = FeedQuery {
                after: 0,
                limit: 50,
                store_ids: None,
                types: None,
            };
            let mut cursor = 0;
            let mut seen = Vec::new();
            loop {
                let done = !writing.load(Ordering::SeqCst);
                let latest = FeedBounds::read(&db).await.unwrap().latest;
                let page = read_page(&db, &query, cursor, latest).await.unwrap();
                seen.extend(page.events.iter().map(|event| event.id));
                cursor = page.next_cursor;
                if done && page.events.is_empty() {
                    return seen;
                }
            }
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    writing.store(false, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let all: Vec<i64> = entity::events::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .iter()
        .map(|event| event.id)
        .collect();
    assert_eq!(all.len(), 8 * 40 * 3);
    assert!(
        seen.windows(2).all(|pair| pair[0] < pair[1]),
        "in feed order, each once"
    );
    let seen_set: HashSet<i64> = seen.iter().copied().collect();
    let missed: Vec<&i64> = all.iter().filter(|id| !seen_set.contains(id)).collect();
    assert!(missed.is_empty(), "the reader skipped {missed:?}");
}
