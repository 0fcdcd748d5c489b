//! No secret leaves woosync: a run against stores that fail in every way, with the
//! secret in the query string of every request, is searched for it everywhere an operator
//! looks (logs, the jobs API and the database, the dashboard, the test route).

use std::time::Duration;

use entity::queue_jobs;
use sea_orm::EntityTrait;
use serde_json::json;
use sim::generate::Sizes;
use sim::store::lock;

use crate::support::app::TestApp;
use crate::support::pipeline::{QueueKind, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn no_output_of_a_failing_run_holds_a_secret() {
    let app = TestApp::start_with(
        QueueKind::Embedded,
        Sizes::default(),
        &[
            ("WOOSYNC_ALLOW_PRIVATE_STORES", "true"),
            ("WOOSYNC_RETRY_FIRST_DELAY_S", "0.01"),
            ("WOOSYNC_REQUEST_TIMEOUT_S", "1"),
        ],
    )
    .await;
    let sim = &app.pipeline.sim.server;
    let secret = sim.info.consumer_secret.clone();
    let unreachable_secret = "cs_nobody_answers_0123456789abcdef0123456789";
    // A store failing a third of its requests in every way it can, with its keys in the
    // query string; and one that nothing answers.
    sim.set_faults(|faults| {
        faults.error_rate = 0.15;
        faults.truncated_rate = 0.1;
        faults.timeout_rate = 0.05;
        faults.php_notice = true;
    });
    let mut stores = Vec::new();
    for (url, key, store_secret) in [
        (
            sim.info.url.as_str(),
            sim.info.consumer_key.as_str(),
            secret.as_str(),
        ),
        ("https://127.0.0.1:1", "ck_nobody", unreachable_secret),
    ] {
        let (_, connected) = app
            .integration(
                "connect",
                json!({
                    "store_url": url,
                    "consumer_key": key,
                    "consumer_secret": store_secret,
                    "auth_mode": "query_string",
                    "rate_limit": 1000.0,
                }),
            )
            .await;
        stores.push(connected["store_id"].as_i64().unwrap());
    }
    let mut answers = Vec::new();
    for store in &stores {
        let (_, tested) = app.integration("test", json!({"store_id": store})).await;
        answers.push(tested.to_string());
        let (_, started) = app
            .integration("sync/all", json!({"store_id": store}))
            .await;
        answers.push(started.to_string());
    }
    let mut worker = app
        .pipeline
        .spawn_process(&["work"], &[("RUST_LOG", "info")]);
    // The unreachable store's jobs use their attempts up and land in the failed set.
    wait_for(
        "a job in the failed set",
        Duration::from_secs(60),
        || async {
            let (_, failed) = app
                .get(&format!("/api/jobs?state=failed&store_id={}", stores[1]))
                .await;
            failed["jobs"]
                .as_array()
                .is_some_and(|jobs| !jobs.is_empty())
        },
    )
    .await;
    wait_for(
        "the failing store to fail",
        Duration::from_secs(60),
        || async { lock(&sim.store.faults_served).total() >= 5 },
    )
    .await;
    let _ = worker.kill();
    let _ = worker.wait();

    for state in ["failed", "scheduled", "pending", "running", "done"] {
        let (_, jobs) = app
            .get(&format!("/api/jobs?state={state}&per_page=200"))
            .await;
        for job in jobs["jobs"].as_array().unwrap_or(&Vec::new()) {
            let (_, one) = app
                .get(&format!("/api/jobs/{}", job["id"].as_str().unwrap()))
                .await;
            answers.push(one.to_string());
        }
        answers.push(jobs.to_string());
    }
    for path in [
        "/api/stores".to_string(),
        format!("/api/stores/{}", stores[1]),
    ] {
        answers.push(app.get(&path).await.1.to_string());
    }
    let rows = queue_jobs::Entity::find()
        .all(&app.pipeline.services.db)
        .await
        .unwrap();
    assert!(
        rows.iter().any(|job| job.last_error.is_some()),
        "attempts failed, with their errors kept"
    );
    answers.extend(rows.iter().map(|job| format!("{job:?}")));
    answers.push(app.dashboard_html().await);
    let logs: Vec<String> = std::fs::read_dir(app.pipeline.dir.path())
        .unwrap()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "log").then(|| std::fs::read_to_string(path).ok())?
        })
        .collect();
    assert!(
        logs.iter()
            .any(|log| log.contains("WARN") || log.contains("ERROR")),
        "the worker logged its failures"
    );
    let everything: Vec<&String> = answers.iter().chain(&logs).collect();
    assert!(
        everything.iter().any(|text| text.contains("127.0.0.1:1")),
        "the unreachable store's failures are there to search"
    );
    for text in everything {
        for leaked in [secret.as_str(), unreachable_secret] {
            assert!(!text.contains(leaked), "a secret in: {text}");
        }
    }
}
