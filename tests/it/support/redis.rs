//! A real redis-server on a free port, for as long as the value lives.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::time::Duration;

use tempfile::TempDir;

use super::process::{free_port, require_program, stop, wait_until};

pub struct RedisServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let program = require_program(
            "redis-server",
            &["/usr/bin".into(), "/usr/local/bin".into()],
            "apt-get install redis-server",
        );
        let dir = tempfile::Builder::new()
            .prefix("woosync-redis")
            .tempdir()
            .unwrap();
        let port = free_port();
        let log_path = dir.path().join("redis.log");
        let log = File::create(&log_path).unwrap();
        let child = Command::new(program)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "no", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("cannot start redis-server");
        let server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        wait_until("redis-server", Duration::from_secs(20), &log_path, || {
            server.answers_ping()
        });
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

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
