//! The `woosync` binary as an operator runs it.

use std::process::{Command, Output};

fn woosync(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_woosync"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("WOOSYNC_SECRET_KEY");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("cannot run woosync")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn migrate_creates_the_default_database_and_is_safe_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("WOOSYNC_DATA_DIR", data.to_str().unwrap())];
    for _ in 0..2 {
        let output = woosync(&["migrate"], &env);
        assert!(output.status.success(), "{}", text(&output));
        assert!(text(&output).contains("up to date"), "{}", text(&output));
    }
    assert!(data.join("woosync.db").is_file());
}

#[test]
fn help_lists_the_commands() {
    let output = woosync(&["--help"], &[]);
    assert!(output.status.success());
    assert!(text(&output).contains("migrate"), "{}", text(&output));
}

#[test]
fn a_bad_setting_fails_naming_the_variable() {
    let output = woosync(&["migrate"], &[("LOG_FORMAT", "xml")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("LOG_FORMAT"), "{}", text(&output));
}

#[test]
fn the_demo_catches_up_with_its_store_and_again_on_a_second_run() {
    let dir = tempfile::tempdir().unwrap();
    // PORT taken: the demo picks another.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port().to_string();
    let env = [
        ("WOOSYNC_DATA_DIR", dir.path().to_str().unwrap()),
        ("REDIS_URL", ""),
        ("PORT", &taken_port),
    ];
    let args = [
        "demo",
        "--until-synced",
        "--products",
        "150",
        "--orders",
        "250",
        "--customers",
        "40",
        "--rate-limit",
        "1000",
    ];
    for run in ["first", "second"] {
        let output = woosync(&args, &env);
        assert!(output.status.success(), "{run} run: {}", text(&output));
        let said = text(&output);
        // Written to a pipe: plain lines, quiet logs, one line for the migrations.
        assert!(!said.contains('\u{1b}'), "{run} run: colour codes: {said}");
        assert!(!said.contains("Applying migration"), "{run} run: {said}");
        if run == "first" {
            assert!(said.contains("database ready: applied "), "{said}");
        }
        let held = said
            .lines()
            .find(|line| line.starts_with("records held: "))
            .unwrap_or_else(|| panic!("{run} run: no summary: {said}"));
        // Order notes are fetched only for orders changed since the store was connected.
        for resource in ["products", "product_variations", "orders", "order_refunds"] {
            assert!(held.contains(&format!("{resource} ")), "{run} run: {held}");
        }
        assert!(
            said.contains("the database equals the store"),
            "{run} run: {said}"
        );
        assert!(said.contains("15 webhooks registered"), "{run} run: {said}");
        let api = said
            .lines()
            .find_map(|line| line.strip_prefix("woosync API at http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no API address: {said}"));
        assert!(!api.starts_with(&format!("{taken_port},")), "{api}");
    }
}

#[test]
fn serve_refuses_to_start_without_an_api_token() {
    let dir = tempfile::tempdir().unwrap();
    let output = woosync(
        &["serve"],
        &[
            ("WOOSYNC_DATA_DIR", dir.path().to_str().unwrap()),
            ("WOOSYNC_API_TOKEN", ""),
        ],
    );
    assert!(!output.status.success());
    assert!(
        text(&output).contains("WOOSYNC_API_TOKEN"),
        "{}",
        text(&output)
    );
}

#[test]
fn connect_refuses_a_url_with_credentials_and_sync_an_unknown_store() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("WOOSYNC_DATA_DIR", dir.path().to_str().unwrap())];
    let output = woosync(
        &[
            "connect",
            "--url",
            "https://ck:cs@shop.example",
            "--consumer-key",
            "ck",
            "--consumer-secret",
            "cs",
        ],
        &env,
    );
    assert!(!output.status.success());
    assert!(text(&output).contains("credentials"), "{}", text(&output));

    let output = woosync(&["sync", "--store", "42"], &env);
    assert!(!output.status.success());
    assert!(
        text(&output).contains("store 42 does not exist"),
        "{}",
        text(&output)
    );
}

