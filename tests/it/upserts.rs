//! A record never moves backwards; unchanged records cost no write; a tombstoned record
//! that comes back is restored; inventory follows every product write.

use chrono::Utc;
use entity::{inventory, product_variations, products};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait};
use serde_json::Value;
use woosync::sync::Origin;
use woosync::woo::Resource;

use crate::support::captures::body;
use crate::support::database::{Backend, TestDatabase};

fn chair() -> Value {
    body("products-list.json")[0].clone()
}

async fn stored_chair(test: &TestDatabase, store: i64) -> products::Model {
    products::Entity::find_by_id((store, 581))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap()
}

async fn writes_never_move_a_record_backwards(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let origin = Origin {
        store_id: store,
        resource: Resource::Products,
        parent_id: 0,
        run_id: None,
        emits_events: true,
        revives: true,
    };
    let apply = |record: Value| test.apply_records(origin, vec![record]);

    assert_eq!(apply(chair()).await.unwrap().written, 1);
    assert_eq!(
        apply(chair()).await.unwrap().written,
        0,
        "unchanged: no write"
    );

    let mut older = chair();
    older["name"] = "Old name".into();
    older["date_modified_gmt"] = "2026-11-22T12:00:00".into();
    assert_eq!(
        apply(older).await.unwrap().written,
        0,
        "an older version loses"
    );
    assert_eq!(stored_chair(&test, store).await.name, "Smart Chair #000");

    let mut newer = chair();
    newer["stock_quantity"] = 1.into();
    newer["date_modified_gmt"] = "2026-11-22T13:00:00".into();
    assert_eq!(apply(newer.clone()).await.unwrap().written, 1);
    assert_eq!(stored_chair(&test, store).await.stock_quantity, Some(1));
    let stock = inventory::Entity::find_by_id((store, 581, 0))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stock.stock_quantity, stock.low_stock),
        (Some(1), Some(true))
    );

    let mut tombstone: products::ActiveModel = stored_chair(&test, store).await.into();
    tombstone.deleted_at = Set(Some(Utc::now()));
    tombstone.update(&test.db).await.unwrap();
    assert!(
        inventory::Entity::find_by_id((store, 581, 0))
            .one(&test.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        apply(newer).await.unwrap().written,
        1,
        "a restored record comes back"
    );
    assert_eq!(stored_chair(&test, store).await.deleted_at, None);
}

#[tokio::test]
async fn upserts_on_sqlite() {
    writes_never_move_a_record_backwards(Backend::Sqlite).await;
}

#[tokio::test]
async fn upserts_on_postgres() {
    writes_never_move_a_record_backwards(Backend::Postgres).await;
}

/// A product with more variations than one statement can bind values for (SQLite takes
/// 32,766, Postgres 65,535; a variation row binds about twenty) is written whole.
async fn a_listing_larger_than_one_statement_is_written_whole(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let origin = Origin {
        store_id: store,
        resource: Resource::ProductVariations,
        parent_id: 7,
        run_id: None,
        emits_events: true,
        revives: true,
    };
    let variation = body("product-variations-list.json")[0].clone();
    let variations: Vec<Value> = (1..=2_000)
        .map(|id| {
            let mut variation = variation.clone();
            variation["id"] = id.into();
            variation
        })
        .collect();
    assert_eq!(
        test.apply_records(origin, variations)
            .await
            .unwrap()
            .written,
        2_000
    );
    assert_eq!(
        product_variations::Entity::find()
            .count(&test.db)
            .await
            .unwrap(),
        2_000
    );
}

#[tokio::test]
async fn large_listings_on_sqlite() {
    a_listing_larger_than_one_statement_is_written_whole(Backend::Sqlite).await;
}

#[tokio::test]
async fn large_listings_on_postgres() {
    a_listing_larger_than_one_statement_is_written_whole(Backend::Postgres).await;
}
