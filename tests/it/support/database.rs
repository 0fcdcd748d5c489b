//! A fresh database on either backend, dropped with its server when the test ends.

use chrono::Utc;
use entity::stores::{self, AuthMode, SignatureMethod, StoreStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr};
use tempfile::TempDir;
use woosync::database;
use woosync::sync::outbox::Outbox;
use woosync::sync::{Applied, Origin, PreparedRecords, WriteTxn};
use woosync::woo::Resource;
use woosync::woo::listed::ListedRecord;

use super::postgres::PostgresServer;

/// Where a test's records of `resource` come from: listed at the top level by no run, their
/// changes announced, a deleted one brought back.
pub fn origin(store_id: i64, resource: Resource) -> Origin {
    Origin {
        store_id,
        resource,
        parent_id: 0,
        run_id: None,
        emits_events: true,
        revives: true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDatabase {
    pub db: DatabaseConnection,
    /// Its URL, for a process or `Services` of the test's own to connect with.
    pub url: String,
    /// Where the SQLite file lives (empty for Postgres).
    pub dir: TempDir,
    _postgres: Option<PostgresServer>,
}

impl TestDatabase {
    /// A database with no tables yet.
    pub async fn empty(backend: Backend) -> TestDatabase {
        let dir = tempfile::Builder::new()
            .prefix("woosync-db")
            .tempdir()
            .unwrap();
        let (url, postgres) = match backend {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("woosync.db").display()
                ),
                None,
            ),
            Backend::Postgres => {
                let server = tokio::task::spawn_blocking(PostgresServer::start)
                    .await
                    .unwrap();
                let admin = database::connect_url(&server.url("postgres"))
                    .await
                    .unwrap();
                admin
                    .execute_unprepared("CREATE DATABASE woosync_test")
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                (server.url("woosync_test"), Some(server))
            }
        };
        let db = database::connect_url(&url).await.unwrap();
        TestDatabase {
            db,
            url,
            dir,
            _postgres: postgres,
        }
    }

    /// A database with the schema applied.
    pub async fn migrated(backend: Backend) -> TestDatabase {
        let test = TestDatabase::empty(backend).await;
        database::migrate(&test.db).await.unwrap();
        test
    }

    /// Writes records as a page of a listing would be written, in a transaction of their
    /// own with their events.
    pub async fn apply_records<J: ListedRecord>(
        &self,
        origin: Origin,
        items: Vec<J>,
    ) -> Result<Applied, DbErr> {
        let txn = WriteTxn::begin(&self.db, false).await?;
        let outbox = Outbox::default();
        let applied = PreparedRecords::new(self.db.get_database_backend(), origin, items)
            .write(&txn, &outbox)
            .await?;
        outbox.flush(&txn).await?;
        txn.commit().await?;
        Ok(applied)
    }

    /// Adds a store row (no credentials of use) and returns its id.
    pub async fn add_store(&self, url: &str) -> i64 {
        let now = Utc::now();
        stores::ActiveModel {
            name: Set("test store".into()),
            url: Set(url.into()),
            auth_mode: Set(AuthMode::Basic),
            oauth_signature_method: Set(SignatureMethod::HmacSha256),
            consumer_key: Set("ck_test".into()),
            consumer_secret_enc: Set("v1:unused".into()),
            rate_limit_per_s: Set(5.0),
            status: Set(StoreStatus::Active),
            backfill_order_notes: Set(false),
            low_stock_amount: Set(2),
            connected_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap()
        .id
    }
}
