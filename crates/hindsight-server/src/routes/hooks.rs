//! `POST /hooks/{alertmanager,pagerduty,github,argo-rollouts,flagger,events}`:
//! webhook intake (see [`crate::intake`]).
//!
//! GitHub and PagerDuty sign their deliveries: the signature is checked with
//! the secrets of the config file's `[hooks]` table or of
//! `HINDSIGHT_GITHUB_WEBHOOK_SECRET` and `HINDSIGHT_PAGERDUTY_WEBHOOK_SECRET`
//! (several, comma-separated, while one is rotated; see [`HooksSettings`]). The other senders cannot sign and send an API token of scope
//! `webhook` as `Authorization: Bearer ...` (or, for Flagger, which cannot
//! set headers, as `?token=...` in the URL). A refused delivery gets 401 and
//! is counted in `hindsight_webhook_rejected_total` (the others in
//! `hindsight_webhook_deliveries_total` by status, duplicates included); an unreadable one gets
//! 400 with the field at fault (and is kept, as failed, for the operator); a
//! stored one gets 202, or 200 when it was a redelivery.
//!
//! Admins list deliveries (`GET /hooks/deliveries?status=failed`) and replay
//! one (`POST /hooks/deliveries/{id}/replay`), as `hindsight hooks` does.
//!
//! The trigger policy is read once, from the file named by `[hooks] policy`
//! or `HINDSIGHT_HOOKS_POLICY` (built-in defaults without one). If that file
//! cannot be used, deliveries are answered 503 so senders retry once it is
//! fixed: none is acknowledged under a policy the operator did not write.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use hindsight_core::vocab::TokenScope;
use hindsight_hooks::Source;
use hindsight_hooks::policy::PolicyConfig;
use hindsight_hooks::signature::{
    GITHUB_HEADER, PAGERDUTY_HEADER, verify_github, verify_pagerduty,
};
use hindsight_store::DeliveryStatus;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::auth::{Caller, Need, Via};
use crate::config::HooksSettings;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::intake::{Received, process, receive, resume};
use crate::state::AppState;

const REJECTED: &str = "hindsight_webhook_rejected_total";
/// Deliveries that passed authentication, by what became of them.
const DELIVERIES: &str = "hindsight_webhook_deliveries_total";

/// What the endpoints know besides the store.
pub struct Settings {
    github_secrets: Vec<String>,
    pagerduty_secrets: Vec<String>,
    policy: Result<PolicyConfig, String>,
}

fn policy(path: Option<&std::path::Path>) -> Result<PolicyConfig, String> {
    let Some(path) = path else {
        return Ok(PolicyConfig::default());
    };
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the trigger policy {shown}: {e}"))?;
    PolicyConfig::from_toml(&text).map_err(|e| format!("{shown}: {e}"))
}

/// The webhook settings the handlers share, read now (secrets, and the
/// policy file); also resumes, in the background, the deliveries a previous
/// run acknowledged but did not finish.
pub fn settings(state: &AppState, hooks: &HooksSettings) -> Extension<Arc<Settings>> {
    let settings = Settings {
        github_secrets: hooks.github_secrets.clone(),
        pagerduty_secrets: hooks.pagerduty_secrets.clone(),
        policy: policy(hooks.policy.as_deref()),
    };
    // Counters count only once the process-wide recorder is installed, which
    // otherwise happens at the first scrape: install it now.
    if crate::metrics::recorder().is_err() {
        tracing::warn!("no metrics recorder: webhook refusals will not be counted");
    }
    match &settings.policy {
        Err(e) => {
            tracing::error!(error = %e, "webhooks will answer 503 until the trigger policy is fixed");
        }
        Ok(policy) => {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let (store, policy) = (state.store.clone(), policy.clone());
                runtime.spawn(async move {
                    match resume(&*store, &policy, Utc::now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(deliveries = n, "resumed unfinished webhook deliveries"),
                        Err(e) => tracing::error!(error = %e, "cannot resume unfinished webhook deliveries"),
                    }
                });
            }
        }
    }
    Extension(Arc::new(settings))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// `pending`, `processed`, `ignored`, `failed` or `malformed`.
    pub status: Option<String>,
    /// Most deliveries listed (default 50, 1 to 1000).
    pub limit: Option<u32>,
}

/// The webhook deliveries, newest first, without their bodies (admins only).
#[utoipa::path(get, path = "/hooks/deliveries", tag = "webhooks",
    params(DeliveryParams),
    responses((status = 200, description = "Deliveries: id, source, delivery_id, received_at, \
        status, error, outcome, postmortem_id, attempts, processed_at", body = Vec<Object>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<DeliveryParams>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    caller.require(Need::Admin)?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            s.parse::<DeliveryStatus>()
                .map_err(|e| ApiError::invalid("status", e.to_string()))
        })
        .transpose()?;
    let limit = match params.limit {
        None => 50,
        Some(l) if (1..=1000).contains(&l) => l,
        Some(_) => return Err(ApiError::invalid("limit", "a number from 1 to 1000")),
    };
    let deliveries = state.store.deliveries(status, limit).await?;
    Ok(Json(
        deliveries
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "source": d.source,
                    "delivery_id": d.delivery_id,
                    "received_at": d.received_at,
                    "status": d.status.as_str(),
                    "error": d.error,
                    "outcome": d.outcome,
                    "postmortem_id": d.postmortem_id,
                    "attempts": d.attempts,
                    "processed_at": d.processed_at,
                })
            })
            .collect(),
    ))
}

