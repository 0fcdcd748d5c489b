//! The transaction a write of records runs in.
//!
//! On Postgres it is woosync's own, on a connection of SeaORM's pool, so that rows that
//! are all new can go in by `COPY` (see `copy_in`): SeaORM's transactions do not lend
//! their connection. Statements run on it as they would on SeaORM's. On SQLite it is
//! SeaORM's, as `database::begin_write` opens it.

use std::sync::Arc;

use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;

use super::copy_in::CopyIn;

pub enum WriteTxn {
    Sqlite(DatabaseTransaction),
    Postgres {
        txn: Mutex<sqlx::Transaction<'static, Postgres>>,
        /// Whether rows that are new go in by `COPY`.
        copies: bool,
    },
}

impl WriteTxn {
    /// A transaction in which new rows go in by `COPY` where `copies`, on Postgres.
    pub async fn begin(db: &DatabaseConnection, copies: bool) -> Result<WriteTxn, DbErr> {
        if db.get_database_backend() == DbBackend::Postgres {
            let txn = db
                .get_postgres_connection_pool()
                .begin()
                .await
                .map_err(|error| DbErr::Conn(runtime(error)))?;
            return Ok(WriteTxn::Postgres {
                txn: Mutex::new(txn),
                copies,
            });
        }
        crate::database::begin_write(db).await.map(WriteTxn::Sqlite)
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            WriteTxn::Sqlite(txn) => txn.commit().await,
            WriteTxn::Postgres { txn, .. } => txn.into_inner().commit().await.map_err(exec_error),
        }
    }

    /// Copies `rows` in, and returns how many there were. A row already there fails the
    /// transaction (a unique violation); SQLite has no `COPY`, and a transaction begun
    /// without copies takes none.
    pub async fn copy_in(&self, rows: &CopyIn) -> Result<u64, DbErr> {
        let WriteTxn::Postgres { txn, copies: true } = self else {
            return Err(DbErr::Custom("this transaction takes no COPY".into()));
        };
        let mut txn = txn.lock().await;
        let mut copy_in = txn.copy_in_raw(&rows.statement).await.map_err(exec_error)?;
        copy_in
            .send(rows.data.as_slice())
            .await
            .map_err(exec_error)?;
        copy_in.finish().await.map_err(exec_error)
    }

    /// Whether writes may copy rows in.
    pub fn copies(&self) -> bool {
        matches!(self, WriteTxn::Postgres { copies: true, .. })
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            WriteTxn::Sqlite(txn) => txn.get_database_backend(),
            WriteTxn::Postgres { .. } => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        match self {
            WriteTxn::Sqlite(txn) => txn.execute_raw(statement).await,
            WriteTxn::Postgres { txn, .. } => bound(statement)
                .execute(&mut **txn.lock().await)
                .await
                .map(ExecResult::from)
                .map_err(exec_error),
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            WriteTxn::Sqlite(txn) => txn.execute_unprepared(sql).await,
            WriteTxn::Postgres { txn, .. } => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut **txn.lock().await)
                .await
                .map(ExecResult::from)
                .map_err(exec_error),
        }
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            WriteTxn::Sqlite(txn) => txn.query_one_raw(statement).await,
            WriteTxn::Postgres { txn, .. } => bound(statement)
                .fetch_optional(&mut **txn.lock().await)
                .await
                .map(|row| row.map(QueryResult::from))
                .map_err(query_error),
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            WriteTxn::Sqlite(txn) => txn.query_all_raw(statement).await,
            WriteTxn::Postgres { txn, .. } => bound(statement)
                .fetch_all(&mut **txn.lock().await)
                .await
                .map(|rows| rows.into_iter().map(QueryResult::from).collect())
                .map_err(query_error),
        }
    }
}

/// The statement with its values bound, moved rather than copied.
fn bound(statement: Statement) -> sqlx::query::Query<'static, Postgres, SqlxValues> {
    let values = statement.values.unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(statement.sql), SqlxValues(values))
}

fn runtime(error: sqlx::Error) -> RuntimeErr {
    RuntimeErr::SqlxError(Arc::new(error))
}

/// Errors as SeaORM's transactions give them, so that their readers (a deadlock's code,
/// a unique key's violation) read them alike.
fn exec_error(error: sqlx::Error) -> DbErr {
    DbErr::Exec(runtime(error))
}

fn query_error(error: sqlx::Error) -> DbErr {
    DbErr::Query(runtime(error))
}
