//! The database: where it is, connecting to it, and its schema version.

use std::ffi::{c_int, c_void};
use std::time::Duration;

use futures_util::future::BoxFuture;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::pool::PoolConnectionMetadata;
use sea_orm::sqlx::sqlite::{SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnAcquireErr, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database {url}: {source}")]
    Connect { url: String, source: DbErr },
    #[error(
        "the database schema is not up to date: {pending} migration(s) pending, from {first}. \
         Run `woosync migrate` (the release step) first"
    )]
    SchemaBehind { pending: usize, first: String },
    #[error(
        "cannot read the database schema version ({source}); run `woosync migrate` (the release step) first"
    )]
    SchemaUnknown { source: DbErr },
    #[error("migrating the database failed: {0}")]
    Migrate(DbErr),
}

/// The database URL in effect: `DATABASE_URL`, or a SQLite file in the data directory.
pub fn database_url(config: &Config) -> Result<String, DatabaseError> {
    if let Some(url) = &config.database_url {
        return Ok(url.clone());
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| DatabaseError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        config.data_dir.join("woosync.db").display()
    ))
}

pub async fn connect(config: &Config) -> Result<DatabaseConnection, DatabaseError> {
    connect_url(&database_url(config)?).await
}

/// How long a connection may have sat unused before it is pinged as it is checked out.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(10);

/// Connections to a SQLite database: one writes at a time, the others read meanwhile.
const SQLITE_CONNECTIONS: u32 = 4;

pub async fn connect_url(url: &str) -> Result<DatabaseConnection, DatabaseError> {
    let mut options = ConnectOptions::new(url);
    if url.starts_with("sqlite:") {
        // SeaORM gives SQLite one connection unless told otherwise; then every read waits
        // for whichever page is being written. In WAL mode readers need not wait: several
        // connections read while one writes.
        options.max_connections(SQLITE_CONNECTIONS);
        options.map_sqlx_sqlite_pool_opts(|pool| pool.after_connect(tune_connection));
    }
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        // A connection in use is alive: pinging it at every checkout was a round trip more
        // for each statement run outside a transaction. One idle for a while may have been
        // dropped by the server or a proxy, so it is asked first.
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        // WAL lets readers (the API, the dashboard) work while a worker writes a page;
        // NORMAL is durable across a process crash, which is what a WAL needs.
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(LOCK_WAIT)
                .foreign_keys(true)
                // Checkpoints run in the background (below). SQLite's own, run by whichever
                // commit crosses the mark and making it wait, is left only as a bound on
                // the WAL (256 MB with 4 KB pages) should the background ones fall behind.
                .pragma("wal_autocheckpoint", "65536")
        });
    let db = Database::connect(options)
        .await
        .map_err(|source| DatabaseError::Connect {
            url: redact_password(url),
            source,
        })?;
    if url.starts_with("sqlite:") {
        spawn_checkpoints(db.clone());
    }
    Ok(db)
}

