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