/// Processes a stored delivery again (admins only), as `hindsight hooks replay` does.
#[utoipa::path(post, path = "/hooks/deliveries/{id}/replay", tag = "webhooks",
    params(("id" = i64, Path, description = "The delivery's number")),
    responses((status = 200, description = "The delivery's new status and outcome", body = Object),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn replay(
    State(state): State<AppState>,
    Extension(settings): Extension<Arc<Settings>>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(Need::Admin)?;
    let policy = settings.policy.as_ref().map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "policy-unreadable",
            e.clone(),
        )
    })?;
    if state.store.delivery(id).await?.is_none() {
        return Err(ApiError::not_found(format!("delivery {id}")));
    }
    let outcome = process(&*state.store, policy, id, Utc::now()).await?;
    Ok(Json(json!({
        "delivery": id,
        "status": outcome.status.as_str(),
        "error": outcome.error,
        "outcome": outcome.outcome,
        "postmortem_id": outcome.postmortem_id,
    })))
}

fn rejected(source: Source, reason: &'static str, message: String) -> ApiError {
    metrics::counter!(REJECTED, "source" => source.as_str(), "reason" => reason).increment(1);
    tracing::warn!(source = source.as_str(), reason, %message, "webhook delivery refused");
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
}

/// The caller of an unsigned source must hold a token of scope `webhook`.
async fn check_token(
    state: &AppState,
    parts: &mut axum::http::request::Parts,
    source: Source,
) -> Result<(), ApiError> {
    use axum::extract::FromRequestParts;
    // Flagger cannot send headers: its URL may carry the token instead.
    if !parts.headers.contains_key(header::AUTHORIZATION)
        && let Some(token) = query_token(parts.uri.query())
        && let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}"))
    {
        parts.headers.insert(header::AUTHORIZATION, value);
    }
    let caller = Caller::from_request_parts(parts, state)
        .await
        .map_err(|e| rejected(source, "token", e.body.message))?;
    match caller.via {
        Via::Token {
            scope: TokenScope::Webhook,
            ..
        } => Ok(()),
        _ => Err(rejected(
            source,
            "scope",
            format!("/hooks/{source} takes an API token of scope webhook"),
        )),
    }
}

/// The `token` query parameter, for senders that cannot set headers.
fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

/// A delivery from a sender: verified (signature or webhook token), stored
/// with its headers before anything else, deduplicated, then turned into
/// events and, by the trigger policy, postmortems.
#[utoipa::path(post, path = "/hooks/{source}", tag = "webhooks", security(()),
    params(("source" = String, Path, description = "`alertmanager`, `pagerduty`, `github`, \
            `argo-rollouts`, `flagger` or `events`"),
        ("token" = Option<String>, Query, description = "The webhook token, for senders that \
            cannot set an Authorization header (Flagger)")),
    request_body(content = Object, description = "The sender's own payload (docs/hooks.md)"),
    responses((status = 202, description = "Stored and processed (or failed, kept for replay)", body = Object),
        (status = 200, description = "A redelivery of a stored delivery", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn deliver(
    State(state): State<AppState>,
    Extension(settings): Extension<Arc<Settings>>,
    Path(source): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let source = Source::from_name(&source).ok_or_else(|| {
        let known: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
        ApiError::not_found(format!(
            "webhook `{source}`; there are: {}",
            known.join(", ")
        ))
    })?;
    let (mut parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, state.limits.body_bytes)
        .await
        .map_err(|e| ApiError::invalid("body", format!("cannot read the body: {e}")))?;
    let signature = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    match source {
        Source::Github => verify_github(&settings.github_secrets, &body, signature(GITHUB_HEADER))
            .map_err(|e| rejected(source, "signature", e.to_string()))?,
        Source::Pagerduty => verify_pagerduty(
            &settings.pagerduty_secrets,
            &body,
            signature(PAGERDUTY_HEADER),
        )
        .map_err(|e| rejected(source, "signature", e.to_string()))?,
        _ => check_token(&state, &mut parts, source).await?,
    }
    let policy = settings.policy.as_ref().map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "policy-unreadable",
            e.clone(),
        )
    })?;
    let headers = header_pairs(&parts.headers);
    let received = receive(&*state.store, policy, source, &headers, &body, Utc::now()).await?;
    let status = match &received {
        Received::Accepted { .. } => "accepted",
        Received::Duplicate { .. } => "duplicate",
        Received::Malformed { .. } => "malformed",
        Received::Failed { .. } => "failed",
    };
    metrics::counter!(DELIVERIES, "source" => source.as_str(), "status" => status).increment(1);
    Ok(match received {
        Received::Accepted { id, outcome } => (
            StatusCode::ACCEPTED,
            Json(json!({
                "delivery": id,
                "status": outcome.status.as_str(),
                "outcome": outcome.outcome,
                "postmortem_id": outcome.postmortem_id,
            })),
        )
            .into_response(),
        Received::Duplicate { id } => (
            StatusCode::OK,
            Json(json!({"delivery": id, "status": "duplicate"})),
        )
            .into_response(),
        Received::Failed { id, error } => (
            StatusCode::ACCEPTED,
            Json(json!({"delivery": id, "status": "failed", "error": error})),
        )
            .into_response(),
        Received::Malformed { id, error } => {
            return Err(ApiError::invalid(
                error.field.clone(),
                format!("{error} (stored as delivery {id})"),
            ));
        }
    })
}
