//! `/api/v1/tokens`: API tokens. The secret is shown once, at creation; the
//! store keeps its SHA-256. A token's scope never exceeds its account's role.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hindsight_auth::{Token, scope_allowed};
use hindsight_core::vocab::TokenScope;
use hindsight_store::ApiToken;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::ApiJson;
use crate::openapi::ApiTokenSchema;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, to tell tokens apart.
    pub name: String,
    /// `read`, `write`, `admin` or `webhook`.
    pub scope: TokenScope,
    /// When the token stops working (RFC 3339); never without one.
    pub expires_at: Option<DateTime<Utc>>,
    /// The account the token acts for (admins only; default the caller).
    pub user: Option<String>,
}

/// A new token: `token` is the secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: String,
    #[schema(value_type = ApiTokenSchema)]
    pub record: ApiToken,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParams {
    /// Whose tokens (admins only; default the caller's own; `*` for all).
    pub user: Option<String>,
}

/// The account whose tokens the caller manages: its own, or any for an admin.
fn subject(caller: &Caller, wanted: Option<String>) -> Result<Option<String>, ApiError> {
    caller.require_account_control()?;
    match wanted {
        Some(name) if !name.eq_ignore_ascii_case(caller.name()) => {
            caller.require(Need::Admin)?;
            Ok((name != "*").then_some(name))
        }
        _ => Ok(Some(caller.name().to_string())),
    }
}

/// Tokens of the caller (or, for an admin, of any account), newest first,
/// revoked ones included.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", params(TokenParams),
    responses((status = 200, body = Vec<ApiTokenSchema>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<TokenParams>,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    let user = subject(&caller, params.user)?;
    Ok(Json(state.store.tokens(user.as_deref()).await?))
}

/// Creates a token; the response holds its secret, shown only this once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let owner = subject(&caller, new.user)?.unwrap_or_else(|| caller.name().to_string());
    let Some(user) = state.store.user(&owner).await? else {
        return Err(ApiError::not_found(format!("account `{owner}`")).at("user"));
    };
    if !scope_allowed(user.role, new.scope) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("a {} may not hold a {} token", user.role, new.scope),
        )
        .at("scope"));
    }
    if new.name.trim().is_empty() {
        return Err(ApiError::invalid("name", "give the token a name"));
    }
    let now = Utc::now();
    if new.expires_at.is_some_and(|t| t <= now) {
        return Err(ApiError::invalid("expires_at", "the expiry is in the past"));
    }
    let token = Token::generate().map_err(ApiError::internal)?;
    let record = ApiToken::issued(
        &user.name,
        new.name.trim(),
        new.scope,
        token.prefix(),
        now,
        new.expires_at,
    );
    state
        .store
        .create_token(&record, &token.hash(), &caller.actor())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.to_string(),
            record,
        }),
    ))
}

/// Revokes a token of the caller (an admin: of anyone).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = Uuid, Path, description = "The token's id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let scope = if caller.allows(Need::Admin) {
        None
    } else {
        subject(&caller, None)?
    };
    let mine = state
        .store
        .tokens(scope.as_deref())
        .await?
        .into_iter()
        .any(|t| t.id == id && t.revoked_at.is_none());
    if !mine
        || !state
            .store
            .revoke_token(id, Utc::now(), &caller.actor())
            .await?
    {
        return Err(ApiError::not_found(format!("active token `{id}`")));
    }
    Ok(StatusCode::NO_CONTENT)
}
