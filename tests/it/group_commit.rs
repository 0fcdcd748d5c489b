//! Writes committed together: each hears its own outcome, and one that cannot be written
//! fails alone instead of taking its batch down with it.

use entity::products;
use futures_util::future::join_all;
use sea_orm::{EntityTrait, PaginatorTrait};
use woosync::sync::group_commit::GroupCommit;
use woosync::sync::{Origin, PreparedRecords, RecordsWrite};
use woosync::woo::Resource;

use crate::support::captures::body;
use crate::support::database::{Backend, TestDatabase, origin};

async fn a_write_that_fails_fails_alone(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let writer = GroupCommit::start(test.db.clone(), 1, std::sync::Arc::new(|| {})).unwrap();
    let products = body("products-list.json");
    let write = |store_id: i64, index: usize| {
        let origin = origin(store_id, Resource::Products);
        let records = vec![products[index].clone()];
        let prepared = PreparedRecords::new(test.db.get_database_backend(), origin, records);
        writer.write(RecordsWrite(prepared))
    };

    // Sent together, so that they share a batch; a store that does not exist breaks the
    // foreign key of the second.
    let outcomes = join_all([write(store, 0), write(store + 1, 1), write(store, 2)]).await;

    assert_eq!(
        outcomes[0].as_ref().map(|applied| applied.written).ok(),
        Some(1)
    );
    assert!(outcomes[1].is_err(), "a row of a store that does not exist");
    assert_eq!(
        outcomes[2].as_ref().map(|applied| applied.written).ok(),
        Some(1)
    );
    assert_eq!(products::Entity::find().count(&test.db).await.unwrap(), 2);
}

#[tokio::test]
async fn a_write_that_fails_fails_alone_on_sqlite() {
    a_write_that_fails_fails_alone(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_write_that_fails_fails_alone_on_postgres() {
    a_write_that_fails_fails_alone(Backend::Postgres).await;
}

/// A write that Postgres ends to break a deadlock is committed again and succeeds: its job
/// does not fail into the queue's backoff.
#[tokio::test]
async fn a_write_ended_by_a_deadlock_is_committed_again_on_postgres() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    use std::time::{Duration, Instant};

    let test = TestDatabase::migrated(Backend::Postgres).await;
    let store = test.add_store("https://shop.example").await;
    let writer = GroupCommit::start(test.db.clone(), 1, std::sync::Arc::new(|| {})).unwrap();
    let listed = body("products-list.json");
    let (first, second) = (listed[0].clone(), listed[1].clone());
    let id = |record: &serde_json::Value| record["id"].as_i64().unwrap();
    let renamed = |record: &serde_json::Value| {
        let mut record = record.clone();
        record["name"] = format!("{} (renamed)", record["name"].as_str().unwrap()).into();
        record
    };
    let write = |records: Vec<serde_json::Value>| {
        let origin = Origin {
            emits_events: false,
            ..origin(store, Resource::Products)
        };
        let prepared = PreparedRecords::new(test.db.get_database_backend(), origin, records);
        writer.write(RecordsWrite(prepared))
    };
    write(vec![first.clone(), second.clone()]).await.unwrap();

    // Another transaction holds the first row and will want the second, which the write
    // takes first. It waits longer before looking for deadlocks, so that Postgres ends
    // the write's transaction, not this one.
    let other = test.db.begin().await.unwrap();
    other
        .execute_unprepared("SET LOCAL deadlock_timeout = '10s'")
        .await
        .unwrap();
    let lock = |record_id: i64| {
        format!("UPDATE products SET name = name WHERE store_id = {store} AND woo_id = {record_id}")
    };
    other.execute_unprepared(&lock(id(&first))).await.unwrap();
    let deadlock = async {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let waiting = test
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    test.db.get_database_backend(),
                    "SELECT count(*) AS waiting FROM pg_stat_activity \
                     WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"products\"%'",
                ))
                .await
                .unwrap()
                .and_then(|row| row.try_get::<i64>("", "waiting").ok())
                .unwrap_or(0);
            if waiting > 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the write never waited for the row"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        other.execute_unprepared(&lock(id(&second))).await.unwrap();
        other.commit().await.unwrap();
    };
    let (written, ()) = tokio::join!(write(vec![renamed(&second), renamed(&first)]), deadlock);

    let applied = written.expect("written after the deadlock");
    assert_eq!(applied.written, 2);
    let names = product_names(&test).await;
    assert!(
        names.iter().all(|name| name.ends_with("(renamed)")),
        "{names:?}"
    );
}

/// A store's first copy goes in by `COPY` on Postgres; a page of it that meets rows
/// already kept (written twice, or a record listed on two pages) is upserted instead: the
/// new rows are written, and a kept row is replaced only by a newer version.
#[tokio::test]
async fn a_first_copy_meeting_kept_rows_upserts_them_on_postgres() {
    let test = TestDatabase::migrated(Backend::Postgres).await;
    let store = test.add_store("https://shop.example").await;
    let writer = GroupCommit::start(test.db.clone(), 1, std::sync::Arc::new(|| {})).unwrap();
    let first_copy = Origin {
        emits_events: false,
        ..origin(store, Resource::Products)
    };
    let products = body("products-list.json");
    let write = |records: Vec<serde_json::Value>| {
        let prepared = PreparedRecords::new(test.db.get_database_backend(), first_copy, records);
        writer.write(RecordsWrite(prepared))
    };
    let written = |records| async { write(records).await.unwrap().written };

    assert_eq!(
        written(vec![products[0].clone(), products[1].clone()]).await,
        2
    );
    let mut edited = products[1].clone();
    edited["name"] = "Edited".into();
    edited["date_modified_gmt"] = "2099-01-01T00:00:00".into();
    let mut older = products[0].clone();
    older["name"] = "Older".into();
    older["date_modified_gmt"] = "2000-01-01T00:00:00".into();
    assert_eq!(
        written(vec![older, edited, products[2].clone()]).await,
        2,
        "the edited product and the new one"
    );

    let names = product_names(&test).await;
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"Edited".to_string()));
    assert!(!names.contains(&"Older".to_string()));
}

async fn product_names(test: &TestDatabase) -> Vec<String> {
    products::Entity::find()
        .all(&test.db)
        .await
        .unwrap()
        .into_iter()
        .map(|product| product.name)
        .collect()
}
