//! The schema applies on SQLite and on Postgres, twice without harm, and the production
//! processes' check says plainly when it has not been applied; rows written under an older
//! schema keep their meaning.

use chrono::Utc;
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Statement, StatementBuilder};
use woosync::database::{self, DatabaseError};
use woosync::sync::run_children::{self, WantedChildren};
use woosync::sync::runs::{self, RunKind};
use woosync::sync::stored;
use woosync::woo::Resource;

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

/// A database with every migration before `name` applied, and how many those are.
async fn migrated_up_to(backend: Backend, name: &str) -> (TestDatabase, usize) {
    let test = TestDatabase::empty(backend).await;
    let before = Migrator::migrations()
        .iter()
        .position(|migration| migration.name() == name)
        .unwrap_or_else(|| panic!("no migration {name}"));
    Migrator::up(&test.db, Some(before as u32)).await.unwrap();
    (test, before)
}

/// Children marked before migration 44 (done in the row that wanted them) come through
/// their move to a table of their own: what was done stays done, what was wanted stays
/// wanted.
async fn children_marks_written_before_their_move_keep_their_meaning(backend: Backend) {
    let (test, before_the_move) =
        migrated_up_to(backend, "m20261204_000044_children_done_apart").await;
    let store = test.add_store("https://shop.example").await;
    let (run, _) = runs::start_run(&test.db, store, Resource::Products, RunKind::Backfill, None)
        .await
        .unwrap();
    let done_at = Utc::now();
    let marks = [
        ("product_variations", 1, 3, Some(done_at)),
        ("product_variations", 2, 0, None),
        ("order_refunds", 5, 1, Some(done_at)),
    ];
    for (resource, parent_id, records, done) in marks {
        let insert = Query::insert()
            .into_table(Alias::new("sync_run_children"))
            .columns(["run_id", "resource", "parent_id", "records", "done_at"].map(Alias::new))
            .values_panic([
                run.id.into(),
                resource.into(),
                parent_id.into(),
                records.into(),
                done.into(),
            ])
            .to_owned();
        let backend = test.db.get_database_backend();
        test.db
            .execute_raw(StatementBuilder::build(&insert, &backend))
            .await
            .unwrap();
    }

    database::migrate(&test.db).await.unwrap();

    let wanted = run_children::still_wanted(&test.db, run.id).await.unwrap();
    assert_eq!(
        wanted,
        vec![WantedChildren {
            resource: Resource::ProductVariations,
            parent_ids: vec![2],
        }]
    );
    let progress = run_children::progress(&test.db, &[run.id]).await.unwrap()[&run.id];
    assert_eq!(
        (progress.parents, progress.parents_done, progress.records),
        (3, 2, 4)
    );
    assert!(run_children::any_wanted(&test.db, run.id).await.unwrap());

    run_children::mark_done(
        &test.db,
        run.id,
        Resource::ProductVariations,
        &[(2, 6)],
        done_at,
    )
    .await
    .unwrap();
    assert!(!run_children::any_wanted(&test.db, run.id).await.unwrap());
    let progress = run_children::progress(&test.db, &[run.id]).await.unwrap()[&run.id];
    assert_eq!(
        (progress.parents, progress.parents_done, progress.records),
        (3, 3, 10)
    );

    // Undone, the marks are back where migration 43 kept them.
    let since_the_move = Migrator::migrations().len() - before_the_move;
    Migrator::down(&test.db, Some(since_the_move as u32))
        .await
        .unwrap();
    let backend = test.db.get_database_backend();
    let done = test
        .db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS done, CAST(SUM(records) AS BIGINT) AS records \
             FROM sync_run_children WHERE done_at IS NOT NULL",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.try_get::<i64>("", "done").unwrap(), 3);
    assert_eq!(done.try_get::<i64>("", "records").unwrap(), 10);
}

#[tokio::test]
async fn children_marks_move_on_sqlite() {
    children_marks_written_before_their_move_keep_their_meaning(Backend::Sqlite).await;
}

#[tokio::test]
async fn children_marks_move_on_postgres() {
    children_marks_written_before_their_move_keep_their_meaning(Backend::Postgres).await;
}

/// A record kept before `raw` became text on Postgres (migration 45) reads back as the
/// same text, byte for byte, still compressed with LZ4 where the server has it; and
/// undone, the column takes the text back as JSON.
async fn raw_kept_as_json_stays_the_text_as_sent(backend: Backend) {
    let (test, _) = migrated_up_to(backend, "m20261204_000045_raw_as_text").await;
    let store = test.add_store("https://shop.example").await;
    // What `jsonb` would change: a float's digits, key order, space, a `\u0000` escape.
    let sent = r#"{"id":7, "name":"a\u0000b","z":1,"a":51.199999999999996}"#;
    let backend = test.db.get_database_backend();
    let raw = match backend {
        sea_orm::DatabaseBackend::Postgres => Expr::val(sent).cast_as(Alias::new("json")),
        _ => Expr::val(sent),
    };
    let insert = Query::insert()
        .into_table(Alias::new("product_tags"))
        .columns(
            [
                "store_id",
                "woo_id",
                "name",
                "slug",
                "count",
                "content_hash",
                "synced_at",
                "raw",
            ]
            .map(Alias::new),
        )
        .values_panic([
            store.into(),
            7.into(),
            "a".into(),
            "a".into(),
            0.into(),
            "h".into(),
            Utc::now().into(),
            raw,
        ])
        .to_owned();
    test.db
        .execute_raw(StatementBuilder::build(&insert, &backend))
        .await
        .unwrap();

    database::migrate(&test.db).await.unwrap();

    let texts = stored::stored_texts(&test.db, store, Resource::ProductTags, false).await;
    assert_eq!(texts.unwrap(), vec![sent.to_string()]);
    if backend == sea_orm::DatabaseBackend::Postgres {
        let column = test
            .db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT format_type(atttypid, atttypmod) AS type, \
                 CAST(attcompression AS text) AS compression, \
                 EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' \
                 AND 'lz4' = ANY(enumvals)) AS has_lz4 \
                 FROM pg_attribute WHERE attrelid = 'product_tags'::regclass AND attname = 'raw'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(column.try_get::<String>("", "type").unwrap(), "text");
        if column.try_get::<bool>("", "has_lz4").unwrap() {
            assert_eq!(column.try_get::<String>("", "compression").unwrap(), "l");
        }
    }

    Migrator::down(&test.db, Some(1)).await.unwrap();
    let kept = test
        .db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT CAST(raw AS text) AS raw FROM product_tags",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.try_get::<String>("", "raw").unwrap(), sent);
}

#[tokio::test]
async fn raw_as_text_on_sqlite() {
    raw_kept_as_json_stays_the_text_as_sent(Backend::Sqlite).await;
}

#[tokio::test]
async fn raw_as_text_on_postgres() {
    raw_kept_as_json_stays_the_text_as_sent(Backend::Postgres).await;
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
