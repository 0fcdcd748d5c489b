//! The rate limit within one process, for the embedded mode: `governor`'s GCRA, one
//! limiter per store, rebuilt when the store's limit changes, and the store's last grants.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};

use super::{LimiterUnavailable, RateLimit, RateLimiter, WINDOW};

#[derive(Default)]
pub struct LocalRateLimiter {
    stores: Mutex<HashMap<String, StoreBudget>>,
}

struct StoreBudget {
    limit: RateLimit,
    gcra: DefaultDirectRateLimiter,
    /// When the last requests were granted, oldest first; at most a window's worth.
    granted: VecDeque<Instant>,
}

impl StoreBudget {
    fn new(limit: RateLimit) -> Self {
        StoreBudget {
            limit,
            gcra: DefaultDirectRateLimiter::direct(quota(limit)),
            granted: VecDeque::new(),
        }
    }

    fn try_acquire(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        let per_window = self.limit.per_window();
        if let Some(per_window) = per_window {
            let window_full = self
                .granted
                .front()
                .filter(|_| self.granted.len() >= per_window as usize)
                .map(|oldest| *oldest + WINDOW);
            let spaced = self
                .granted
                .back()
                .map(|newest| *newest + self.limit.interval() / 2);
            if let Some(free_at) = window_full.max(spaced)
                && now < free_at
            {
                return Err(free_at - now);
            }
        }
        self.gcra
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))?;
        if let Some(per_window) = per_window {
            self.granted.push_back(now);
            while self.granted.len() > per_window as usize {
                self.granted.pop_front();
            }
        }
        Ok(())
    }
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
        let budget = stores
            .entry(store_key.to_string())
            .or_insert_with(|| StoreBudget::new(limit));
        if budget.limit != limit {
            *budget = StoreBudget::new(limit);
        }
        Ok(budget.try_acquire())
    }
}
