//! A real PostgreSQL server in a temporary directory on a free port, for as long as the
//! value lives. Postgres refuses to run as root, so as root it runs as the `postgres` user.

use std::fs::File;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::process::{free_port, require_program, stop, wait_until};

pub struct PostgresServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl PostgresServer {
    pub fn start() -> PostgresServer {
        let bin_dirs = postgres_bin_dirs();
        let hint = "apt-get install postgresql";
        let initdb = require_program("initdb", &bin_dirs, hint);
        let postgres = require_program("postgres", &bin_dirs, hint);
        let dir = tempfile::Builder::new()
            .prefix("woosync-pg")
            .tempdir()
            .unwrap();
        let owner = server_user();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let data = dir.path().join("data");
        let log_path = dir.path().join("postgres.log");
        let status = as_owner(Command::new(initdb), owner)
            .arg("-D")
            .arg(&data)
            .args(["-U", "woosync", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .stdout(Stdio::null())
            .stderr(File::create(&log_path).unwrap())
            .status()
            .expect("cannot run initdb");
        assert!(status.success(), "initdb failed: {}", read(&log_path));
        let port = free_port();
        let log = File::create(&log_path).unwrap();
        let child = as_owner(Command::new(postgres), owner)
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-k")
            .arg(dir.path())
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=200"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("cannot start postgres");
        let server = PostgresServer {
            child,
            port,
            _dir: dir,
        };
        wait_until("postgres", Duration::from_secs(30), &log_path, || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
                && read(&log_path).contains("ready to accept")
        });
        server
    }

    /// The URL of a database on this server (create it first; `postgres` always exists).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://woosync@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // SIGINT is Postgres's fast shutdown.
        stop(&mut self.child, "-INT");
    }
}

fn postgres_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    // Newest version first.
    dirs.sort_by_key(|dir| std::cmp::Reverse(dir.clone()));
    dirs
}

/// As root: the uid and gid of the `postgres` user; otherwise none (run as ourselves).
fn server_user() -> Option<(u32, u32)> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid_line = status.lines().find(|line| line.starts_with("Uid:"))?;
    if uid_line.split_whitespace().nth(1) != Some("0") {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let entry = passwd
        .lines()
        .find(|line| line.starts_with("postgres:"))
        .expect("running as root, the tests need the `postgres` user (apt-get install postgresql)");
    let fields: Vec<&str> = entry.split(':').collect();
    Some((fields[2].parse().unwrap(), fields[3].parse().unwrap()))
}

fn as_owner(mut command: Command, owner: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
