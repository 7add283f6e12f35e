//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use hindsight_core::review::ReviewPolicy;
use hindsight_store::Store;

use crate::config::Config;
use crate::quality::Quality;
use crate::query_guard::QueryParams;
use crate::ratelimit::Limiter;
use crate::snapshot::Snapshot;

/// How long failed logins count against an account or address.
const LOGIN_WINDOW: Duration = Duration::from_secs(300);

/// The shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub limits: Limits,
    /// The team's review rules (approvals `final` needs, due dates).
    pub review: Arc<ReviewPolicy>,
    /// The OpenAPI document, made once from the router.
    pub openapi: Arc<serde_json::Value>,
    /// The query parameters each documented route takes (from `openapi`).
    pub query_params: Arc<QueryParams>,
    /// The SHA-256 of the one-time setup token, until it is used.
    pub setup_token: Arc<tokio::sync::Mutex<Option<String>>>,
    /// Lint rules, rubric and redaction.
    pub quality: Arc<Quality>,
    /// Whole postmortems and their costly results, for the insight routes.
    pub snapshot: Arc<Snapshot>,
    /// Mark the session cookie `Secure`.
    pub cookie_secure: bool,
    /// Failed logins per account name and per client address.
    pub logins_by_account: Arc<Limiter>,
    pub logins_by_address: Arc<Limiter>,
}

/// Limits on what a request may send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub body_bytes: usize,
    pub json_depth: usize,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        config: &Config,
        quality: Quality,
        openapi: serde_json::Value,
    ) -> Self {
        AppState {
            store,
            limits: Limits {
                body_bytes: config.body_limit,
                json_depth: config.json_depth,
            },
            review: Arc::new(config.review.clone()),
            query_params: Arc::new(QueryParams::from_openapi(&openapi)),
            openapi: Arc::new(openapi),
            setup_token: Arc::new(tokio::sync::Mutex::new(
                config
                    .setup_token
                    .as_deref()
                    .map(hindsight_auth::sha256_hex),
            )),
            quality: Arc::new(quality),
            snapshot: Arc::new(Snapshot::default()),
            cookie_secure: config.cookie_secure,
            logins_by_account: Arc::new(Limiter::new(5, LOGIN_WINDOW)),
            logins_by_address: Arc::new(Limiter::new(20, LOGIN_WINDOW)),
        }
    }
}
