//! One store budget in Redis holds across processes: two processes asking as fast as they
//! can never get more than the rate plus the burst in any one-second window.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use woosync::woo::rate_limit::{LocalRateLimiter, RateLimit, RateLimiter, RedisRateLimiter};

use crate::support::redis::RedisServer;

const CHILD_ENV: &str = "WOOSYNC_TEST_LIMITER_CHILD_REDIS";
const LIMIT: RateLimit = RateLimit {
    per_second: 5.0,
    burst: 2,
};
const RUN_FOR: Duration = Duration::from_secs(3);

/// Asks for requests as fast as the limiter allows for `RUN_FOR`, printing when each
/// was granted.
async fn hammer(limiter: &dyn RateLimiter) -> Vec<u128> {
    let start = Instant::now();
    let mut granted = Vec::new();
    while start.elapsed() < RUN_FOR {
        match limiter.try_acquire("store-1", LIMIT).await.unwrap() {
            Ok(()) => granted.push(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_micros(),
            ),
            Err(wait) => tokio::time::sleep(wait).await,
        }
    }
    granted
}

/// The most grants within any one second.
fn busiest_second(mut granted: Vec<u128>) -> usize {
    granted.sort_unstable();
    let mut most = 0;
    let mut first = 0;
    for last in 0..granted.len() {
        while granted[last] - granted[first] >= 1_000_000 {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

#[tokio::test]
async fn two_processes_share_one_store_limit() {
    if let Ok(url) = std::env::var(CHILD_ENV) {
        let client = redis::Client::open(url).unwrap();
        let limiter = RedisRateLimiter::new(client.get_connection_manager().await.unwrap());
        for at in hammer(&limiter).await {
            println!("GRANTED {at}");
        }
        return;
    }
    let server = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "rate_limit::two_processes_share_one_store_limit",
                    "--nocapture",
                ])
                .env(CHILD_ENV, server.url())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut granted = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mine: Vec<u128> = stdout
            .lines()
            .filter_map(|line| line.strip_prefix("GRANTED "))
            .map(|at| at.parse().unwrap())
            .collect();
        assert!(!mine.is_empty(), "a process got no request at all");
        granted.extend(mine);
    }
    let bound = LIMIT.per_second as usize + LIMIT.burst as usize;
    let most = busiest_second(granted.clone());
    eprintln!(
        "{} requests granted in {RUN_FOR:?}; at most {most} in one second",
        granted.len()
    );
    assert!(
        most <= bound,
        "{most} requests in one second, more than {bound}"
    );
}

#[tokio::test]
async fn the_local_limiter_keeps_the_same_budget() {
    let limiter = LocalRateLimiter::default();
    let granted = hammer(&limiter).await;
    assert!(granted.len() >= 5, "the budget was never granted");
    let bound = LIMIT.per_second as usize + LIMIT.burst as usize;
    assert!(busiest_second(granted) <= bound);
}
