//! A record never moves backwards; unchanged records cost no write; a tombstoned record
//! that comes back is restored; inventory follows every product write.

use chrono::{TimeZone, Utc};
use entity::{inventory, orders, product_variations, products};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable,
    ModelTrait, PaginatorTrait, QueryOrder, TryIntoModel,
};
use serde_json::{Value, json};
use woosync::sync::copy_in::CopyIn;
use woosync::sync::upsert::{Row, upsert_statements};
use woosync::sync::{Origin, WriteTxn};
use woosync::woo::Resource;

use crate::support::captures::body;
use crate::support::database::{Backend, TestDatabase, origin};

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
    let origin = origin(store, Resource::Products);
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
        parent_id: 7,
        ..origin(store, Resource::ProductVariations)
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

/// Orders written by the upsert, or by `COPY` as a store's first copy writes them on
/// Postgres.
#[derive(Clone, Copy, PartialEq)]
enum Write {
    Upsert,
    Copy,
}

/// An order with every column set, and then one for each nullable column with only that
/// column null: each comes back as written, no value and no null in another's column.
async fn every_column_comes_back_as_written(backend: Backend, write: Write) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let written = orders_with_each_column_null(store);
    write_orders(&test, &written, write).await;
    let stored = orders::Entity::find()
        .order_by_asc(orders::Column::WooId)
        .all(&test.db)
        .await
        .unwrap();
    assert_eq!(stored, written);
}

/// Writes `orders` in one transaction, each in one statement; how many rows were written.
async fn write_orders(test: &TestDatabase, orders: &[orders::Model], write: Write) -> u64 {
    let rows = orders
        .iter()
        .map(|model| Row {
            model: model.clone(),
            raw_text: model.raw.clone(),
        })
        .collect();
    let txn = WriteTxn::begin(&test.db, write == Write::Copy)
        .await
        .unwrap();
    let mut written = 0;
    for statement in
        upsert_statements::<orders::Entity>(test.db.get_database_backend(), rows, true, None)
    {
        written += match write {
            Write::Upsert => txn.execute_raw(statement).await.unwrap().rows_affected(),
            Write::Copy => {
                let rows = CopyIn::of::<orders::Entity>(&statement.values.unwrap().0);
                txn.copy_in(&rows.expect("every value in its binary form"))
                    .await
                    .unwrap()
            }
        };
    }
    txn.commit().await.unwrap();
    written
}

fn orders_with_each_column_null(store: i64) -> Vec<orders::Model> {
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 12, 18, 44).unwrap();
    let full = |woo_id: i64| orders::Model {
        store_id: store,
        woo_id,
        parent_id: 3,
        number: format!("N-{woo_id}"),
        status: "processing".into(),
        currency: "EUR".into(),
        total: Some(Decimal::new(10477, 2)),
        total_tax: Some(Decimal::new(1747, 2)),
        discount_total: Some(Decimal::new(500, 2)),
        shipping_total: Some(Decimal::new(1000, 2)),
        customer_id: 9,
        billing_email: Some("buyer@example.test".into()),
        payment_method: Some("bacs".into()),
        refund_count: 1,
        date_created_gmt: Some(at),
        date_modified_gmt: Some(at),
        date_paid_gmt: Some(at),
        date_completed_gmt: Some(at),
        raw: json!({"id": woo_id, "number": format!("N-{woo_id}")}).to_string(),
        content_hash: format!("{woo_id:032x}"),
        deleted_at: Some(at),
        synced_at: at,
    };
    let nullable: Vec<orders::Column> = orders::Column::iter()
        .filter(|column| column.def().is_null())
        .collect();
    assert_eq!(nullable.len(), 11);
    let mut written = vec![full(1)];
    for (column, woo_id) in nullable.iter().zip(2..) {
        let model = full(woo_id);
        let mut active = model.clone().into_active_model();
        active.set(*column, model.get(*column).as_null());
        written.push(active.try_into_model().unwrap());
    }
    written
}

#[tokio::test]
async fn every_column_comes_back_on_sqlite() {
    every_column_comes_back_as_written(Backend::Sqlite, Write::Upsert).await;
}

#[tokio::test]
async fn every_column_comes_back_on_postgres() {
    every_column_comes_back_as_written(Backend::Postgres, Write::Upsert).await;
}

#[tokio::test]
async fn every_column_comes_back_by_copy_on_postgres() {
    every_column_comes_back_as_written(Backend::Postgres, Write::Copy).await;
}