#[test]
fn connect_holds_a_store_to_what_the_api_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = [("WOOSYNC_DATA_DIR", dir.path().to_str().unwrap())];
    let connect = |url: &str, env: &[(&str, &str)]| {
        let args = [
            "connect",
            "--url",
            url,
            "--consumer-key",
            "ck_x",
            "--consumer-secret",
            "cs_x",
        ];
        woosync(&args, &[data.as_slice(), env].concat())
    };

    let output = connect("http://shop.example", &[]);
    assert!(!output.status.success());
    assert!(
        text(&output).contains("WOOSYNC_ALLOW_HTTP_STORES"),
        "{}",
        text(&output)
    );

    let output = connect("https://10.1.2.3", &[]);
    assert!(!output.status.success());
    assert!(
        text(&output).contains("10.1.2.3, a loopback or private address"),
        "{}",
        text(&output)
    );

    // Allowed, and nothing listening there: connected all the same, as through the API.
    let output = connect(
        "https://127.0.0.1:1",
        &[("WOOSYNC_ALLOW_PRIVATE_STORES", "true")],
    );
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1");
}

/// `woosync sim` in the background: its address and keys from its first line.
struct Sim {
    child: std::process::Child,
    info: serde_json::Value,
}

impl Sim {
    fn start(env: &[(&str, &str)]) -> Sim {
        use std::io::BufRead;
        let mut command = Command::new(env!("CARGO_BIN_EXE_woosync"));
        command
            .args(["sim", "--port", "0", "--products", "40", "--orders", "60"])
            .args(["--customers", "10", "--reviews", "5"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("cannot start the simulated store");
        let stdout = child.stdout.take().unwrap();
        let mut first = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut first)
            .unwrap();
        Sim {
            child,
            info: serde_json::from_str(&first).expect("the simulated store's first line"),
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `woosync` to its end, or fails the test after `limit`.
fn woosync_within(args: &[&str], env: &[(&str, &str)], limit: std::time::Duration) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_woosync"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("WOOSYNC_SECRET_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("cannot run woosync");
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "woosync {args:?} did not end within {limit:?}: {}",
                text(&output)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn sync_follow_waits_for_its_runs_and_exits_with_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let env = [
        ("WOOSYNC_DATA_DIR", data),
        ("REDIS_URL", ""),
        ("WOOSYNC_ALLOW_HTTP_STORES", "true"),
        ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
    ];
    let sim = Sim::start(&env);
    let url = sim.info["url"].as_str().unwrap();
    let key = sim.info["consumer_key"].as_str().unwrap();
    let secret = sim.info["consumer_secret"].as_str().unwrap();
    assert!(woosync(&["migrate"], &env).status.success());
    let connect = |secret: &str| {
        let args = [
            "connect",
            "--url",
            url,
            "--consumer-key",
            key,
            "--consumer-secret",
            secret,
            "--rate-limit",
            "500",
        ];
        let output = woosync(&args, &env);
        assert!(output.status.success(), "{}", text(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    let store = connect(secret);
    let mut worker = Command::new(env!("CARGO_BIN_EXE_woosync"))
        .arg("work")
        .envs(env.iter().copied())
        .env_remove("DATABASE_URL")
        .env_remove("WOOSYNC_SECRET_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let limit = std::time::Duration::from_secs(120);

    let output = woosync_within(&["sync", "--store", &store, "--follow"], &env, limit);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(!said.contains('\u{1b}'), "colour codes in a pipe: {said}");
    let summary = said
        .lines()
        .find(|line| line.starts_with("synced in"))
        .unwrap_or_else(|| panic!("no summary: {said}"));
    for resource in [
        "products",
        "product_variations",
        "orders",
        "order_refunds",
        "customers",
    ] {
        assert!(
            summary.contains(&format!("{resource} ")),
            "{resource}: {summary}"
        );
    }

    // Connected again with a wrong secret: the same store, its runs refused.
    assert_eq!(connect("cs_wrong"), store);
    let output = woosync_within(
        &["sync", "--store", &store, "--mode", "backfill", "--follow"],
        &env,
        limit,
    );
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("run failed"), "{said}");
    let _ = worker.kill();
    let _ = worker.wait();
}
