//! A simulated WooCommerce store in the test's process, and clients for it.

use std::sync::Arc;
use std::time::Duration;

use sim::generate::Sizes;
use sim::server::{SimOptions, SimServer};
use tempfile::TempDir;
use url::Url;
use woosync::secrets::Secret;
use woosync::stores::AuthMode;
use woosync::woo::auth::oauth1::SignatureMethod;
use woosync::woo::client::{StoreConnection, WooClient, http_client};
use woosync::woo::public_address::StoreAddresses;
use woosync::woo::rate_limit::{LocalRateLimiter, RateLimit, RateLimiter};

pub struct TestSim {
    pub server: SimServer,
    _certs: TempDir,
}

impl TestSim {
    pub async fn start(tls: bool, sizes: Sizes) -> TestSim {
        let certs = tempfile::tempdir().unwrap();
        let server = SimServer::start(SimOptions {
            port: 0,
            tls,
            seed: 7,
            sizes,
            cert_dir: certs.path().to_path_buf(),
            http_callbacks: true,
        })
        .await
        .expect("the simulated store starts");
        TestSim {
            server,
            _certs: certs,
        }
    }

    /// The store's own credentials and auth: Basic over TLS, OAuth 1.0a over plain HTTP.
    pub fn connection(&self) -> StoreConnection {
        let info = &self.server.info;
        StoreConnection {
            store_id: 1,
            site_url: Url::parse(&info.url).unwrap(),
            auth: if info.ca_cert.is_some() {
                AuthMode::Basic
            } else {
                AuthMode::OAuth1
            },
            consumer_key: info.consumer_key.clone(),
            consumer_secret: Secret::new(info.consumer_secret.clone()),
            signature_method: SignatureMethod::HmacSha256,
            rate_limit: RateLimit::per_second(10_000.0),
        }
    }

    pub fn client(&self, connection: StoreConnection) -> WooClient {
        self.client_with(
            connection,
            Arc::new(LocalRateLimiter::default()),
            Duration::from_secs(30),
        )
    }

    pub fn client_with(
        &self,
        connection: StoreConnection,
        limiter: Arc<dyn RateLimiter>,
        timeout: Duration,
    ) -> WooClient {
        let http = http_client(
            self.server.info.ca_cert.as_deref(),
            timeout,
            StoreAddresses::Any,
        )
        .unwrap();
        WooClient::new(http, connection, limiter)
    }
}
