//! Room for pages of listings in a worker's memory.
//!
//! A page is read only once there is room for it, and room is held until the page is
//! written. Requests are not held back for room: a slow store needs dozens of requests
//! in flight to keep to its rate limit, and a request waiting on the store costs nothing.
//! But an answer that has arrived and waits for room is already partly buffered, so once
//! as many answers wait as there is room for, a new request waits until one of them gets
//! in: a fast store is asked only as fast as its pages are written.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{AcquireError, Notify, OwnedSemaphorePermit, Semaphore};

pub struct PageMemory {
    room: Arc<Semaphore>,
    pages: usize,
    /// Answers arrived and waiting for room.
    waiting: AtomicUsize,
    /// Wakes one held-back request each time a waiting answer gets in.
    admitted: Notify,
}

/// Room for one page, held until the page is written.
pub type PageRoom = OwnedSemaphorePermit;

impl PageMemory {
    pub fn new(pages: usize) -> PageMemory {
        PageMemory {
            room: Arc::new(Semaphore::new(pages)),
            pages,
            waiting: AtomicUsize::new(0),
            admitted: Notify::new(),
        }
    }

    /// Before a request is sent: waits while as many answers wait for room as there is.
    pub async fn before_request(&self) {
        loop {
            let admitted = self.admitted.notified();
            if self.waiting.load(Ordering::Acquire) < self.pages {
                return;
            }
            admitted.await;
        }
    }

    /// Once an answer's head has arrived: waits for room to read the page.
    pub async fn room_for_page(&self) -> Result<PageRoom, AcquireError> {
        let waiting = Waiting::enter(self);
        let room = Arc::clone(&self.room).acquire_owned().await;
        drop(waiting);
        room
    }
}

/// Counts an answer waiting for room, until it gets in or its job is dropped.
struct Waiting<'a>(&'a PageMemory);

impl<'a> Waiting<'a> {
    fn enter(memory: &'a PageMemory) -> Waiting<'a> {
        memory.waiting.fetch_add(1, Ordering::AcqRel);
        Waiting(memory)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
        self.0.admitted.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::FutureExt;

    use super::*;

    #[tokio::test]
    async fn requests_wait_only_while_answers_wait_for_room() {
        let memory = Arc::new(PageMemory::new(1));
        // Requests go out freely while nothing waits for room.
        assert!(memory.before_request().now_or_never().is_some());
        let first = memory.room_for_page().await.unwrap();
        assert!(memory.before_request().now_or_never().is_some());

        // A second answer waits for the first page's room: now requests are held back.
        let waiting = tokio::spawn({
            let memory = Arc::clone(&memory);
            async move { memory.room_for_page().await.unwrap() }
        });
        tokio::time::timeout(Duration::from_secs(5), async {
            while memory.waiting.load(Ordering::Acquire) == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the second answer waits for room");
        let held_back = memory.before_request();
        tokio::pin!(held_back);
        assert!((&mut held_back).now_or_never().is_none());

        // The first page written, the waiting answer gets in and the request goes.
        drop(first);
        let _second = waiting.await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), held_back)
            .await
            .expect("the held-back request goes once the waiting answer got in");
    }
}
