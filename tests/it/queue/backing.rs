//! What a queue test runs on: a real redis-server, or the embedded queue in a SQLite file.

use std::sync::Arc;

use tempfile::TempDir;
use woosync::database;
use woosync::queue::redis::RedisStorage;
use woosync::queue::sqlite::SqliteStorage;
use woosync::queue::storage::Storage;

use crate::support::redis::RedisServer;

pub enum Backing {
    Redis(RedisServer),
    Sqlite { url: String, _dir: TempDir },
}

impl Backing {
    pub async fn redis() -> Backing {
        Backing::Redis(
            tokio::task::spawn_blocking(RedisServer::start)
                .await
                .unwrap(),
        )
    }

    pub async fn sqlite() -> Backing {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("queue.db").display()
        );
        let db = database::connect_url(&url).await.unwrap();
        database::migrate(&db).await.unwrap();
        Backing::Sqlite { url, _dir: dir }
    }

    /// How a worker process reaches the same queue.
    pub fn spec(&self) -> String {
        match self {
            Backing::Redis(server) => format!("redis|{}", server.url()),
            Backing::Sqlite { url, .. } => format!("sqlite|{url}"),
        }
    }

    pub async fn storage(&self) -> Arc<dyn Storage> {
        storage_from_spec(&self.spec()).await
    }
}

pub async fn storage_from_spec(spec: &str) -> Arc<dyn Storage> {
    match spec.split_once('|').unwrap() {
        ("redis", url) => Arc::new(RedisStorage::connect(url, "woosync:").await.unwrap()),
        (_, url) => {
            let db = database::connect_url(url).await.unwrap();
            Arc::new(SqliteStorage::new(db).unwrap())
        }
    }
}
