//! Prometheus metrics of the server itself: requests by route template, method
//! and status (count and latency histogram), and the database's state.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use hindsight_store::DeliveryStatus;

use crate::error::ApiError;
use crate::state::AppState;

const REQUESTS: &str = "hindsight_http_requests_total";
const DURATION: &str = "hindsight_http_request_duration_seconds";
const DB_UP: &str = "hindsight_database_up";
const DB_PING: &str = "hindsight_database_ping_seconds";
const POSTMORTEMS: &str = "hindsight_postmortems_stored";
const DB_CONNECTIONS: &str = "hindsight_database_connections";
const DB_CONNECTIONS_MAX: &str = "hindsight_database_connections_max";
/// Webhook deliveries by status; `received` is the intake's queue: stored and
/// acknowledged, not processed yet.
const WEBHOOK_DELIVERIES: &str = "hindsight_webhook_deliveries_stored";

/// Latency buckets, in seconds: fine below 10 ms, where reads should be.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// The process-wide recorder, installed on first use (servers started in one
/// process, as in tests, share it).
pub fn recorder() -> Result<&'static PrometheusHandle, ApiError> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(DURATION.to_string()), BUCKETS)
                .map_err(|e| e.to_string())?;
            builder.install_recorder().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| ApiError::internal(format!("metrics recorder: {e}")))
}

/// Middleware: counts and times every request by its route template.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels).record(start.elapsed().as_secs_f64());
    response
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"))
)]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let handle = recorder()?;
    let pool = state.store.pool_stats();
    let busy = pool.open.saturating_sub(pool.idle);
    metrics::gauge!(DB_CONNECTIONS, "state" => "busy").set(f64::from(busy));
    metrics::gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!(DB_CONNECTIONS_MAX).set(f64::from(pool.max));
    let start = Instant::now();
    match state.store.count().await {
        Ok(count) => {
            metrics::gauge!(DB_UP).set(1.0);
            metrics::gauge!(DB_PING).set(start.elapsed().as_secs_f64());
            // Precision loss only above 2^53 postmortems.
            #[allow(clippy::cast_precision_loss)]
            metrics::gauge!(POSTMORTEMS).set(count as f64);
        }
        Err(e) => {
            tracing::warn!(error = %e, "database does not answer");
            metrics::gauge!(DB_UP).set(0.0);
        }
    }
    match state.store.delivery_counts().await {
        Ok(counts) => {
            for status in DeliveryStatus::ALL {
                let n = counts
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                // Precision loss only above 2^53 deliveries.
                #[allow(clippy::cast_precision_loss)]
                metrics::gauge!(WEBHOOK_DELIVERIES, "status" => status.as_str()).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot count webhook deliveries"),
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response())
}
