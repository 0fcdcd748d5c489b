//! Starting the processes: the web ingress and its listener, the worker and the clock in
//! one process, `/metrics` for the processes without a web server, and shutting down.

use crate::config::Config;
use crate::services::Services;

/// Runs the worker and the clock in this process (`woosync dev`) until `shutdown`; both
/// finish what they hold before this returns.
pub async fn run_worker_and_clock(
    services: &Services,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let worker = tokio::spawn(services.worker().run(until_stopped(stopped.clone())));
    let clock = tokio::spawn(services.clock().run(until_stopped(stopped)));
    shutdown.await;
    let _ = stop.send(true);
    worker.await??;
    clock.await??;
    Ok(())
}

/// The web ingress's listener on `HOST:PORT`, and the URL stores reach it at
/// (`WOOSYNC_PUBLIC_URL`, else the address listened on).
pub async fn bind_web(config: &Config) -> anyhow::Result<(tokio::net::TcpListener, String)> {
    let listener = tokio::net::TcpListener::bind((config.host, config.port))
        .await
        .map_err(|error| {
            anyhow::anyhow!("cannot listen on {}:{}: {error}", config.host, config.port)
        })?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => {
            let address = listener.local_addr()?;
            if address.ip().is_unspecified() {
                tracing::warn!(
                    "listening on every address without WOOSYNC_PUBLIC_URL: webhooks will be registered at 127.0.0.1, which only a store on this machine can reach"
                );
                format!("http://127.0.0.1:{}", address.port())
            } else {
                format!("http://{address}")
            }
        }
    };
    Ok((listener, public_url))
}

/// `/metrics` alone on `WOOSYNC_METRICS_PORT`, for `woosync work` and `woosync schedule`,
/// which record metrics but have no web server; nothing when the port is not set.
pub async fn serve_metrics(config: &Config) -> anyhow::Result<()> {
    let Some(port) = config.metrics_port else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind((config.host, port))
        .await
        .map_err(|error| anyhow::anyhow!("cannot serve metrics on port {port}: {error}"))?;
    let handle = crate::telemetry::metrics_handle();
    let token = config.metrics_token.clone();
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move |headers: axum::http::HeaderMap| async move {
            use axum::response::IntoResponse;
            if let Some(token) = &token
                && !crate::api::auth::has_bearer(&headers, token)
            {
                return crate::api::auth::refused(
                    "send Authorization: Bearer <WOOSYNC_METRICS_TOKEN>",
                );
            }
            handle.render().into_response()
        }),
    );
    tracing::info!(port, "serving /metrics");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the metrics server stopped");
        }
    });
    Ok(())
}

/// A token for `dev` and `demo` when none is configured, printed for the person at the
/// terminal.
pub fn generated_api_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Runs the web ingress, the worker and the clock in this process (`woosync dev`) until
/// `shutdown`.
pub async fn run_all(
    services: &Services,
    listener: tokio::net::TcpListener,
    state: crate::api::ApiState,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut web_stopped = stopped.clone();
    let web = tokio::spawn(crate::api::serve(listener, state, async move {
        let _ = web_stopped.wait_for(|stop| *stop).await;
    }));
    let mut others_stopped = stopped;
    let others = run_worker_and_clock(services, async move {
        let _ = others_stopped.wait_for(|stop| *stop).await;
    });
    let signal = async {
        shutdown.await;
        let _ = stop.send(true);
    };
    let ((), result) = tokio::join!(signal, others);
    web.await??;
    result
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
