//! Configuration, read from the environment only (12-factor), typed, with defaults that
//! work on a laptop. A bad value fails at start with the variable's name and what it expects.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use cron::Schedule;

use crate::secrets::SecretKey;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: where the synced copy lives. Unset: a SQLite file in the data directory.
    pub database_url: Option<String>,
    /// `WOOSYNC_DATA_DIR`: the SQLite database and the generated secret key live here.
    pub data_dir: PathBuf,
    /// `WOOSYNC_SECRET_KEY`: encrypts store credentials at rest. Unset: a key generated once
    /// into the data directory.
    pub secret_key: Option<SecretKey>,
    /// `REDIS_URL`: the queue and the shared rate limit on Redis. Unset: the embedded queue.
    pub redis_url: Option<String>,
    /// `WOOSYNC_REDIS_PREFIX`: the start of every key woosync keeps in Redis (default
    /// `woosync:`), so that one Redis can serve several deployments.
    pub redis_prefix: String,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `WOOSYNC_EXTRA_CA_CERT`: a PEM certificate to trust besides the system's (staging
    /// stores, the simulated store).
    pub extra_ca_cert: Option<PathBuf>,
    /// `WOOSYNC_WORKER_CONCURRENCY`: jobs a worker process runs at once (default 64: jobs
    /// mostly wait on slow stores, and a job waiting on a store's rate limit gives its
    /// slot back, so many fit on a core).
    pub worker_concurrency: usize,
    /// `WOOSYNC_HEARTBEAT_S` and `WOOSYNC_ORPHAN_AFTER_S`: how often a worker says it is
    /// alive (default 5), and how long a silent one has before its jobs go to others
    /// (default 30).
    pub heartbeat: Duration,
    pub orphan_after: Duration,
    /// `WOOSYNC_POLL_CRON`: when the clock polls every active store (default every 15
    /// minutes), unless a store has its own.
    pub poll_cron: Schedule,
    /// `WOOSYNC_SWEEP_CRON`: when the clock runs an ID sweep of every store (default hourly,
    /// at half past: deletions no webhook reports are found within the hour), unless a
    /// store has its own.
    pub sweep_cron: Schedule,
    /// `WOOSYNC_REFRESH_CRON`: when the clock lists every record of every store again and
    /// writes what changed by content, for what WooCommerce changes without moving a
    /// modified date (default weekly, Sunday 04:00 UTC), unless a store has its own.
    pub refresh_cron: Schedule,
    /// `WOOSYNC_WEBHOOK_CHECK_CRON`: when the clock re-enables webhooks a store disabled
    /// (default hourly, at five past).
    pub webhook_check_cron: Schedule,
    /// `WOOSYNC_RESUME_AFTER_S`: a run without progress this long (default 600) gets its
    /// missing jobs again.
    pub resume_after: Duration,
    /// `WOOSYNC_RETRY_FIRST_DELAY_S`: the backoff before a failed job's second attempt
    /// (default 2); each later one doubles, with jitter, up to 15 minutes.
    pub retry_first_delay: Duration,
    /// `WOOSYNC_REQUEST_TIMEOUT_S`: how long a request to a store may take (default 60).
    pub request_timeout: Duration,
    /// `WOOSYNC_MODIFIED_OVERLAP_S`: how far before the watermark an incremental run looks
    /// again (default 300).
    pub modified_overlap: Duration,
    /// `PORT`: where `serve` and `dev` listen (default 8080).
    pub port: u16,
    /// `HOST`: the address `serve` and `dev` listen on (default 127.0.0.1; `0.0.0.0` to be
    /// reached from other machines).
    pub host: std::net::IpAddr,
    /// `WOOSYNC_API_TOKEN`: the bearer token every API route but the webhook receiver,
    /// health and metrics needs. Unset: `serve` refuses to start; `dev` and `demo` make one.
    pub api_token: Option<String>,
    /// `WOOSYNC_METRICS_TOKEN`: when set, `/metrics` needs it as a bearer token.
    pub metrics_token: Option<String>,
    /// `WOOSYNC_METRICS_PORT`: where `work` and `schedule` serve their own `/metrics`
    /// (they have no web server otherwise); unset, they serve none.
    pub metrics_port: Option<u16>,
    /// `WOOSYNC_PUBLIC_URL`: where stores reach this service, for webhook delivery URLs
    /// (default: the address listened on; `http://127.0.0.1:<PORT>` when that is every
    /// address).
    pub public_url: Option<String>,
    /// `WOOSYNC_ALLOW_HTTP_STORES`: connect stores over plain HTTP (with OAuth 1.0a).
    pub allow_http_stores: bool,
    /// `WOOSYNC_ALLOW_PRIVATE_STORES`: connect stores at loopback or private addresses
    /// (refused by default, so that the service cannot be pointed at its own network).
    pub allow_private_stores: bool,
    /// `WOOSYNC_ALLOW_PRIVATE_ENDPOINTS`: deliver the change feed to consumer endpoints at
    /// loopback or private addresses (refused by default, as private stores are).
    pub allow_private_endpoints: bool,
    /// `WOOSYNC_EVENT_RETENTION_DAYS`: how long the change feed keeps events (default 14).
    pub event_retention: Duration,
    /// `WOOSYNC_EVENT_RETRY_FIRST_DELAY_S`: the first retry of a failed event delivery
    /// (default 5); each next waits twice as long, up to 10 hours.
    pub event_retry_first_delay: Duration,
    /// `WOOSYNC_EVENT_RETRY_FOR_S`: how long an endpoint may fail before it is disabled
    /// (default 259200, three days).
    pub event_retry_for: Duration,
    /// `WOOSYNC_WEBHOOK_DEDUPE_S`: how long a webhook's content is remembered, so that a
    /// replay or a duplicate is not applied again (default 86400, a day).
    pub webhook_dedupe_window: Duration,
    /// `WOOSYNC_WEBHOOK_MAX_BYTES`: the largest webhook body taken (default 4 MiB; an order
    /// with hundreds of lines is well under 1 MiB).
    pub webhook_max_bytes: usize,
}

