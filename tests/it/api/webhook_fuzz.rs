//! The webhook receiver fed arbitrary headers and bodies: never a panic or a 500, and
//! nothing queued without a valid signature.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::json;
use sim::generate::Sizes;
use sim::store::lock;
use sim::webhooks::signature;

use crate::support::app::TestApp;
use crate::support::pipeline::QueueKind;

const HEADERS: [&str; 6] = [
    "x-wc-webhook-topic",
    "x-wc-webhook-signature",
    "x-wc-webhook-delivery-id",
    "x-wc-webhook-source",
    "content-type",
    "content-length",
];

#[tokio::test(flavor = "multi_thread")]
async fn arbitrary_deliveries_never_break_the_receiver_or_reach_the_queue() {
    let app = TestApp::start(QueueKind::Embedded, Sizes::default()).await;
    let store = app.connect_sim().await;
    app.integration("webhooks/setup", json!({"store_id": store}))
        .await;
    let secret = lock(&app.pipeline.sim.server.store.webhooks)[0]
        .secret
        .clone();
    let seed = rand::rng().random::<u64>();
    eprintln!("fuzz seed {seed}");
    let mut dice = StdRng::seed_from_u64(seed);
    let valid =
        json!({"id": 5, "name": "A", "date_modified_gmt": "2026-01-01T00:00:00"}).to_string();
    let topics = [
        "product.updated",
        "order.deleted",
        "",
        "product.",
        "action.x",
        "ÿ.updated",
        "coupon.restored",
    ];
    for round in 0..1_500 {
        let body: Vec<u8> = match dice.random_range(0..4) {
            0 => (0..dice.random_range(0..300))
                .map(|_| dice.random())
                .collect(),
            1 => valid.clone().into_bytes(),
            2 => {
                let mut mutated = valid.clone().into_bytes();
                let at = dice.random_range(0..mutated.len());
                mutated[at] = dice.random();
                mutated
            }
            _ => b"webhook_id="
                .iter()
                .copied()
                .chain((0..dice.random_range(0..5)).map(|_| dice.random()))
                .collect(),
        };
        let mut request = app.http.post(format!(
            "{}/api/integrations/woocommerce/webhooks/handle{}",
            app.url,
            [
                "",
                &format!("?store={store}"),
                "?store=abc",
                "?store=-1",
                "?store=99999999999999999999"
            ][dice.random_range(0..5)]
        ));
        for name in HEADERS {
            if name == "content-length" || dice.random_bool(0.3) {
                continue;
            }
            let value = match name {
                "x-wc-webhook-topic" => topics[dice.random_range(0..topics.len())].to_string(),
                // Signed with a key that is not the store's, or over other bytes.
                "x-wc-webhook-signature" => match dice.random_range(0..3) {
                    0 => signature("not-the-secret", &body),
                    1 => signature(&secret, b"other bytes"),
                    _ => (0..dice.random_range(0..60))
                        .map(|_| dice.random_range(b' '..=b'~') as char)
                        .collect(),
                },
                _ => (0..dice.random_range(0..40))
                    .map(|_| dice.random_range(b' '..=b'~') as char)
                    .collect(),
            };
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.unwrap();
        assert!(
            !response.status().is_server_error(),
            "round {round} (seed {seed}): {}",
            response.status()
        );
        assert!(
            [
                StatusCode::OK,
                StatusCode::BAD_REQUEST,
                StatusCode::UNAUTHORIZED,
                StatusCode::NOT_FOUND
            ]
            .contains(&response.status()),
            "round {round}: {}",
            response.status()
        );
    }
    assert_eq!(app.deliveries_queued().await, 0);
}
