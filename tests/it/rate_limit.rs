//! One store budget in Redis holds across processes: two processes asking a store as fast
//! as they can, each through its own client, never reach it more often than the rate in
//! any one-second window, counted where it matters, at the store.
//!
//! The limiter grants at most the rate in any second; the store counts the requests as
//! they arrive, and on a loaded machine the way there varies by a quarter of a second (a
//! first request opens its connection), which can bring one request into the next one's
//! second. So the store may see one more, never two.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sim::generate::Sizes;
use url::Url;
use woosync::secrets::Secret;
use woosync::stores::AuthMode;
use woosync::woo::auth::oauth1::SignatureMethod;
use woosync::woo::client::{ListQuery, StoreConnection, WooClient, http_client};
use woosync::woo::public_address::StoreAddresses;
use woosync::woo::rate_limit::{LocalRateLimiter, RateLimit, RateLimiter, RedisRateLimiter};

use crate::support::redis::RedisServer;
use crate::support::sim::TestSim;

const CHILD_ENV: &str = "WOOSYNC_TEST_LIMITER_CHILD";
const LIMIT: RateLimit = RateLimit {
    per_second: 2.0,
    burst: 2,
};
const RUN_FOR: Duration = Duration::from_secs(3);

/// Milliseconds since the first of the events.
fn since_first(mut at_us: Vec<u128>) -> Vec<u128> {
    at_us.sort_unstable();
    let first = at_us.first().copied().unwrap_or_default();
    at_us.iter().map(|at| (at - first) / 1000).collect()
}

/// The most events within any one second.
fn busiest_second(mut at_us: Vec<u128>) -> usize {
    at_us.sort_unstable();
    let mut most = 0;
    let mut first = 0;
    for last in 0..at_us.len() {
        while at_us[last] - at_us[first] >= 1_000_000 {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

/// The child's part: ask the store for pages as fast as the shared limit allows.
async fn hammer_store(spec: &str) {
    let [redis_url, url, key, secret, ca_cert]: [&str; 5] =
        spec.split('|').collect::<Vec<_>>().try_into().unwrap();
    let redis = redis::Client::open(redis_url).unwrap();
    let limiter = RedisRateLimiter::new(redis.get_connection_manager().await.unwrap(), "woosync:");
    let http = http_client(
        Some(std::path::Path::new(ca_cert)),
        Duration::from_secs(10),
        StoreAddresses::Any,
    )
    .unwrap();
    let client = WooClient::new(
        http,
        StoreConnection {
            store_id: 1,
            site_url: Url::parse(url).unwrap(),
            auth: AuthMode::Basic,
            consumer_key: key.into(),
            consumer_secret: Secret::new(secret),
            signature_method: SignatureMethod::HmacSha256,
            rate_limit: LIMIT,
        },
        Arc::new(limiter),
    );
    let start = Instant::now();
    let mut served = 0;
    while start.elapsed() < RUN_FOR {
        let query = ListQuery {
            per_page: Some(1),
            ..ListQuery::default()
        };
        match client.list_page("products", &query).await {
            Ok(_) => served += 1,
            Err(error) => {
                tokio::time::sleep(error.retry_after().unwrap_or(Duration::from_millis(10))).await
            }
        }
    }
    println!("SERVED {served}");
}

#[tokio::test]
async fn two_processes_share_one_store_limit() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        return hammer_store(&spec).await;
    }
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let sim = TestSim::start(true, Sizes::default()).await;
    let info = &sim.server.info;
    let spec = [
        redis.url(),
        info.url.clone(),
        info.consumer_key.clone(),
        info.consumer_secret.clone(),
        info.ca_cert.as_ref().unwrap().display().to_string(),
    ]
    .join("|");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "rate_limit::two_processes_share_one_store_limit",
                    "--nocapture",
                ])
                .env(CHILD_ENV, &spec)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !stdout.contains("SERVED 0"),
            "a process got no request through: {stdout}"
        );
    }
    let seen: Vec<u128> = sim
        .server
        .store
        .requests()
        .iter()
        .map(|request| request.at_us)
        .collect();
    let bound = LIMIT.per_second as usize + 1;
    let most = busiest_second(seen.clone());
    eprintln!(
        "the store saw {} requests in {RUN_FOR:?}; at most {most} in one second",
        seen.len()
    );
    assert!(
        most <= bound,
        "the store saw {most} requests in one second, more than {bound}; they came at (ms) {:?}",
        since_first(seen)
    );
}

/// Asks for one store's requests through `limiters` in turn, as fast as they grant them,
/// for `RUN_FOR`: for each grant, when it was asked for and when the answer came.
async fn grants(limiters: &[&dyn RateLimiter]) -> Vec<(Instant, Instant)> {
    let start = Instant::now();
    let mut granted = Vec::new();
    for limiter in limiters.iter().cycle() {
        if start.elapsed() >= RUN_FOR {
            break;
        }
        let asked = Instant::now();
        match limiter.try_acquire("store-1", LIMIT).await.unwrap() {
            Ok(()) => granted.push((asked, Instant::now())),
            Err(wait) => tokio::time::sleep(wait).await,
        }
    }
    granted
}

/// The burst makes up for a late request, but never puts a request over the rate in a
/// second: any `per_second + 1` grants span a second at least. A grant was made between
/// its asking and its answer, so the span is at most from the first's asking to the
/// last's answer.
fn assert_within_rate(granted: &[(Instant, Instant)]) {
    let expected = (LIMIT.per_second * RUN_FOR.as_secs_f64()) as usize;
    assert!(
        granted.len() >= expected,
        "{} grants in {RUN_FOR:?} at {}/s",
        granted.len(),
        LIMIT.per_second
    );
    let per_second = LIMIT.per_second as usize;
    for (at, (first, last)) in granted.iter().zip(&granted[per_second..]).enumerate() {
        let span = last.1 - first.0;
        assert!(
            span >= Duration::from_secs(1),
            "grants {at} to {} came within {span:?}",
            at + per_second
        );
    }
}

#[tokio::test]
async fn the_local_limiter_keeps_the_same_budget() {
    let limiter = LocalRateLimiter::default();
    assert_within_rate(&grants(&[&limiter]).await);
}

#[tokio::test]
async fn redis_limiters_grant_no_more_than_the_rate_in_any_second() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let client = redis::Client::open(redis.url()).unwrap();
    let first = RedisRateLimiter::new(client.get_connection_manager().await.unwrap(), "a:");
    let second = RedisRateLimiter::new(client.get_connection_manager().await.unwrap(), "a:");
    assert_within_rate(&grants(&[&first, &second]).await);
}
