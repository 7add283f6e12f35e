//! `/api/v1/session`: log in with a password (rate-limited), see who you are,
//! log out.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use hindsight_auth::{SessionSecrets, verify_password};
use hindsight_store::{AccountEvent, Session, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, SESSION_COOKIE, Via};
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::openapi::UserSchema;
use crate::state::AppState;

/// How long a login session lasts.
const SESSION_HOURS: i64 = 12;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

/// Who is calling, and for a session its CSRF token (send it back in
/// `X-CSRF-Token` on changes).
#[derive(Serialize, ToSchema)]
pub struct Whoami {
    #[schema(value_type = UserSchema)]
    pub user: User,
    /// `session` or `token`.
    pub via: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// The token's scope, for a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The token's id, for a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_id: Option<uuid::Uuid>,
}

fn too_many(wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        format!("too many failed logins: try again in {seconds} seconds"),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.cookie_secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(ApiError::internal)
}

fn event(actor: &str, action: &str, subject: &str, detail: serde_json::Value) -> AccountEvent {
    AccountEvent {
        at: Utc::now(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail,
    }
}

/// Logs in with a name and password and sets the session cookie. Failed
/// attempts are limited per account and per client address (429 past that).
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", security(()),
    request_body = Login,
    responses((status = 200, body = Whoami, description = "Logged in; the cookie is set"),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(login): ApiJson<Login>,
) -> Result<Response, ApiError> {
    let now = Instant::now();
    let account_key = login.name.trim().to_lowercase();
    let address_key = peer.ip().to_string();
    for (limiter, key) in [
        (&state.logins_by_account, &account_key),
        (&state.logins_by_address, &address_key),
    ] {
        if let Err(wait) = limiter.check(key, now) {
            return Ok(too_many(wait));
        }
    }
    let stored = state.store.password_hash(&account_key).await?;
    let password = login.password;
    let matches =
        tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
    let user = match state.store.user(&account_key).await? {
        Some(user) if matches && !user.disabled => user,
        _ => {
            state.logins_by_account.fail(&account_key, now);
            state.logins_by_address.fail(&address_key, now);
            state
                .store
                .record_account_event(&event(
                    &account_key,
                    "login-failed",
                    &account_key,
                    serde_json::json!({ "address": address_key }),
                ))
                .await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "wrong name or password, or the account is disabled",
            ));
        }
    };
    state.logins_by_account.clear(&account_key);
    let secrets = SessionSecrets::generate().map_err(ApiError::internal)?;
    let created_at = Utc::now();
    state
        .store
        .create_session(&Session {
            id_hash: secrets.id_hash.clone(),
            user: user.name.clone(),
            csrf_token: secrets.csrf_token.clone(),
            created_at,
            expires_at: created_at + Duration::hours(SESSION_HOURS),
        })
        .await?;
    state
        .store
        .record_account_event(&event(
            &user.name,
            "login",
            &user.name,
            serde_json::json!({ "address": address_key }),
        ))
        .await?;
    let cookie = session_cookie(&state, &secrets.cookie, SESSION_HOURS * 3600)?;
    let body = Whoami {
        user,
        via: "session",
        csrf_token: Some(secrets.csrf_token),
        scope: None,
        token_id: None,
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, body = Whoami), (status = 401, body = ErrorBody)))]
pub async fn whoami(caller: Caller) -> Json<Whoami> {
    let (via, csrf_token, scope, token_id) = match caller.via {
        Via::Session { csrf_token, .. } => ("session", Some(csrf_token), None, None),
        Via::Token { scope, id, .. } => ("token", None, Some(scope.to_string()), Some(id)),
    };
    Json(Whoami {
        user: caller.user,
        via,
        csrf_token,
        scope,
        token_id,
    })
}

/// Ends the caller's session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let Via::Session { id_hash, .. } = &caller.via else {
        return Err(ApiError::invalid(
            "Authorization",
            "an API token has no session to end: revoke the token instead",
        ));
    };
    state.store.delete_session(id_hash).await?;
    state
        .store
        .record_account_event(&event(
            caller.name(),
            "logout",
            caller.name(),
            serde_json::Value::Null,
        ))
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    Ok(response)
}
