//! What every route handler shares.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use super::throttle::Throttle;
use crate::queue::batcher::EnqueueBatcher;
use crate::services::Services;
use crate::webhooks::secrets::WebhookSecrets;

/// At most this many webhook deliveries go to the queue in one write.
const DELIVERIES_PER_BATCH: usize = 256;

#[derive(Clone)]
pub struct ApiState {
    pub services: Services,
    pub api_token: Arc<str>,
    /// Where stores reach this service: `WOOSYNC_PUBLIC_URL`, or the address it listens on.
    pub public_url: Arc<str>,
    pub webhook_secrets: Arc<WebhookSecrets>,
    /// Webhook deliveries arriving together are enqueued together.
    pub deliveries: Arc<EnqueueBatcher>,
    pub metrics: PrometheusHandle,
    /// Sign-ins to the dashboard, per client: a person needs a few.
    pub sign_in_throttle: Arc<Throttle>,
    /// API requests with a wrong token, per client: a misconfigured script makes more.
    pub token_throttle: Arc<Throttle>,
}

impl ApiState {
    pub fn new(services: Services, api_token: &str, public_url: &str) -> ApiState {
        let webhook_secrets =
            WebhookSecrets::new(services.db.clone(), services.context.secret_key.clone());
        let in_flight = if services.config.redis_url.is_some() {
            4
        } else {
            1
        };
        let deliveries =
            EnqueueBatcher::start(Arc::clone(&services.queue), DELIVERIES_PER_BATCH, in_flight);
        ApiState {
            services,
            api_token: Arc::from(api_token),
            public_url: Arc::from(public_url.trim_end_matches('/')),
            webhook_secrets: Arc::new(webhook_secrets),
            deliveries: Arc::new(deliveries),
            metrics: crate::telemetry::metrics_handle(),
            sign_in_throttle: Arc::new(Throttle::per_minute(10)),
            token_throttle: Arc::new(Throttle::per_minute(120)),
        }
    }
}
