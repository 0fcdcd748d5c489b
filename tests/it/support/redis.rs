//! A real redis-server on a free port, for as long as the value lives.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use tempfile::TempDir;

use super::process::{free_port, require_program, stop, wait_until};

pub struct RedisServer {
    child: Child,
    port: u16,
    durable: bool,
    dir: TempDir,
}

impl RedisServer {
    /// A throwaway server: nothing written to disk.
    pub fn start() -> RedisServer {
        RedisServer::launch(false)
    }

    /// A server as README.md tells operators to run it: AOF on (here fsynced on every
    /// write, so a test's kill loses nothing the server acknowledged), no eviction.
    pub fn start_durable() -> RedisServer {
        RedisServer::launch(true)
    }

    fn launch(durable: bool) -> RedisServer {
        let dir = tempfile::Builder::new()
            .prefix("woosync-redis")
            .tempdir()
            .unwrap();
        let port = free_port();
        let child = spawn(port, durable, dir.path());
        let server = RedisServer {
            child,
            port,
            durable,
            dir,
        };
        server.wait_ready();
        server
    }

    /// Kills the server (SIGKILL, no chance to save) and starts it again on the same port
    /// and files.
    pub fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn(self.port, self.durable, self.dir.path());
        self.wait_ready();
    }

    /// Kills the server for good (SIGKILL): Redis is gone until the value is dropped.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&self) {
        let log = self.dir.path().join("redis.log");
        wait_until("redis-server", Duration::from_secs(20), &log, || {
            self.answers_ping()
        });
    }

    /// While it loads its AOF a server answers `-LOADING`, not `+PONG`.
    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        stop(&mut self.child, "-TERM");
    }
}

fn spawn(port: u16, durable: bool, dir: &Path) -> Child {
    let program = require_program(
        "redis-server",
        &["/usr/bin".into(), "/usr/local/bin".into()],
        "apt-get install redis-server",
    );
    let log = File::options()
        .create(true)
        .append(true)
        .open(dir.join("redis.log"))
        .unwrap();
    let (appendonly, fsync) = if durable {
        ("yes", "always")
    } else {
        ("no", "no")
    };
    Command::new(program)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--appendonly", appendonly, "--appendfsync", fsync])
        .args([
            "--maxmemory-policy",
            "noeviction",
            "--protected-mode",
            "yes",
        ])
        .arg("--dir")
        .arg(dir)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("cannot start redis-server")
}
