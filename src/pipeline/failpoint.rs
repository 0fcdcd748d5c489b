//! Test-only crash points: `WOOSYNC_FAILPOINT=<name>` (or `<name>:<n>` for the n-th time)
//! aborts the process when a job reaches the named point, so tests of crash recovery hit
//! the exact moment they mean, such as between a page's commit and its follow-up enqueue.
//! Built only with the `failpoints` feature, which the tests enable; elsewhere a point is
//! nothing.

#[cfg(feature = "failpoints")]
use std::sync::OnceLock;
#[cfg(feature = "failpoints")]
use std::sync::atomic::{AtomicU32, Ordering};

#[cfg(feature = "failpoints")]
struct Armed {
    name: String,
    nth: u32,
    reached: AtomicU32,
}

#[cfg(feature = "failpoints")]
fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let value = std::env::var("WOOSYNC_FAILPOINT").ok()?;
            let (name, nth) = match value.split_once(':') {
                Some((name, nth)) => (name.to_string(), nth.parse().ok()?),
                None => (value, 1),
            };
            Some(Armed {
                name,
                nth,
                reached: AtomicU32::new(0),
            })
        })
        .as_ref()
}

/// Aborts the process (as SIGKILL would end it: no unwinding, no cleanup) if `name` is the
/// armed point and this is its n-th time.
#[cfg(feature = "failpoints")]
pub fn reach(name: &str) {
    if let Some(armed) = armed()
        && armed.name == name
        && armed.reached.fetch_add(1, Ordering::SeqCst) + 1 == armed.nth
    {
        eprintln!("failpoint {name} reached: aborting");
        std::process::abort();
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn reach(_name: &str) {}
