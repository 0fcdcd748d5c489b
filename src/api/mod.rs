//! The web ingress (`woosync serve`): the integration routes, the webhook receiver, the read
//! API, health and metrics. It enqueues; workers do the work. One file per concern.

pub mod auth;
pub mod connect;
pub mod dashboard;
pub mod error;
pub mod event_endpoints;
pub mod events;
pub mod extract;
pub mod headers;
pub mod health;
pub mod jobs;
pub mod lookups;
pub mod metrics;
pub mod one_click;
pub mod quarantine;
pub mod records;
pub mod state;
pub mod store_test;
pub mod stores;
pub mod sync;
pub mod sync_runs;
pub mod throttle;
pub mod webhook_receiver;
pub mod webhook_setup;
pub mod writes;

use std::future::Future;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router, middleware};
use tokio::net::TcpListener;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use error::ApiError;
pub use state::ApiState;

/// Every route, and the OpenAPI description generated from the same handlers.
pub fn router(state: ApiState) -> Router {
    let (routes, openapi) = routes(&state).split_for_parts();
    let openapi = with_security(openapi);
    let described = Router::new()
        .route(
            "/api/openapi.json",
            get(move || async move { Json(openapi) }),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_token,
        ));
    routes
        .merge(described)
        .merge(dashboard::router(&state))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "no_route", "there is no such route")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "the route does not take this method",
            )
        })
        .layer(middleware::from_fn(headers::protect))
        .with_state(state)
}

/// The OpenAPI description of every route.
pub fn openapi(state: &ApiState) -> OpenApi {
    with_security(routes(state).split_for_parts().1)
}

fn routes(state: &ApiState) -> OpenApiRouter<ApiState> {
    let protected = OpenApiRouter::new()
        .routes(routes!(connect::connect))
        .routes(routes!(one_click::authorize))
        .routes(routes!(store_test::test_store))
        .routes(routes!(sync::sync))
        .routes(routes!(webhook_setup::setup_webhooks))
        .routes(routes!(stores::list_stores))
        .routes(routes!(
            stores::show_store,
            stores::change_store,
            stores::disconnect_store
        ))
        .routes(routes!(records::list_records, writes::create_record))
        .routes(routes!(records::list_inventory, writes::set_stock))
        .routes(routes!(lookups::show_record, writes::update_record))
        .routes(routes!(writes::update_variation))
        .routes(routes!(writes::list_writes))
        .routes(routes!(writes::show_write))
        .routes(routes!(writes::retry_write))
        .routes(routes!(writes::discard_write))
        .routes(routes!(lookups::show_order_by_number))
        .routes(routes!(events::list_events))
        .routes(routes!(events::list_event_types))
        .routes(routes!(
            event_endpoints::register_endpoint,
            event_endpoints::list_endpoints
        ))
        .routes(routes!(
            event_endpoints::show_endpoint,
            event_endpoints::change_endpoint_settings,
            event_endpoints::remove_endpoint
        ))
        .routes(routes!(event_endpoints::replay_endpoint))
        .routes(routes!(event_endpoints::list_deliveries))
        .routes(routes!(quarantine::list_quarantined))
        .routes(routes!(quarantine::retry_quarantined))
        .routes(routes!(sync_runs::show_sync_run))
        .routes(routes!(stores::pause_store))
        .routes(routes!(stores::resume_store))
        .routes(routes!(jobs::list_queues))
        .routes(routes!(jobs::list_jobs))
        .routes(routes!(jobs::show_job))
        .routes(routes!(jobs::retry_job))
        .routes(routes!(jobs::discard_job))
        .routes(routes!(jobs::retry_failed))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_token,
        ));
    let open = OpenApiRouter::new()
        .routes(routes!(webhook_receiver::handle_webhook))
        .routes(routes!(one_click::callback))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics));
    protected.merge(open)
}

fn with_security(mut openapi: OpenApi) -> OpenApi {
    openapi.info.title = "woosync".into();
    openapi.info.description =
        Some("Keeps a faithful, always-fresh copy of WooCommerce stores in a SQL database".into());
    openapi
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "api_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    openapi
}

/// Serves the API on `listener` until `shutdown`, finishing the requests under way.
pub async fn serve(
    listener: TcpListener,
    state: ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Each client's address, for the throttle on guessing the token.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
