//! Hindsight's HTTP server: the `/api/v1` JSON API with its OpenAPI document,
//! health and readiness probes, Prometheus metrics, request ids and logs.
//!
//! [`app`] builds the whole router over a store; [`serve`] runs it on a
//! listener until a shutdown signal, finishing the requests in flight.

mod auth;
mod body;
pub mod config;
mod error;
mod extract;
pub mod intake;
mod json;
pub mod logging;
mod metrics;
mod openapi;
mod pagination;
mod quality;
mod query_guard;
mod ratelimit;
mod routes;
mod snapshot;
mod state;
mod version;
mod web;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use hindsight_store::Store;
use tower::ServiceBuilder;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use config::{Config, LogFormat};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use quality::QualityError;
pub use state::AppState;

/// Every route with its documentation; the router and the OpenAPI document
/// both come from here, so they cannot disagree.
fn api() -> OpenApiRouter<AppState> {
    use routes::*;
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi::document))
        .routes(routes!(postmortems::list, postmortems::create))
        .routes(routes!(
            postmortems::get,
            postmortems::replace,
            postmortems::delete
        ))
        .routes(routes!(workflow::transition))
        .routes(routes!(parts::add_event))
        .routes(routes!(parts::update_event, parts::delete_event))
        .routes(routes!(parts::add_factor))
        .routes(routes!(parts::update_factor, parts::delete_factor))
        .routes(routes!(parts::add_action))
        .routes(routes!(parts::update_action, parts::delete_action))
        .routes(routes!(reviews::request))
        .routes(routes!(reviews::record))
        .routes(routes!(reviews::state))
        .routes(routes!(audit::history))
        .routes(routes!(audit::log))
        .routes(routes!(audit::account_events))
        .routes(routes!(transfer::export))
        .routes(routes!(checks::quality))
        .routes(routes!(transfer::import))
        .routes(routes!(search::search))
        .routes(routes!(actions::list))
        .routes(routes!(session::login, session::whoami, session::logout))
        .routes(routes!(setup::first_admin))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(hooks::list))
        .routes(routes!(hooks::replay))
        .routes(routes!(hooks::deliver))
        .routes(routes!(insight::metrics))
        .routes(routes!(insight::patterns))
        .routes(routes!(insight::similar))
        .routes(routes!(insight::report))
        .routes(routes!(insight::chart))
}

/// The OpenAPI document of the API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

/// The whole application over `store`; fails only on unreadable quality settings.
pub fn app(store: Arc<dyn Store>, config: &Config) -> Result<Router, QualityError> {
    let quality = quality::Quality::load(config.quality_config.as_deref())?;
    let (router, doc) = api().split_for_parts();
    let doc = serde_json::to_value(&doc).unwrap_or_default();
    let state = AppState::new(store, config, quality, doc);
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(routes::insight::keep_warm(state.clone()));
    }
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or_default()
                .to_string();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    Ok(router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            query_guard::reject_unknown,
        ))
        .merge(web::router())
        .layer(routes::hooks::settings(&state, &config.hooks))
        .fallback(web::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .with_state(state))
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for the
/// requests in flight to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted: finishing the requests in flight"),
        () = terminate => tracing::info!("terminated: finishing the requests in flight"),
    }
}