/// Cron expressions take seconds first: `sec min hour day-of-month month day-of-week`.
pub const DEFAULT_POLL_CRON: &str = "0 */15 * * * *";
pub const DEFAULT_SWEEP_CRON: &str = "0 30 * * * *";
pub const DEFAULT_REFRESH_CRON: &str = "0 0 4 * * Sun";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let database_url = get("DATABASE_URL");
        if let Some(url) = &database_url {
            let known = ["sqlite:", "postgres://", "postgresql://"];
            if !known.iter().any(|scheme| url.starts_with(scheme)) {
                return Err(ConfigError {
                    variable: "DATABASE_URL",
                    problem: "expected a sqlite: or postgres:// URL".into(),
                });
            }
        }
        let redis_url = get("REDIS_URL");
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(ConfigError {
                variable: "REDIS_URL",
                problem: "expected a redis:// or rediss:// URL".into(),
            });
        }
        let secret_key = get("WOOSYNC_SECRET_KEY")
            .map(|text| SecretKey::parse(&text))
            .transpose()
            .map_err(|problem| ConfigError {
                variable: "WOOSYNC_SECRET_KEY",
                problem,
            })?;
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "LOG_FORMAT",
                    problem: format!("expected `text` or `json`, got `{other}`"),
                });
            }
        };
        let seconds = |variable: &'static str, default: u64| -> Result<Duration, ConfigError> {
            get(variable).map_or(Ok(Duration::from_secs(default)), |text| {
                text.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|value| value.is_finite() && *value > 0.0)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| ConfigError {
                        variable,
                        problem: format!("expected a positive number of seconds, got `{text}`"),
                    })
            })
        };
        let schedule = |variable: &'static str, default: &str| -> Result<Schedule, ConfigError> {
            let text = get(variable).unwrap_or_else(|| default.to_string());
            Schedule::from_str(&text).map_err(|error| ConfigError {
                variable,
                problem: format!(
                    "`{text}` is not a cron expression (sec min hour day month weekday): {error}"
                ),
            })
        };
        let whole = |variable: &'static str, default: u64| -> Result<u64, ConfigError> {
            get(variable).map_or(Ok(default), |text| {
                text.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|value| *value > 0)
                    .ok_or_else(|| ConfigError {
                        variable,
                        problem: format!("expected a positive whole number, got `{text}`"),
                    })
            })
        };
        let flag = |variable: &'static str| -> Result<bool, ConfigError> {
            match get(variable).as_deref().map(str::trim) {
                None | Some("false") | Some("0") => Ok(false),
                Some("true") | Some("1") => Ok(true),
                Some(other) => Err(ConfigError {
                    variable,
                    problem: format!("expected `true` or `false`, got `{other}`"),
                }),
            }
        };
        let port = u16::try_from(whole("PORT", 8080)?).map_err(|_| ConfigError {
            variable: "PORT",
            problem: "expected a port number up to 65535".into(),
        })?;
        let public_url = get("WOOSYNC_PUBLIC_URL")
            .map(|text| {
                let trimmed = text.trim().trim_end_matches('/').to_string();
                url::Url::parse(&trimmed)
                    .ok()
                    .filter(|url| matches!(url.scheme(), "http" | "https"))
                    .map(|_| trimmed)
                    .ok_or_else(|| ConfigError {
                        variable: "WOOSYNC_PUBLIC_URL",
                        problem: format!("expected an http or https URL, got `{text}`"),
                    })
            })
            .transpose()?;
        let host = get("HOST").map_or(Ok([127, 0, 0, 1].into()), |text| {
            text.trim().parse().map_err(|_| ConfigError {
                variable: "HOST",
                problem: format!("expected an IP address such as 0.0.0.0, got `{text}`"),
            })
        })?;
        let metrics_port = get("WOOSYNC_METRICS_PORT")
            .map(|text| {
                text.trim().parse::<u16>().map_err(|_| ConfigError {
                    variable: "WOOSYNC_METRICS_PORT",
                    problem: format!("expected a port number, got `{text}`"),
                })
            })
            .transpose()?;
        Ok(Config {
            port,
            metrics_port,
            host,
            api_token: get("WOOSYNC_API_TOKEN").map(|token| token.trim().to_string()),
            metrics_token: get("WOOSYNC_METRICS_TOKEN").map(|token| token.trim().to_string()),
            public_url,
            allow_http_stores: flag("WOOSYNC_ALLOW_HTTP_STORES")?,
            allow_private_stores: flag("WOOSYNC_ALLOW_PRIVATE_STORES")?,
            allow_private_endpoints: flag("WOOSYNC_ALLOW_PRIVATE_ENDPOINTS")?,
            event_retention: Duration::from_secs(
                whole("WOOSYNC_EVENT_RETENTION_DAYS", 14)? * 86_400,
            ),
            event_retry_first_delay: seconds("WOOSYNC_EVENT_RETRY_FIRST_DELAY_S", 5)?,
            event_retry_for: seconds("WOOSYNC_EVENT_RETRY_FOR_S", 259_200)?,
            webhook_dedupe_window: seconds("WOOSYNC_WEBHOOK_DEDUPE_S", 86_400)?,
            webhook_max_bytes: whole("WOOSYNC_WEBHOOK_MAX_BYTES", 4 << 20)? as usize,
            extra_ca_cert: get("WOOSYNC_EXTRA_CA_CERT").map(PathBuf::from),
            redis_prefix: get("WOOSYNC_REDIS_PREFIX").unwrap_or_else(|| "woosync:".into()),
            worker_concurrency: whole("WOOSYNC_WORKER_CONCURRENCY", 64)? as usize,
            heartbeat: seconds("WOOSYNC_HEARTBEAT_S", 5)?,
            orphan_after: seconds("WOOSYNC_ORPHAN_AFTER_S", 30)?,
            poll_cron: schedule("WOOSYNC_POLL_CRON", DEFAULT_POLL_CRON)?,
            sweep_cron: schedule("WOOSYNC_SWEEP_CRON", DEFAULT_SWEEP_CRON)?,
            refresh_cron: schedule("WOOSYNC_REFRESH_CRON", DEFAULT_REFRESH_CRON)?,
            webhook_check_cron: schedule("WOOSYNC_WEBHOOK_CHECK_CRON", "0 5 * * * *")?,
            resume_after: seconds("WOOSYNC_RESUME_AFTER_S", 600)?,
            modified_overlap: seconds("WOOSYNC_MODIFIED_OVERLAP_S", 300)?,
            retry_first_delay: seconds("WOOSYNC_RETRY_FIRST_DELAY_S", 2)?,
            request_timeout: seconds("WOOSYNC_REQUEST_TIMEOUT_S", 60)?,
            database_url,
            data_dir: get("WOOSYNC_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("./data")),
            secret_key,
            redis_url,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn defaults_work_on_a_laptop() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url, None);
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(config.secret_key.is_none());
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = config(&[("LOG_FORMAT", "xml")]).unwrap_err();
        assert_eq!(error.variable, "LOG_FORMAT");
        assert!(error.to_string().contains("`text` or `json`"), "{error}");

        let error = config(&[("WOOSYNC_SECRET_KEY", "short")]).unwrap_err();
        assert_eq!(error.variable, "WOOSYNC_SECRET_KEY");
        assert!(error.to_string().contains("32 bytes"), "{error}");

        let error = config(&[("REDIS_URL", "localhost:6379")]).unwrap_err();
        assert_eq!(error.variable, "REDIS_URL");

        let error = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(error.variable, "DATABASE_URL");

        let error = config(&[("WOOSYNC_POLL_CRON", "every hour")]).unwrap_err();
        assert_eq!(error.variable, "WOOSYNC_POLL_CRON");

        let error = config(&[("WOOSYNC_ORPHAN_AFTER_S", "-3")]).unwrap_err();
        assert_eq!(error.variable, "WOOSYNC_ORPHAN_AFTER_S");

        let error = config(&[("WOOSYNC_WORKER_CONCURRENCY", "0")]).unwrap_err();
        assert_eq!(error.variable, "WOOSYNC_WORKER_CONCURRENCY");
        let error = config(&[("PORT", "70000")]).unwrap_err();
        assert_eq!(error.variable, "PORT");
        let error = config(&[("WOOSYNC_ALLOW_HTTP_STORES", "yes please")]).unwrap_err();
        assert_eq!(error.variable, "WOOSYNC_ALLOW_HTTP_STORES");
        let error = config(&[("WOOSYNC_PUBLIC_URL", "ftp://x")]).unwrap_err();
        assert_eq!(error.variable, "WOOSYNC_PUBLIC_URL");
    }
}
