//! The rate limit in Redis: one atomic GCRA script, so any number of processes share it.
//! Time is Redis's own (`TIME`), so the processes' clocks need not agree.

use std::time::Duration;

use redis::Script;
use redis::aio::ConnectionManager;

use crate::queue::redis::Reconnecting;

use super::{LimiterUnavailable, RateLimit, RateLimiter};

/// KEYS[1]: the store's key. ARGV: the interval between requests and the burst, in µs and
/// requests. Returns 0 when a request is granted, else the µs until one would be.
/// The theoretical arrival time is kept as an integer string: Lua would print a float.
const GCRA: &str = r#"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowed_at = tat + interval - burst * interval
if allowed_at > now then
  return allowed_at - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0
"#;

#[derive(Clone)]
pub struct RedisRateLimiter {
    connection: Reconnecting,
    script: Script,
    prefix: String,
}

impl RedisRateLimiter {
    /// `prefix` starts every key, as it does the queue's.
    pub fn new(connection: ConnectionManager, prefix: &str) -> Self {
        RedisRateLimiter {
            connection: Reconnecting::new(connection),
            script: Script::new(GCRA),
            prefix: format!("{prefix}rate:"),
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn try_acquire(
        &self,
        store_key: &str,
        limit: RateLimit,
    ) -> Result<Result<(), Duration>, LimiterUnavailable> {
        let interval_us = limit.interval().as_micros() as u64;
        let mut connection = self.connection.clone();
        let wait_us: u64 = self
            .script
            .key(format!("{}{store_key}", self.prefix))
            .arg(interval_us)
            .arg(limit.burst.max(1))
            .invoke_async(&mut connection)
            .await
            .map_err(|error| LimiterUnavailable(error.to_string()))?;
        Ok(match wait_us {
            0 => Ok(()),
            wait => Err(Duration::from_micros(wait)),
        })
    }
}
