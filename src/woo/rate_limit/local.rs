//! The rate limit within one process, for the embedded mode: `governor`'s GCRA, one
//! limiter per store, rebuilt when the store's limit changes.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};

use super::{LimiterUnavailable, RateLimit, RateLimiter};

#[derive(Default)]
pub struct LocalRateLimiter {
    stores: Mutex<HashMap<String, (RateLimit, DefaultDirectRateLimiter)>>,
}

fn quota(limit: RateLimit) -> Quota {
    let burst = NonZeroU32::new(limit.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(limit.interval())
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

#[async_trait::async_trait]
impl RateLimiter for LocalRateLimiter {
    async fn try_acquire(
        &self,
        store_key: &str,
        limit: RateLimit,
    ) -> Result<Result<(), Duration>, LimiterUnavailable> {
        let mut stores = self
            .stores
            .lock()
            .map_err(|_| LimiterUnavailable("a thread panicked holding the limiter".into()))?;
        let entry = stores
            .entry(store_key.to_string())
            .or_insert_with(|| (limit, DefaultDirectRateLimiter::direct(quota(limit))));
        if entry.0 != limit {
            *entry = (limit, DefaultDirectRateLimiter::direct(quota(limit)));
        }
        Ok(entry
            .1
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now())))
    }
}