/// Sets what sqlx cannot on each new SQLite connection: plans kept whatever is bound, and
/// a busy handler that waits for the write lock in short steps.
///
/// Plans: without `SQLITE_DBCONFIG_ENABLE_QPSG`, SQLite (3.45 and later) plans `LIMIT ?`
/// around the bound value and throws the compiled statement away whenever the value is
/// bound again, so every `LIMIT ?` query (each `.one()` of SeaORM, the queue's fetch) was
/// parsed and planned anew on every run: 4% of a worker's CPU in the 100,000-record
/// ingest. Plans by bound value help only with `ANALYZE` statistics, which woosync does not
/// gather.
///
/// Busy handler: SQLite's own (`busy_timeout`, still in force while the connection opens)
/// sleeps 1, 2, 5 … up to 100 ms between tries, however soon the lock is free. A queue
/// claim that met a page being committed slept on while the lock sat idle, and with no job
/// claimed the worker's cores idled too: stalls of about 100 ms, one or two in each
/// 20,000-record ingest. Tries every half millisecond cost a few microseconds each.
fn tune_connection(
    connection: &mut SqliteConnection,
    _: PoolConnectionMetadata,
) -> BoxFuture<'_, Result<(), sea_orm::sqlx::Error>> {
    Box::pin(async move {
        let mut handle = connection.lock_handle().await?;
        let database = handle.as_raw_handle().as_ptr();
        // SAFETY: the handle is locked, so no other call uses the connection meanwhile.
        // QPSG takes an int and a nullable int pointer, as passed; the busy handler is a
        // plain function that neither unwinds nor uses its (null) argument.
        #[allow(unsafe_code)]
        let codes = unsafe {
            [
                libsqlite3_sys::sqlite3_db_config(
                    database,
                    libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                    1 as c_int,
                    std::ptr::null_mut::<c_int>(),
                ),
                libsqlite3_sys::sqlite3_busy_handler(
                    database,
                    Some(retry_write_lock),
                    std::ptr::null_mut(),
                ),
            ]
        };
        match codes
            .into_iter()
            .find(|code| *code != libsqlite3_sys::SQLITE_OK)
        {
            None => Ok(()),
            Some(code) => Err(sea_orm::sqlx::Error::Configuration(
                format!("SQLite refused a connection setting (code {code})").into(),
            )),
        }
    })
}

/// How long a SQLite connection tries for the write lock before it answers "database is
/// locked".
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The pause between two tries for the write lock.
const LOCK_RETRY: Duration = Duration::from_micros(500);

/// SQLite's busy handler: called with the number of tries so far; nonzero to try again.
#[allow(unsafe_code)]
unsafe extern "C" fn retry_write_lock(_: *mut c_void, tries: c_int) -> c_int {
    if LOCK_RETRY * u32::try_from(tries).unwrap_or_default() >= LOCK_WAIT {
        return 0;
    }
    std::thread::sleep(LOCK_RETRY);
    1
}

/// How often the SQLite WAL is copied back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Copies the WAL into the database every [`CHECKPOINT_EVERY`], until the connection is
/// closed. Run by a commit, as SQLite does, a checkpoint makes that commit wait: one of
/// 64 MB took some 80 ms, and a crowd of webhook deliveries enqueued together waited with
/// it (the ingress's p99 was 90 ms; it is 26 to 34 ms since). A passive checkpoint waits
/// on no writer and holds none up.
fn spawn_checkpoints(db: DatabaseConnection) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match db
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await
            {
                Ok(_) => {}
                Err(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)) => break,
                Err(error) => tracing::warn!(%error, "a WAL checkpoint failed"),
            }
        }
    });
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

/// A transaction that will write. On SQLite it takes the write lock at its start
/// (`BEGIN IMMEDIATE`): a transaction that reads first and writes later cannot wait for
/// the lock (SQLite answers "database is locked" at once, to avoid a deadlock), while one
/// that starts as a writer waits its turn. Postgres ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Applies every pending migration; a no-op when the schema is current.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DatabaseError> {
    let pending = Migrator::get_pending_migrations(db)
        .await
        .map_err(DatabaseError::Migrate)?
        .len();
    Migrator::up(db, None)
        .await
        .map_err(DatabaseError::Migrate)?;
    if pending > 0 {
        tracing::info!("applied {pending} migrations");
    }
    Ok(pending)
}

/// For the production processes, which expect the release step (`woosync migrate`) to have
/// run: fails plainly when the schema is missing or behind, and changes nothing.
pub async fn ensure_schema_current(db: &DatabaseConnection) -> Result<(), DatabaseError> {
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .map_err(|source| DatabaseError::SchemaUnknown { source })?;
    match pending.first() {
        None => Ok(()),
        Some(first) => Err(DatabaseError::SchemaBehind {
            pending: pending.len(),
            first: first.name().to_string(),
        }),
    }
}

/// A database URL fit for a log line or an error: without its password.
pub fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact_password("postgres://woo:hunter2@db:5432/woosync"),
            "postgres://woo:redacted@db:5432/woosync"
        );
        assert_eq!(
            redact_password("sqlite://data/woosync.db"),
            "sqlite://data/woosync.db"
        );
    }
}
