//! The rate limit in Redis: one atomic GCRA script, so any number of processes share it.
//! Time is Redis's own (`TIME`), so the processes' clocks need not agree.

use std::time::Duration;

use redis::Script;
use redis::aio::ConnectionManager;

use crate::queue::redis::Reconnecting;

use super::{LimiterUnavailable, RateLimit, RateLimiter, WINDOW};

/// KEYS[1]: the store's theoretical arrival time; KEYS[2]: the times of its last grants,
/// newest first. ARGV: the interval between requests and the burst, in µs and requests;
/// the grants a window may hold (0: none remembered) and the window, in µs. Returns 0
/// when a request is granted, else the µs until one would be.
/// Times are kept as integer strings: Lua would print a float.
const GCRA: &str = r#"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local per_window = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat + interval - burst * interval - now
if per_window > 0 then
  local oldest = redis.call('LINDEX', KEYS[2], per_window - 1)
  if oldest and tonumber(oldest) + window - now > wait then
    wait = tonumber(oldest) + window - now
  end
  local newest = redis.call('LINDEX', KEYS[2], 0)
  if newest and tonumber(newest) + math.floor(interval / 2) - now > wait then
    wait = tonumber(newest) + math.floor(interval / 2) - now
  end
end
if wait > 0 then
  return wait
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
if per_window > 0 then
  redis.call('LPUSH', KEYS[2], string.format('%d', now))
  redis.call('LTRIM', KEYS[2], 0, per_window - 1)
  redis.call('PEXPIRE', KEYS[2], math.ceil(window / 1000) + 1000)
end
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
        let key = format!("{}{store_key}", self.prefix);
        let wait_us: u64 = self
            .script
            .key(&key)
            .key(format!("{key}:granted"))
            .arg(interval_us)
            .arg(limit.burst.max(1))
            .arg(limit.per_window().unwrap_or(0))
            .arg(WINDOW.as_micros() as u64)
            .invoke_async(&mut connection)
            .await
            .map_err(|error| LimiterUnavailable(error.to_string()))?;
        Ok(match wait_us {
            0 => Ok(()),
            wait => Err(Duration::from_micros(wait)),
        })
    }
}
