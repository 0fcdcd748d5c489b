//! Starting server processes for tests, and waiting on them with a deadline.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("cannot bind a loopback port")
        .port()
}

/// Finds a program on PATH or in `extra_dirs`; a test that needs it fails loudly without it.
pub fn require_program(name: &str, extra_dirs: &[PathBuf], install_hint: &str) -> PathBuf {
    let path_dirs = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    path_dirs
        .iter()
        .chain(extra_dirs)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` was not found: these tests need the real server ({install_hint})")
        })
}

/// Polls `ready` until it holds, failing the test with `what` and the server's log after
/// `deadline`.
pub fn wait_until(what: &str, deadline: Duration, log: &Path, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > deadline {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} was not ready within {deadline:?}; its log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stops a server: a polite signal first, then SIGKILL if it lingers.
pub fn stop(child: &mut Child, signal: &str) {
    let _ = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}
