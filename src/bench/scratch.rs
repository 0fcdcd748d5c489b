//! The in-process benchmarks' services on a scratch SQLite database, with a store
//! connected that nothing calls, and the real router on a loopback port to receive the
//! store's webhooks.

use crate::api::ApiState;
use crate::config::Config;
use crate::database;
use crate::secrets::Secret;
use crate::services::Services;
use crate::stores::{AuthMode, NewStore, SignatureMethod, save_store};
use crate::webhooks::secrets::ensure_secret;

/// Services of the process's own on a scratch SQLite database (and, with `REDIS_URL`,
/// Redis under a prefix of their own), with a store `https://bench.example` connected
/// that nothing calls.
pub struct Scratch {
    pub services: Services,
    pub store_id: i64,
    /// `redis` or `sqlite`.
    pub queue: &'static str,
    pub config: Config,
    _dir: tempfile::TempDir,
}

impl Scratch {
    /// `adjust` changes the configuration after the scratch database is set in it.
    pub async fn start(
        config: &Config,
        name: &str,
        adjust: impl FnOnce(Config) -> Config,
    ) -> anyhow::Result<Scratch> {
        let dir = tempfile::tempdir()?;
        let queue = if config.redis_url.is_some() {
            "redis"
        } else {
            "sqlite"
        };
        let config = adjust(Config {
            database_url: Some(format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            )),
            data_dir: dir.path().to_path_buf(),
            redis_prefix: format!("woosync-bench-{name}-{}:", std::process::id()),
            ..config.clone()
        });
        let db = database::connect(&config).await?;
        database::migrate(&db).await?;
        db.close().await?;
        let services = Services::start(config.clone()).await?;
        let store_id = save_store(
            &services.db,
            &services.context.secret_key,
            NewStore {
                name: "bench".into(),
                url: "https://bench.example".into(),
                auth_mode: AuthMode::Basic,
                signature_method: SignatureMethod::HmacSha256,
                consumer_key: "ck_bench".into(),
                consumer_secret: Secret::new("cs_bench"),
                rate_limit_per_s: 5.0,
            },
        )
        .await?;
        Ok(Scratch {
            services,
            store_id,
            queue,
            config,
            _dir: dir,
        })
    }

    /// Removes the scratch keys from Redis.
    pub async fn forget(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.config.redis_url {
            super::webhooks::forget_prefix(url, &self.config.redis_prefix).await?;
        }
        Ok(())
    }
}

/// The real router on a free loopback port, where the scratch store delivers webhooks.
pub struct Receiver {
    pub url: String,
    /// The store's webhook secret.
    pub secret: Secret,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Scratch {
    pub async fn receiver(&self) -> anyhow::Result<Receiver> {
        let store = crate::stores::find_store(&self.services.db, self.store_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the bench store vanished"))?;
        let secret =
            ensure_secret(&self.services.db, &self.services.context.secret_key, &store).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!(
            "http://{}/api/integrations/woocommerce/webhooks/handle?store={}",
            listener.local_addr()?,
            self.store_id
        );
        let state = ApiState::new(self.services.clone(), "bench-token", "http://127.0.0.1");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(crate::api::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Ok(Receiver {
            url,
            secret,
            stop,
            server,
        })
    }
}

impl Receiver {
    /// Stops the router once the requests under way are answered.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await??;
        Ok(())
    }
}
