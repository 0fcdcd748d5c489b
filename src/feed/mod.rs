//! The change feed out: the events the outbox wrote (`sync::outbox`), read by cursor
//! (`read`), delivered to consumer endpoints as signed webhooks (`endpoints`, `delivery`,
//! `signature`, woken by `waker`), and pruned after their retention (`retention`).

pub mod cursor;
pub mod delivery;
pub mod endpoints;
pub mod envelope;
pub mod read;
pub mod retention;
pub mod signature;
pub mod types;
pub mod waker;
