//! Enqueues from many concurrent callers gathered into one storage call: while one batch
//! is written, the next gathers, so the queue takes one transaction (SQLite) or one
//! pipeline (Redis) for a crowd of webhook deliveries instead of one each. Each caller
//! still hears only after its own job is stored.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, oneshot};

use super::storage::{Enqueued, NewJob, QueueError, Storage};

type Reply = oneshot::Sender<Result<Enqueued, String>>;

pub struct EnqueueBatcher {
    sender: mpsc::Sender<(NewJob, Reply)>,
}

impl EnqueueBatcher {
    /// A batcher writing batches of at most `max_batch` jobs to `storage`, `in_flight` at
    /// once while the next gathers (Redis answers several pipelines at once; SQLite, one
    /// writer at a time, is best given one). Its task ends when the batcher is dropped.
    pub fn start(storage: Arc<dyn Storage>, max_batch: usize, in_flight: usize) -> EnqueueBatcher {
        let (sender, receiver) = mpsc::channel(max_batch * 4);
        tokio::spawn(write_batches(storage, receiver, max_batch, in_flight));
        EnqueueBatcher { sender }
    }

    pub async fn enqueue(&self, job: NewJob) -> Result<Enqueued, QueueError> {
        let (reply, answer) = oneshot::channel();
        let gone = || QueueError::Unavailable("the enqueue batcher has stopped".into());
        self.sender.send((job, reply)).await.map_err(|_| gone())?;
        answer
            .await
            .map_err(|_| gone())?
            .map_err(QueueError::Unavailable)
    }
}

async fn write_batches(
    storage: Arc<dyn Storage>,
    mut receiver: mpsc::Receiver<(NewJob, Reply)>,
    max_batch: usize,
    in_flight: usize,
) {
    let in_flight = Arc::new(Semaphore::new(in_flight.max(1)));
    let mut batch = Vec::with_capacity(max_batch);
    while receiver.recv_many(&mut batch, max_batch).await > 0 {
        let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
            return;
        };
        let (jobs, replies): (Vec<NewJob>, Vec<Reply>) = batch.drain(..).unzip();
        let storage = Arc::clone(&storage);
        tokio::spawn(async move {
            write_batch(storage.as_ref(), jobs, replies).await;
            drop(permit);
        });
    }
}

async fn write_batch(storage: &dyn Storage, jobs: Vec<NewJob>, replies: Vec<Reply>) {
    match storage.enqueue(jobs).await {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(Ok(result));
            }
        }
        Err(error) => {
            let message = match error {
                QueueError::Unavailable(message) => message,
                other => other.to_string(),
            };
            for reply in replies {
                let _ = reply.send(Err(message.clone()));
            }
        }
    }
}
