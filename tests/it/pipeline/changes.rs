//! Records that change while a sync runs, or after: the database ends equal to the store.

use std::collections::HashSet;
use std::time::Duration;

use entity::products;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sim::generate::Sizes;
use sim::store::{read, write};
use woosync::jobs::WebhookDelivery;
use woosync::jobs::poll_store::PollKind;
use woosync::pipeline::SyncMode;
use woosync::queue::storage::NewJob;
use woosync::sync::stored::stored_records;
use woosync::woo::Resource;

use crate::support::database::Backend;
use crate::support::pipeline::{QueueKind, TestPipeline, wait_for};

fn small_store() -> Sizes {
    Sizes {
        products: 300,
        orders: 400,
        ..Sizes::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_created_updated_and_deleted_during_a_backfill_end_up_right() {
    records_changed_during_a_backfill_end_up_right(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn records_changed_during_a_backfill_on_postgres_end_up_right() {
    records_changed_during_a_backfill_end_up_right(Backend::Postgres).await;
}

async fn records_changed_during_a_backfill_end_up_right(backend: Backend) {
    let pipeline = TestPipeline::start_on(backend, QueueKind::Redis, small_store(), &[]).await;
    let store = pipeline.connect_store(10_000.0).await;
    let ids = |resource: Resource| -> HashSet<i64> {
        read(&pipeline.sim.server.store.data)
            .collection((resource, 0))
            .iter()
            .filter_map(|record| record["id"].as_i64())
            .collect()
    };
    let products_before = ids(Resource::Products);
    // The first four pages of products or orders served each delete two records, edit two
    // and create one; then the store holds still, so that what "right" means is settled.
    // Page 1 of each listing comes before any other page, and every page of a listing
    // before its sweep, so both listings change under the backfill, and no sweep does.
    pipeline.sim.server.set_faults(|faults| {
        faults.churn_per_page = 2;
        faults.churn_pages = Some(4);
    });
    let runs = pipeline.sync_all(store, SyncMode::Backfill).await;
    let _worker = pipeline.spawn_worker();
    pipeline.wait_synced(&runs, Duration::from_secs(120)).await;

    let products_after = ids(Resource::Products);
    assert!(
        products_before.difference(&products_after).count() > 0,
        "the store lost products mid-run"
    );
    assert!(
        products_after.difference(&products_before).count() > 0,
        "the store gained products mid-run"
    );
    pipeline.assert_database_equals_store(store).await;
    // A first copy is quiet, what its sweeps find deleted too: one event per resource.
    let kinds: Vec<String> = entity::events::Entity::find()
        .all(&pipeline.services.db)
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.kind)
        .collect();
    assert!(!kinds.is_empty());
    assert!(
        kinds.iter().all(|kind| kind == "sync.backfill_completed"),
        "{kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn polls_and_sweeps_catch_up_with_a_changed_store() {
    polls_and_sweeps_catch_up(Backend::Sqlite, QueueKind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn polls_and_sweeps_on_redis_and_postgres_catch_up_with_a_changed_store() {
    polls_and_sweeps_catch_up(Backend::Postgres, QueueKind::Redis).await;
}

async fn polls_and_sweeps_catch_up(backend: Backend, queue: QueueKind) {
    let (pipeline, store, _worker) = TestPipeline::synced_on(backend, queue, small_store()).await;

    let sim = &pipeline.sim.server.store;
    let first_product = read(&sim.data).collection((Resource::Products, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.update(
        Resource::Products,
        0,
        first_product,
        json!({"name": "Renamed"}),
    );
    sim.create(Resource::Orders, 0, json!({"status": "pending"}));
    let order = read(&sim.data).collection((Resource::Orders, 0))[3]["id"]
        .as_i64()
        .unwrap();
    sim.refund(order, "1.00", "scratched");
    let customer = read(&sim.data).collection((Resource::Customers, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.update(
        Resource::Customers,
        0,
        customer,
        json!({"first_name": "Renée"}),
    );
    let category = read(&sim.data).collection((Resource::ProductCategories, 0))[0]["id"]
        .as_i64()
        .unwrap();
    sim.update(
        Resource::ProductCategories,
        0,
        category,
        json!({"description": "New"}),
    );
    // Deleted without a webhook: only an ID sweep can tell.
    let coupon = read(&sim.data).collection((Resource::Coupons, 0))[0]["id"]
        .as_i64()
        .unwrap();
    write(&sim.data).remove((Resource::Coupons, 0), coupon);

    for kind in [PollKind::Changes, PollKind::IdSweep] {
        pipeline.poll_and_wait(store, kind).await;
    }
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_order_and_deleted_webhooks_apply_as_the_store_meant() {
    let (pipeline, store, _worker) = TestPipeline::synced(QueueKind::Embedded, small_store()).await;

    let sim = &pipeline.sim.server.store;
    let id = read(&sim.data).collection((Resource::Products, 0))[1]["id"]
        .as_i64()
        .unwrap();
    let older = sim
        .update(Resource::Products, 0, id, json!({"name": "Older"}))
        .unwrap();
    let newer = sim
        .update(Resource::Products, 0, id, json!({"name": "Newer"}))
        .unwrap();
    let deliver = |topic: &str, body: Value| delivery(store, topic, &body);
    let name_kept = || async {
        let row = held_product(&pipeline, store, id).await;
        (name_of(&row), row.deleted_at)
    };
    // The newer delivery arrives first; the older one after it must lose.
    let queue = &pipeline.services.queue;
    queue
        .enqueue(vec![deliver("product.updated", newer)])
        .await
        .unwrap();
    wait_for("the newer version", Duration::from_secs(30), || async {
        name_kept().await.0 == "Newer"
    })
    .await;
    queue
        .enqueue(vec![deliver("product.updated", older)])
        .await
        .unwrap();
    wait_for(
        "the older delivery to be applied",
        Duration::from_secs(30),
        || async { pipeline.jobs_left().await == 0 },
    )
    .await;
    assert_eq!(
        name_kept().await.0,
        "Newer",
        "an older version never replaces a newer"
    );

    // The store deletes it; its webhook, confirmed at the store, marks it deleted.
    write(&sim.data).remove((Resource::Products, 0), id);
    queue
        .enqueue(vec![deliver("product.deleted", json!({"id": id}))])
        .await
        .unwrap();
    wait_for(
        "the product to be marked deleted",
        Duration::from_secs(30),
        || async { name_kept().await.1.is_some() },
    )
    .await;
    assert_eq!(
        name_kept().await.0,
        "Newer",
        "a tombstone keeps the last state"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_woocommerce_makes_without_a_modified_date_are_caught_by_the_refresh() {
    let (pipeline, store, _worker) = TestPipeline::synced(QueueKind::Embedded, small_store()).await;
    let sim = &pipeline.sim.server.store;
    let first = |resource: Resource| read(&sim.data).collection((resource, 0))[0].clone();
    let modified = |record: &Value| record["date_modified_gmt"].clone();

    // A coupon's amount is meta: saved without moving its modified date.
    let coupon = first(Resource::Coupons);
    let coupon_id = coupon["id"].as_i64().unwrap();
    let edited = sim
        .update(Resource::Coupons, 0, coupon_id, json!({"amount": "7.00"}))
        .unwrap();
    assert_eq!(modified(&edited), modified(&coupon));
    // An order paid adds to its products' sales counts, and a category renamed changes the
    // name inside its products: neither moves a product's modified date.
    let products_before = read(&sim.data).collection((Resource::Products, 0)).to_vec();
    sim.create(Resource::Orders, 0, json!({"status": "processing"}));
    let category = read(&sim.data)
        .collection((Resource::Products, 0))
        .iter()
        .find_map(|product| product["categories"][0]["id"].as_i64())
        .unwrap();
    sim.update(
        Resource::ProductCategories,
        0,
        category,
        json!({"name": "Renamed in the admin"}),
    );
    let products_after = read(&sim.data).collection((Resource::Products, 0)).to_vec();
    let changed: Vec<(&Value, &Value)> = products_before
        .iter()
        .zip(&products_after)
        .filter(|(before, after)| before != after)
        .collect();
    assert!(changed.len() > 1, "sales counts and category names changed");
    assert!(
        changed
            .iter()
            .all(|(before, after)| modified(before) == modified(after)),
        "without moving a modified date"
    );

    // A poll and an ID sweep see only what moved a date: the coupon, listed whole at every
    // poll while there are few, is put right; the products are not.
    for kind in [PollKind::Changes, PollKind::IdSweep] {
        pipeline.poll_and_wait(store, kind).await;
    }
    let coupons = stored_records(&pipeline.services.db, store, Resource::Coupons, false)
        .await
        .unwrap();
    let kept = coupons.iter().find(|c| c["id"] == coupon_id).unwrap();
    assert_eq!(kept["amount"], "7.00");
    let difference = pipeline.difference(store, sim).await;
    assert!(
        difference
            .as_deref()
            .is_some_and(|text| text.starts_with("products:")),
        "{difference:?}"
    );
    // The scheduled refresh lists everything again and writes what changed.
    pipeline.poll_and_wait(store, PollKind::Refresh).await;
    pipeline.assert_database_equals_store(store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_versions_saved_in_the_same_second_end_as_the_store_has_it() {
    let (pipeline, store, _worker) = TestPipeline::synced(QueueKind::Embedded, small_store()).await;
    let sim = &pipeline.sim.server.store;
    let id = read(&sim.data).collection((Resource::Products, 0))[2]["id"]
        .as_i64()
        .unwrap();
    let kept = sim
        .update(Resource::Products, 0, id, json!({"name": "Saved last"}))
        .unwrap();
    // WooCommerce's dates have whole seconds: an earlier save in the same second carries
    // the same date as the last.
    let mut earlier = kept.clone();
    earlier["name"] = json!("Saved first");
    for body in [kept, earlier] {
        pipeline
            .services
            .queue
            .enqueue(vec![delivery(store, "product.updated", &body)])
            .await
            .unwrap();
        wait_for(
            "the delivery to be applied",
            Duration::from_secs(30),
            || async { pipeline.jobs_left().await == 0 },
        )
        .await;
    }
    assert_eq!(
        name_of(&held_product(&pipeline, store, id).await),
        "Saved last"
    );
    pipeline.assert_database_equals_store(store).await;
}

/// A webhook delivery of `body` under `topic`, as the receiver queues it.
fn delivery(store: i64, topic: &str, body: &Value) -> NewJob {
    NewJob::of(&WebhookDelivery {
        store_id: store,
        topic: topic.into(),
        body: serde_json::value::to_raw_value(body).unwrap(),
        received: None,
    })
}

/// The name in a product's row as the store sent it.
fn name_of(row: &products::Model) -> String {
    let raw: Value = serde_json::from_str(&row.raw).unwrap();
    raw["name"].as_str().unwrap_or_default().to_string()
}

/// The row held for a store's product.
async fn held_product(pipeline: &TestPipeline, store: i64, id: i64) -> products::Model {
    products::Entity::find()
        .filter(products::Column::StoreId.eq(store))
        .filter(products::Column::WooId.eq(id))
        .one(&pipeline.services.db)
        .await
        .unwrap()
        .unwrap()
}
