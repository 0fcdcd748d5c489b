//! A deployment of woosync for a benchmark, as an operator runs one: a database of its own
//! (a scratch database on the Postgres server `DATABASE_URL` names, else a SQLite file),
//! the queue (Redis under a prefix of its own when `REDIS_URL` is set, else the embedded
//! one), the environment its `woosync` processes get, and the bench process's services
//! on it.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use sea_orm::ConnectionTrait;

use crate::config::Config;
use crate::database;
use crate::secrets::{Secret, SecretKey};
use crate::services::Services;
use crate::stores::{AuthMode, NewStore, SignatureMethod, save_store};
use sim::server::SimInfo;

/// What a deployment keeps in Redis.
#[derive(Debug, Clone, Copy)]
pub struct RedisFootprint {
    pub keys: usize,
    pub bytes: u64,
}

pub struct Deployment {
    pub services: Services,
    /// The environment of the deployment's `woosync` processes.
    pub env: Vec<(String, String)>,
    /// `redis` or `sqlite`.
    pub queue: &'static str,
    /// `postgres` or `sqlite`.
    pub database: &'static str,
    /// The Postgres server and the scratch database made on it, dropped at the end.
    postgres: Option<(String, String)>,
    redis: Option<(String, String)>,
    dir: tempfile::TempDir,
}

impl Deployment {
    /// `settings` go over the defaults of every benchmark: the simulated stores are on this
    /// machine, and the processes log warnings only. `ca_cert` is the simulated store's.
    pub async fn start(
        config: &Config,
        name: &str,
        ca_cert: Option<&Path>,
        settings: &[(&str, &str)],
    ) -> anyhow::Result<Deployment> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("woosync-bench-{name}"))
            .tempdir()?;
        let scratch = format!("woosync_bench_{name}_{}", std::process::id());
        let (database_url, postgres) = match config
            .database_url
            .clone()
            .filter(|url| url.starts_with("postgres"))
        {
            Some(server) => {
                let admin = database::connect_url(&server).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {scratch}"))
                    .await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {scratch}"))
                    .await?;
                admin.close().await?;
                let mut url = url::Url::parse(&server)?;
                url.set_path(&format!("/{scratch}"));
                (url.to_string(), Some((server, scratch.clone())))
            }
            None => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("bench.db").display()
                ),
                None,
            ),
        };
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), database_url),
            ("WOOSYNC_DATA_DIR".into(), dir.path().display().to_string()),
            (
                "WOOSYNC_SECRET_KEY".into(),
                SecretKey::generate().to_base64(),
            ),
            ("WOOSYNC_ALLOW_PRIVATE_STORES".into(), "true".into()),
            ("RUST_LOG".into(), "warn".into()),
        ];
        let redis = config.redis_url.clone().map(|url| {
            let prefix = format!("woosync-bench-{name}-{}:", std::process::id());
            env.push(("REDIS_URL".into(), url.clone()));
            env.push(("WOOSYNC_REDIS_PREFIX".into(), prefix.clone()));
            (url, prefix)
        });
        if let Some(ca_cert) = ca_cert {
            env.push((
                "WOOSYNC_EXTRA_CA_CERT".into(),
                ca_cert.display().to_string(),
            ));
        }
        for (key, value) in settings {
            env.retain(|(name, _)| name != key);
            env.push((key.to_string(), value.to_string()));
        }
        let config = Config::from_lookup(|wanted| {
            env.iter()
                .find(|(key, _)| key == wanted)
                .map(|(_, value)| value.clone())
        })?;
        let db = database::connect(&config).await?;
        database::migrate(&db).await?;
        db.close().await?;
        let services = Services::start(config).await?;
        Ok(Deployment {
            services,
            env,
            queue: if redis.is_some() { "redis" } else { "sqlite" },
            database: if postgres.is_some() {
                "postgres"
            } else {
                "sqlite"
            },
            postgres,
            redis,
            dir,
        })
    }

    /// Connects a simulated store (Basic auth over HTTPS, OAuth 1.0a over HTTP); its id.
    pub async fn connect(&self, store: &SimInfo, rate_limit_per_s: f64) -> anyhow::Result<i64> {
        let https = store.url.starts_with("https");
        Ok(save_store(
            &self.services.db,
            &self.services.context.secret_key,
            NewStore {
                name: store.url.clone(),
                url: store.url.trim_end_matches('/').to_string(),
                auth_mode: if https {
                    AuthMode::Basic
                } else {
                    AuthMode::OAuth1
                },
                signature_method: SignatureMethod::HmacSha256,
                consumer_key: store.consumer_key.clone(),
                consumer_secret: Secret::new(store.consumer_secret.clone()),
                rate_limit_per_s,
            },
        )
        .await?)
    }

    /// Starts `woosync <command>` in this deployment, logging to `<log>.log`.
    pub fn spawn(&self, command: &str, log: &str) -> anyhow::Result<Child> {
        let log = std::fs::File::create(self.log_path(log))?;
        Ok(Command::new(std::env::current_exe()?)
            .arg(command)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(
                self.env
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?)
    }

    /// What the process started with `log` logged.
    pub fn log(&self, log: &str) -> String {
        std::fs::read_to_string(self.log_path(log)).unwrap_or_default()
    }

    fn log_path(&self, log: &str) -> std::path::PathBuf {
        self.dir.path().join(format!("{log}.log"))
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The keys under the deployment's Redis prefix and the bytes Redis holds for them
    /// (`MEMORY USAGE`, every element counted); none on the embedded queue.
    pub async fn redis_footprint(&self) -> anyhow::Result<Option<RedisFootprint>> {
        let Some((url, prefix)) = &self.redis else {
            return Ok(None);
        };
        let (mut redis, keys) = super::webhooks::keys_under(url, prefix).await?;
        let mut bytes = 0;
        for chunk in keys.chunks(1_000) {
            let mut pipeline = redis::pipe();
            for key in chunk {
                pipeline
                    .cmd("MEMORY")
                    .arg("USAGE")
                    .arg(key)
                    .arg("SAMPLES")
                    .arg(0);
            }
            let sizes: Vec<Option<u64>> = pipeline.query_async(&mut redis).await?;
            bytes += sizes.into_iter().flatten().sum::<u64>();
        }
        Ok(Some(RedisFootprint {
            keys: keys.len(),
            bytes,
        }))
    }

    /// Closes the services and removes the scratch database and Redis keys.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.services.db.close().await?;
        if let Some((server, scratch)) = &self.postgres {
            let admin = database::connect_url(server).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE {scratch} WITH (FORCE)"))
                .await?;
            admin.close().await?;
        }
        if let Some((url, prefix)) = &self.redis {
            super::webhooks::forget_prefix(url, prefix).await?;
        }
        Ok(())
    }
}
