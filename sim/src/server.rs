//! Running the simulated store: plain HTTP (OAuth 1.0a, as WooCommerce requires there) or
//! HTTPS with a self-signed certificate for `127.0.0.1` and `localhost`, written out so
//! other clients can trust it.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use serde::Serialize;

use super::api::{self, API_ROOT};
use super::app_auth;
use super::auth::ApiKey;
use super::control;
use super::faults::Faults;
use super::generate::Sizes;
use super::store::{SimStore, write};

/// How to run a simulated store.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// 0 picks a free port.
    pub port: u16,
    pub tls: bool,
    pub seed: u64,
    pub sizes: Sizes,
    /// Where the TLS certificate is written.
    pub cert_dir: PathBuf,
    /// Lets app authentication call back over plain HTTP, for tests and the demo on one
    /// machine (a real store insists on https).
    pub http_callbacks: bool,
}

/// What a client needs to use a running simulated store; `woosync sim` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct SimInfo {
    /// The site root, as a user would type it.
    pub url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    /// The certificate to trust for HTTPS, or none over plain HTTP.
    pub ca_cert: Option<PathBuf>,
    /// The store admin's login, who approves apps at `/wc-auth/v1/authorize`.
    pub admin_user: String,
    pub admin_password: String,
}

pub struct SimServer {
    /// The first store's (the only one's, unless started with several).
    pub info: SimInfo,
    pub store: Arc<SimStore>,
    /// Every store served, each a WordPress site of its own.
    pub sites: Vec<SimSite>,
    task: tokio::task::JoinHandle<()>,
}

/// One store of a server: its address and keys, and its state.
pub struct SimSite {
    pub info: SimInfo,
    pub store: Arc<SimStore>,
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on port {port}: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("cannot make the TLS certificate: {0}")]
    Certificate(String),
}

#[derive(Clone)]
struct App {
    store: Arc<SimStore>,
    tls: bool,
}

async fn wc_api(State(app): State<App>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    api::handle(
        app.store,
        app.tls,
        parts.method,
        parts.uri,
        parts.headers,
        body,
    )
    .await
}

impl SimServer {
    /// Changes the store's faults in place.
    pub fn set_faults(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut write(&self.store.faults));
    }

    pub async fn start(options: SimOptions) -> Result<SimServer, StartError> {
        SimServer::start_many(options, 1).await
    }

    /// `count` stores from one process, each a subdirectory site (`/shop-1/`, `/shop-2/`,
    /// ...) with its own keys, data (seeded `seed + n`), faults, rate limit and webhooks;
    /// one store is served at the root.
    pub async fn start_many(options: SimOptions, count: usize) -> Result<SimServer, StartError> {
        let listener = TcpListener::bind(("127.0.0.1", options.port)).map_err(|source| {
            StartError::Listen {
                port: options.port,
                source,
            }
        })?;
        let address: SocketAddr = listener.local_addr().map_err(|source| StartError::Listen {
            port: options.port,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| StartError::Listen {
                port: options.port,
                source,
            })?;
        let scheme = if options.tls { "https" } else { "http" };
        let root = format!("{scheme}://127.0.0.1:{}", address.port());
        let ca_cert = if options.tls {
            Some(options.cert_dir.join("sim-ca.pem"))
        } else {
            None
        };
        let mut router = Router::new();
        let mut sites = Vec::with_capacity(count.max(1));
        for n in 0..count.max(1) {
            let path = if count <= 1 {
                String::new()
            } else {
                format!("/shop-{}", n + 1)
            };
            let seed = options.seed.wrapping_add(n as u64);
            let key = ApiKey {
                consumer_key: format!("ck_sim_{seed:040x}"),
                consumer_secret: format!(
                    "cs_sim_{:040x}",
                    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ),
                permissions: "read_write".into(),
                manage_woocommerce: true,
            };
            let url = format!("{root}{path}");
            let store = SimStore::with_callbacks(
                &url,
                seed,
                &options.sizes,
                key.clone(),
                options.http_callbacks,
            );
            let site = site_router(Arc::clone(&store), options.tls);
            router = if path.is_empty() {
                router.merge(site)
            } else {
                router.nest(&path, site)
            };
            sites.push(SimSite {
                info: SimInfo {
                    url,
                    consumer_key: key.consumer_key,
                    consumer_secret: key.consumer_secret,
                    ca_cert: ca_cert.clone(),
                    admin_user: app_auth::ADMIN_USER.into(),
                    admin_password: store.admin_password.clone(),
                },
                store,
            });
        }
        let task = if options.tls {
            let (config, _) = tls_config(&options.cert_dir).await?;
            let server = axum_server::from_tcp_rustls(listener, config).map_err(|source| {
                StartError::Listen {
                    port: options.port,
                    source,
                }
            })?;
            tokio::spawn(async move {
                let _ = server.serve(router.into_make_service()).await;
            })
        } else {
            let listener = tokio::net::TcpListener::from_std(listener).map_err(|source| {
                StartError::Listen {
                    port: options.port,
                    source,
                }
            })?;
            tokio::spawn(async move {
                let _ = axum::serve(listener, router).await;
            })
        };
        let first = &sites[0];
        Ok(SimServer {
            info: first.info.clone(),
            store: Arc::clone(&first.store),
            sites,
            task,
        })
    }
}

/// One store's routes: the REST API, its namespace index, the control API and app
/// authentication.
fn site_router(store: Arc<SimStore>, tls: bool) -> Router {
    let app = App {
        store: Arc::clone(&store),
        tls,
    };
    Router::new()
        .route(&format!("{API_ROOT}{{*path}}"), axum::routing::any(wc_api))
        .with_state(app)
        .route(
            API_ROOT.trim_end_matches('/'),
            axum::routing::get(namespace_index),
        )
        .merge(control::router().with_state(Arc::clone(&store)))
        .merge(app_auth::router().with_state(store))
}

/// `GET /wp-json/wc/v3`: the namespace's index, which WordPress serves without
/// credentials (what tells a WooCommerce store from another site).
async fn namespace_index() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "namespace": "wc/v3",
        "routes": {"/wc/v3": {"namespace": "wc/v3", "methods": ["GET"]}},
    }))
}

/// A self-signed certificate for `127.0.0.1` and `localhost`, its PEM written to
/// `cert_dir/sim-ca.pem` for clients to trust. It is marked as a CA, as one made by
/// `openssl req -x509` with its defaults is: what staging stores are commonly given.
async fn tls_config(
    cert_dir: &Path,
) -> Result<(axum_server::tls_rustls::RustlsConfig, PathBuf), StartError> {
    let certificate_error = |error: rcgen::Error| StartError::Certificate(error.to_string());
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(certificate_error)?;
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().map_err(certificate_error)?;
    let cert = params.self_signed(&key).map_err(certificate_error)?;
    let cert_pem = cert.pem();
    let key_pem = key.serialize_pem();
    std::fs::create_dir_all(cert_dir)
        .map_err(|error| StartError::Certificate(error.to_string()))?;
    let path = cert_dir.join("sim-ca.pem");
    std::fs::write(&path, &cert_pem).map_err(|error| StartError::Certificate(error.to_string()))?;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(
        cert_pem.into_bytes(),
        key_pem.into_bytes(),
    )
    .await
    .map_err(|error| StartError::Certificate(error.to_string()))?;
    Ok((config, path))
}
