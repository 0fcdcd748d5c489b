//! Guessing the API token is throttled: a client gets so many tries a minute (sign-ins;
//! API requests whose token is wrong), then 429 until its budget refills. Keyed by the
//! client's address (behind a proxy, the proxy's: all guessers share one budget).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Throttle {
    /// A client has `per_minute` tries at once, and as many come back a minute.
    pub fn per_minute(per_minute: u32) -> Throttle {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        Throttle {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Takes a try for the client of `request`; when it has none left, how long until it
    /// has one.
    pub fn try_take<B>(&self, request: &Request<B>) -> Result<(), Duration> {
        let client = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        self.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}
