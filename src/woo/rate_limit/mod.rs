//! The per-store rate limit: one budget of requests per second that every worker process
//! shares (in Redis), or that one process keeps (embedded mode). Both are GCRA, so a
//! store sees at most `burst` requests at once and then one every `1 / per_second`, and
//! both keep the times of the last requests granted, so that no second ever holds more
//! than `per_second` of them.

mod local;
mod redis;

use std::time::Duration;

pub use local::LocalRateLimiter;
pub use redis::RedisRateLimiter;

/// A store's budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    /// Requests allowed back to back before the rate applies.
    pub burst: u32,
}

/// A store's requests may come two at once. A caller that asks for the next request late
/// (its timer fired a millisecond after it was due, the round trip to Redis) can then
/// make up the lateness with the one after; with no burst, the lateness of every request
/// was lost for good: a limit of 20 requests/s gave 19.5. The window below keeps the
/// burst from adding a request to any second, and no two requests are granted closer
/// than half an interval, so a window that held a store back does not release a pair.
const BURST: u32 = 2;

/// The window in which at most `per_second` requests are granted, whatever the burst: a
/// second, and a little more, as the way to the store varies and a host counts requests
/// as they arrive.
const WINDOW: Duration = Duration::from_millis(1_020);

/// Limits above this many requests a second are kept by GCRA alone: remembering every
/// request of a second would cost more than the one request the burst may add to it.
const MOST_REMEMBERED: u32 = 1_000;

impl RateLimit {
    pub fn per_second(per_second: f64) -> Self {
        RateLimit {
            per_second,
            burst: BURST,
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second.max(0.001))
    }

    /// How many requests a `WINDOW` may hold, where the window is kept (at least one).
    fn per_window(&self) -> Option<u32> {
        let whole = self.per_second.floor().max(1.0);
        (whole <= f64::from(MOST_REMEMBERED)).then_some(whole as u32)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the rate limiter is unavailable: {0}")]
pub struct LimiterUnavailable(pub String);

/// Takes one request from a store's budget, or says how long until one is free (taking
/// nothing, so a caller that gives up costs the store nothing).
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    async fn try_acquire(
        &self,
        store_key: &str,
        limit: RateLimit,
    ) -> Result<Result<(), Duration>, LimiterUnavailable>;
}
