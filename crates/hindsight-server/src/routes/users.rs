//! `/api/v1/users`: account administration (admins only).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hindsight_auth::hash_password;
use hindsight_core::vocab::Role;
use hindsight_store::User;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::ApiJson;
use crate::openapi::UserSchema;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub display_name: Option<String>,
    /// `viewer`, `editor` or `admin`.
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<String>,
    /// None for a token-only account.
    pub password: Option<String>,
}

/// Fields of an account to change; those left out stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub groups: Option<Vec<String>>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

/// An argon2id hash of `password`, made off the async threads.
pub async fn hashed(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::invalid("password", e.to_string()))
}

/// Every account, by name.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, body = Vec<UserSchema>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<User>>, ApiError> {
    caller.require(Need::Admin)?;
    Ok(Json(state.store.users().await?))
}

/// Adds an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = UserSchema), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    caller.require(Need::Admin)?;
    let name = new.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "the name is empty"));
    }
    let hash = match new.password {
        Some(p) => Some(hashed(p).await?),
        None => None,
    };
    let user = User {
        display_name: new.display_name.unwrap_or_else(|| name.clone()),
        name,
        role: new.role,
        groups: new.groups,
        disabled: false,
        created_at: Utc::now(),
    };
    let saved = state
        .store
        .create_user(&user, hash.as_deref(), &caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{name}", tag = "accounts",
    params(("name" = String, Path, description = "Account name")),
    responses((status = 200, body = UserSchema), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<User>, ApiError> {
    caller.require(Need::Admin)?;
    match state.store.user(&name).await? {
        Some(user) => Ok(Json(user)),
        None => Err(ApiError::not_found(format!("account `{name}`"))),
    }
}

/// Changes an account: display name, role, groups, disabled, password.
#[utoipa::path(patch, path = "/api/v1/users/{name}", tag = "accounts",
    params(("name" = String, Path, description = "Account name")), request_body = UserChange,
    responses((status = 200, body = UserSchema), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<User>, ApiError> {
    caller.require(Need::Admin)?;
    let Some(mut user) = state.store.user(&name).await? else {
        return Err(ApiError::not_found(format!("account `{name}`")));
    };
    if let Some(password) = change.password {
        let hash = hashed(password).await?;
        state
            .store
            .set_password(&user.name, &hash, &caller.actor())
            .await?;
    }
    if let Some(d) = change.display_name {
        user.display_name = d;
    }
    if let Some(r) = change.role {
        user.role = r;
    }
    if let Some(g) = change.groups {
        user.groups = g;
    }
    if let Some(d) = change.disabled {
        user.disabled = d;
    }
    Ok(Json(state.store.update_user(&user, &caller.actor()).await?))
}
