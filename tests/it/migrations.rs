//! The schema applies on SQLite and on Postgres, twice without harm, and the production
//! processes' check says plainly when it has not been applied.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};
use woosync::database::{self, DatabaseError};

use crate::support::database::{Backend, TestDatabase};

const TABLES: [&str; 29] = [
    "stores",
    "sync_runs",
    "sync_checkpoints",
    "sync_watermarks",
    "webhook_subscriptions",
    "webhook_deliveries",
    "quarantined_records",
    "products",
    "product_variations",
    "orders",
    "order_refunds",
    "order_notes",
    "customers",
    "product_categories",
    "product_tags",
    "product_attributes",
    "product_attribute_terms",
    "product_reviews",
    "product_shipping_classes",
    "coupons",
    "tax_rates",
    "tax_classes",
    "shipping_zones",
    "shipping_zone_locations",
    "shipping_zone_methods",
    "shipping_methods",
    "payment_gateways",
    "queue_jobs",
    "queue_workers",
];

async fn relations(test: &TestDatabase) -> Vec<String> {
    let sql = match test.db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
        }
        _ => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name"
        }
    };
    let backend = test.db.get_database_backend();
    test.db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect()
}

async fn migrations_apply_once_and_twice_is_a_no_op(backend: Backend) {
    let test = TestDatabase::empty(backend).await;

    let error = database::ensure_schema_current(&test.db).await.unwrap_err();
    assert!(
        matches!(
            error,
            DatabaseError::SchemaBehind { .. } | DatabaseError::SchemaUnknown { .. }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("woosync migrate"), "{error}");

    let applied = database::migrate(&test.db).await.unwrap();
    assert_eq!(
        applied,
        Migrator::migrations().len(),
        "every migration, once"
    );
    let after_first = relations(&test).await;
    for table in TABLES.iter().chain(&["inventory"]) {
        assert!(
            after_first.iter().any(|name| name == table),
            "{table} missing: {after_first:?}"
        );
    }
    database::ensure_schema_current(&test.db).await.unwrap();

    assert_eq!(database::migrate(&test.db).await.unwrap(), 0);
    assert_eq!(relations(&test).await, after_first);
}

#[tokio::test]
async fn migrations_on_sqlite() {
    migrations_apply_once_and_twice_is_a_no_op(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrations_on_postgres() {
    migrations_apply_once_and_twice_is_a_no_op(Backend::Postgres).await;
}

#[tokio::test]
async fn the_redis_harness_runs_a_real_server() {
    let server = tokio::task::spawn_blocking(crate::support::redis::RedisServer::start)
        .await
        .unwrap();
    let client = redis::Client::open(server.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("SET")
        .arg("woosync:probe")
        .arg("yes")
        .query_async(&mut connection)
        .await
        .unwrap();
    let value: String = redis::cmd("GET")
        .arg("woosync:probe")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(value, "yes");
}
