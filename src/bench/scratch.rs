//! What the benchmarks that run worker processes share: woosync's services on the scratch
//! database their environment names, with the simulated store connected.

use crate::config::Config;
use crate::database;
use crate::secrets::Secret;
use crate::services::Services;
use crate::stores::{AuthMode, NewStore, SignatureMethod, save_store};
use sim::server::SimServer;

/// The services of the environment `env` (the one given to the worker processes), the
/// database migrated, and the id of the simulated store, connected as `name`.
pub async fn services_with_store(
    env: &[(String, String)],
    server: &SimServer,
    name: &str,
    rate_limit_per_s: f64,
) -> anyhow::Result<(Services, i64)> {
    let config = Config::from_lookup(|wanted| {
        env.iter()
            .find(|(key, _)| key == wanted)
            .map(|(_, value)| value.clone())
    })?;
    let db = database::connect(&config).await?;
    database::migrate(&db).await?;
    db.close().await?;
    let services = Services::start(config).await?;
    let store = save_store(
        &services.db,
        &services.context.secret_key,
        NewStore {
            name: name.into(),
            url: server.info.url.trim_end_matches('/').to_string(),
            auth_mode: AuthMode::Basic,
            signature_method: SignatureMethod::HmacSha256,
            consumer_key: server.info.consumer_key.clone(),
            consumer_secret: Secret::new(server.info.consumer_secret.clone()),
            rate_limit_per_s,
        },
    )
    .await?;
    Ok((services, store))
}
