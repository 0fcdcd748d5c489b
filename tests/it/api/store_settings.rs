//! `PATCH /api/stores/{id}`: a store's name, rate limit, order notes and own schedules
//! changed after connecting it; what is left out stays, and bad values are refused whole.

use entity::stores;
use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::json;
use sim::generate::Sizes;

use crate::support::app::{TestApp, code};
use crate::support::pipeline::QueueKind;

#[tokio::test(flavor = "multi_thread")]
async fn a_stores_settings_change_and_bad_ones_are_refused_whole() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    let path = format!("/api/stores/{store}");
    let patch = |body| app.call(Method::PATCH, &path, Some(body));

    let (status, view) = patch(json!({
        "name": "Renamed",
        "rate_limit": 12.5,
        "backfill_order_notes": true,
        "poll_cron": "0 */5 * * * *",
        "sweep_cron": "0 0 * * * *",
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        (
            &view["name"],
            &view["rate_limit"],
            &view["backfill_order_notes"],
            &view["poll_cron"],
            &view["sweep_cron"],
            &view["refresh_cron"],
        ),
        (
            &json!("Renamed"),
            &json!(12.5),
            &json!(true),
            &json!("0 */5 * * * *"),
            &json!("0 0 * * * *"),
            &json!(null),
        )
    );

    // Null puts a schedule back on the process's; what is left out stays.
    let (status, view) = patch(json!({"poll_cron": null})).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["poll_cron"], json!(null));
    assert_eq!(view["sweep_cron"], json!("0 0 * * * *"));
    assert_eq!(view["name"], json!("Renamed"));

    for (body, expected) in [
        (json!({"sweep_cron": "every hour"}), "invalid_schedule"),
        (json!({"rate_limit": 0}), "invalid_rate_limit"),
        (json!({"name": "  "}), "invalid_name"),
        (
            json!({"name": "Never", "rate_limit": -1}),
            "invalid_rate_limit",
        ),
    ] {
        let (status, answer) = patch(body.clone()).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}"
        );
    }
    let kept = stores::Entity::find_by_id(store)
        .one(&app.pipeline.services.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.name, "Renamed",
        "a refused change leaves the store as it was"
    );
    assert_eq!(kept.sweep_cron.as_deref(), Some("0 0 * * * *"));

    let (status, answer) = app
        .call(Method::PATCH, "/api/stores/999", Some(json!({"name": "x"})))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::NOT_FOUND, "store_not_found")
    );
}
