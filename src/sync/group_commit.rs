//! Writes of many jobs committed together in one transaction.
//!
//! SQLite lets one transaction write at a time, and every transaction pays the same fixed
//! costs while it holds the lock: the round trips of `BEGIN` and `COMMIT` to the
//! connection's thread, and the WAL frames of the pages every write touches (the run's row,
//! the last leaf of each index). Writes that arrive while a batch commits are gathered and
//! committed together, so a busy worker pays those costs once for several pages. Each
//! write still hears only its own outcome: a batch that fails is written again one write
//! at a time, so a write that cannot succeed fails alone.
//!
//! On SQLite the writers run on a thread of their own. Every statement is a round trip
//! to the connection's thread, and its answer used to wait for a runtime worker, busy
//! parsing a page for milliseconds at a time, to poll the writer again: the median
//! `BEGIN` took 1 ms. On its own thread the writer is polled as soon as the answer comes
//! (0.3 ms).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::{DatabaseBackend, DatabaseConnection, DbErr};
use tokio::sync::{Mutex as AsyncMutex, mpsc, oneshot};

use super::outbox::Outbox;
use super::write_txn::WriteTxn;

pub type WriteFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, DbErr>> + Send + 't>>;

/// A write committed along with others. It runs inside a transaction it must not end, and
/// may run twice: once with its batch and, if the batch fails, again alone.
pub trait GroupWrite: Send + Sync + 'static {
    type Output: Send + 'static;

    /// The events of its changes go to `outbox`, inserted just before the commit.
    fn write<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, Self::Output>;

    /// The run whose row the write updates, a row other writes update too. A batch writes
    /// in the order of these, so that two batches never take two runs' rows in opposite
    /// orders and wait on each other.
    fn run_row(&self) -> Option<i64> {
        None
    }
}

/// Writes gathered into one transaction at most: enough to share the fixed costs, few
/// enough that a batch holds SQLite's lock for tens of milliseconds, not seconds.
const MAX_BATCH: usize = 8;

#[derive(Clone)]
pub struct GroupCommit {
    sender: mpsc::Sender<Box<dyn Queued>>,
}

/// Told after each commit that wrote events.
pub type OnEvents = Arc<dyn Fn() + Send + Sync>;

impl GroupCommit {
    /// `writers` batches commit at once: one for SQLite, which writes one at a time; more
    /// for Postgres, which writes several. On SQLite the writers run on a thread of their
    /// own, which ends once every handle to the group commit is dropped. Postgres
    /// connections are sockets of the runtime that opened them, so there the writers stay
    /// on the caller's runtime.
    pub fn start(
        db: DatabaseConnection,
        writers: usize,
        on_events: OnEvents,
    ) -> std::io::Result<GroupCommit> {
        let (sender, receiver) = mpsc::channel(MAX_BATCH * 4);
        let receiver = Arc::new(AsyncMutex::new(receiver));
        let batches = (0..writers.max(1))
            .map(|_| commit_batches(db.clone(), Arc::clone(&receiver), Arc::clone(&on_events)))
            .collect::<Vec<_>>();
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            for batch in batches {
                tokio::spawn(batch);
            }
            return Ok(GroupCommit { sender });
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("woosync-writer".into())
            .spawn(move || runtime.block_on(futures_util::future::join_all(batches)))?;
        Ok(GroupCommit { sender })
    }

