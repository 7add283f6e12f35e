//! `POST /api/v1/setup`: the first admin account, made with the one-time setup
//! token the server prints when it starts on a database without accounts.
//! The token works once; after any account exists the route is closed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hindsight_auth::{constant_time_eq, sha256_hex};
use hindsight_core::vocab::Role;
use hindsight_store::User;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::openapi::UserSchema;
use crate::routes::users::hashed;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstAdmin {
    /// The setup token the server printed at start.
    pub token: String,
    pub name: String,
    pub display_name: Option<String>,
    pub password: String,
}

/// Creates the first admin with the one-time setup token.
#[utoipa::path(post, path = "/api/v1/setup", tag = "accounts", security(()),
    request_body = FirstAdmin,
    responses((status = 201, body = UserSchema), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn first_admin(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<FirstAdmin>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    // Held for the whole request: two setups cannot both succeed.
    let mut token = state.setup_token.lock().await;
    let Some(expected) = token.as_deref() else {
        return Err(done());
    };
    if !constant_time_eq(&sha256_hex(input.token.trim()), expected) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            "this is not the setup token the server printed at start",
        )
        .at("token"));
    }
    if !state.store.users().await?.is_empty() {
        *token = None;
        return Err(done());
    }
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "the name is empty"));
    }
    let hash = hashed(input.password).await?;
    let user = User {
        display_name: input.display_name.unwrap_or_else(|| name.clone()),
        name,
        role: Role::Admin,
        groups: Vec::new(),
        disabled: false,
        created_at: Utc::now(),
    };
    let saved = state.store.create_user(&user, Some(&hash), "setup").await?;
    *token = None;
    tracing::info!(name = %saved.name, "first admin created with the setup token");
    Ok((StatusCode::CREATED, Json(saved)))
}

fn done() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "setup-done",
        "setup is closed: accounts exist (an admin adds more, or run \
         `hindsight user add NAME --role admin --password-stdin`)",
    )
}
