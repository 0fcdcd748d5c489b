//! Writes committed together: each hears its own outcome, and one that cannot be written
//! fails alone instead of taking its batch down with it.

use entity::products;
use futures_util::future::join_all;
use sea_orm::{EntityTrait, PaginatorTrait};
use woosync::sync::group_commit::GroupCommit;
use woosync::sync::{Origin, PreparedRecords, RecordsWrite};
use woosync::woo::Resource;

use crate::support::captures::body;
use crate::support::database::{Backend, TestDatabase};

async fn a_write_that_fails_fails_alone(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let writer = GroupCommit::start(test.db.clone(), 1, std::sync::Arc::new(|| {})).unwrap();
    let products = body("products-list.json");
    let write = |store_id: i64, index: usize| {
        let origin = Origin {
            store_id,
            resource: Resource::Products,
            parent_id: 0,
            run_id: None,
            emits_events: true,
            revives: true,
        };
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