    /// Commits `write`, with whatever other writes are waiting, and returns what it gave.
    pub async fn write<W: GroupWrite>(&self, write: W) -> Result<W::Output, DbErr> {
        let (reply, answer) = oneshot::channel();
        let queued = Box::new(Waiting {
            write,
            output: Mutex::new(None),
            reply,
        });
        let stopped = || DbErr::Custom("the database writer has stopped".into());
        self.sender.send(queued).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// A write waiting for its batch, its output type erased.
trait Queued: Send + Sync {
    fn apply<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, ()>;
    fn finish(self: Box<Self>, outcome: Result<(), DbErr>);
    fn run_row(&self) -> Option<i64>;
}

struct Waiting<W: GroupWrite> {
    write: W,
    /// What the write gave in the last transaction it ran in.
    output: Mutex<Option<W::Output>>,
    reply: oneshot::Sender<Result<W::Output, DbErr>>,
}

impl<W: GroupWrite> Queued for Waiting<W> {
    fn apply<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, ()> {
        Box::pin(async move {
            let output = self.write.write(txn, outbox).await?;
            *self.output.lock().unwrap_or_else(PoisonError::into_inner) = Some(output);
            Ok(())
        })
    }

    fn finish(self: Box<Self>, outcome: Result<(), DbErr>) {
        let Waiting { output, reply, .. } = *self;
        let output = output.into_inner().unwrap_or_else(PoisonError::into_inner);
        let answer = outcome.and_then(|()| {
            output.ok_or_else(|| DbErr::Custom("a committed write gave no output".into()))
        });
        // The job that asked may have been stopped; its write is committed all the same.
        let _ = reply.send(answer);
    }

    fn run_row(&self) -> Option<i64> {
        self.write.run_row()
    }
}

async fn commit_batches(
    db: DatabaseConnection,
    receiver: Arc<AsyncMutex<mpsc::Receiver<Box<dyn Queued>>>>,
    on_events: OnEvents,
) {
    let mut batch: Vec<Box<dyn Queued>> = Vec::with_capacity(MAX_BATCH);
    loop {
        if receiver.lock().await.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        batch.sort_by_key(|write| write.run_row());
        match commit_again_after_deadlock(&db, &batch).await {
            Ok(events) => {
                if events > 0 {
                    on_events();
                }
                batch.drain(..).for_each(|write| write.finish(Ok(())));
            }
            Err(error) if batch.len() == 1 => {
                if let Some(write) = batch.pop() {
                    write.finish(Err(error));
                }
            }
            Err(_) => {
                for write in batch.drain(..) {
                    let alone =
                        commit_again_after_deadlock(&db, std::slice::from_ref(&write)).await;
                    if alone.as_ref().is_ok_and(|events| *events > 0) {
                        on_events();
                    }
                    write.finish(alone.map(|_| ()));
                }
            }
        }
    }
}

/// Times a transaction Postgres ended to break a deadlock is committed again at once.
const DEADLOCK_RETRIES: usize = 3;

/// Commits the writes in one transaction, again at once if Postgres chose it to end a
/// deadlock: the other transaction goes on, so the next try passes. Batches take the runs'
/// rows in one order, but a record written by a page and by a webhook at once can still
/// cross another batch; failing the job instead would put it behind the queue's backoff.
/// Rows copied in that met a row already there (a page written twice) are written again,
/// by upserts.
async fn commit_again_after_deadlock(
    db: &DatabaseConnection,
    writes: &[Box<dyn Queued>],
) -> Result<u64, DbErr> {
    let (mut retries, mut copies) = (0, true);
    loop {
        match commit_together(db, writes, copies).await {
            Err(error)
                if retries < DEADLOCK_RETRIES
                    && matches!(sql_state(&error).as_deref(), Some("40P01" | "40001")) =>
            {
                retries += 1;
                tracing::info!(%error, retries, "a transaction ended by a deadlock is committed again");
            }
            Err(error) if copies && sql_state(&error).as_deref() == Some(UNIQUE_VIOLATION) => {
                copies = false;
                tracing::debug!(%error, "rows copied in met rows already kept; upserting them");
            }
            outcome => return outcome,
        }
    }
}

const UNIQUE_VIOLATION: &str = "23505";

/// The SQLSTATE of the database's error: Postgres ends a transaction to break a deadlock
/// with 40P01 and a serialization conflict with 40001, which trying again resolves.
fn sql_state(error: &DbErr) -> Option<String> {
    use sea_orm::{RuntimeErr, sqlx};
    if let DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) =
        error
        && let sqlx::Error::Database(error) = error.as_ref()
    {
        return error.code().map(String::from);
    }
    None
}

/// Commits the writes in one transaction; how many events they made.
async fn commit_together(
    db: &DatabaseConnection,
    writes: &[Box<dyn Queued>],
    copies: bool,
) -> Result<u64, DbErr> {
    let txn = WriteTxn::begin(db, copies).await?;
    let outbox = Outbox::default();
    for write in writes {
        // A failed write leaves the transaction to be rolled back when dropped.
        write.apply(&txn, &outbox).await?;
    }
    let events = outbox.flush(&txn).await?;
    txn.commit().await?;
    Ok(events)
}
