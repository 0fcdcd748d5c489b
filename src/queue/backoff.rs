//! When a failed job runs again: exponential backoff with jitter (`backon`), the one place
//! retries are timed.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The delay before the second attempt, before jitter.
    pub first_delay: Duration,
    pub factor: f32,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_delay: Duration::from_secs(2),
            factor: 2.0,
            max_delay: Duration::from_secs(15 * 60),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `attempt` (1-based): `first_delay * factor^(attempt-1)`
    /// capped at `max_delay`, plus a random jitter of up to as much again, so that jobs that
    /// failed together do not come back together.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        ExponentialBuilder::new()
            .with_min_delay(self.first_delay)
            .with_factor(self.factor)
            .with_max_delay(self.max_delay)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(attempt.saturating_sub(1) as usize)
            .unwrap_or(self.max_delay)
    }

    /// The bounds `delay_after(attempt)` stays within.
    pub fn bounds(&self, attempt: u32) -> (Duration, Duration) {
        let base = self
            .first_delay
            .mul_f64(f64::from(self.factor).powi(attempt.saturating_sub(1) as i32))
            .min(self.max_delay);
        (base, base * 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_within_their_jitter() {
        let policy = RetryPolicy {
            first_delay: Duration::from_millis(100),
            factor: 2.0,
            max_delay: Duration::from_secs(60),
        };
        for attempt in 1..=6 {
            let (low, high) = policy.bounds(attempt);
            assert_eq!(low, Duration::from_millis(100 * 2u64.pow(attempt - 1)));
            for _ in 0..50 {
                let delay = policy.delay_after(attempt);
                assert!(
                    delay >= low && delay <= high,
                    "attempt {attempt}: {delay:?}"
                );
            }
        }
    }
}
