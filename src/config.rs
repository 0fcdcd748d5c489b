//! Configuration, read from the environment only (12-factor), typed, with defaults that
//! work on a laptop. A bad value fails at start with the variable's name and what it expects.

use std::path::PathBuf;

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
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
}

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
        Ok(Config {
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
    }
}
