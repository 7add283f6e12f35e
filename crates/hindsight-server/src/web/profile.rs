//! `GET /profile`: the viewer's account and API tokens. Creating and revoking
//! are the JSON API's handlers (`routes::tokens`): same checks, same audit.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use hindsight_auth::allowed_scopes;
use hindsight_core::vocab::TokenScope;
use hindsight_store::ApiToken;
use uuid::Uuid;

use crate::extract;
use crate::json::ApiJson;
use crate::routes::tokens::{self, NewToken};
use crate::state::AppState;
use crate::web::view::{Stamp, render, stamp_or_dash};
use crate::web::{Chrome, Submitted, Viewer, WebError};

/// A token in the list.
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub scope: String,
    pub prefix: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub revoked: bool,
}

fn view(t: &ApiToken) -> TokenView {
    TokenView {
        id: t.id,
        name: t.name.clone(),
        scope: t.scope.to_string(),
        prefix: t.prefix.clone(),
        created: Stamp(t.created_at).to_string(),
        expires: t
            .expires_at
            .map(|e| Stamp(e).to_string())
            .unwrap_or_else(|| "never".to_string()),
        last_used: stamp_or_dash(t.last_used_at),
        revoked: t.revoked_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    groups: String,
    tokens: Vec<TokenView>,
    scopes: Vec<TokenScope>,
    /// The secret of the token just created, shown this once.
    secret: String,
    name: String,
    error: String,
}

async fn profile(
    state: &AppState,
    viewer: &Viewer,
    secret: String,
    name: String,
    error: String,
) -> Result<ProfilePage, WebError> {
    let tokens = state.store.tokens(Some(viewer.name())).await?;
    let user = &viewer.caller.user;
    Ok(ProfilePage {
        chrome: Chrome::new(viewer, "profile", "Your profile"),
        groups: user.groups.join(", "),
        tokens: tokens.iter().map(view).collect(),
        scopes: allowed_scopes(user.role)
            .into_iter()
            .filter(|s| *s != TokenScope::Webhook)
            .collect(),
        secret,
        name,
        error,
    })
}

/// `GET /profile`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let page = profile(&state, &viewer, String::new(), String::new(), String::new()).await?;
    Ok(render(&page))
}

/// `POST /profile/tokens`: creates a token and shows its secret once.
pub async fn create(State(state): State<AppState>, form: Submitted) -> Result<Response, WebError> {
    let viewer = &form.viewer;
    let name = form.fields.get("name").trim().to_string();
    let scope = form.fields.get("scope").parse::<TokenScope>();
    let days = form.fields.get("days").trim();
    let expires_at = match days {
        "" | "0" => Ok(None),
        d => d
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .map(|d| Some(Utc::now() + Duration::days(d)))
            .ok_or("Give the days until it expires as a number from 1 to 3650, or leave it empty."),
    };
    let outcome = match (scope, expires_at) {
        (Err(e), _) => Err(e.to_string()),
        (_, Err(e)) => Err(e.to_string()),
        (Ok(scope), Ok(expires_at)) => tokens::create(
            State(state.clone()),
            viewer.caller.clone(),
            ApiJson(NewToken {
                name: name.clone(),
                scope,
                expires_at,
                user: None,
            }),
        )
        .await
        .map(|(_, created)| created.0.token)
        .map_err(|e| e.body.message),
    };
    let (page, status) = match outcome {
        Ok(secret) => (
            profile(&state, viewer, secret, String::new(), String::new()).await?,
            StatusCode::CREATED,
        ),
        Err(message) => (
            profile(&state, viewer, String::new(), name, message).await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /profile/tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    form: Submitted,
) -> Result<Response, WebError> {
    tokens::revoke(State(state), form.viewer.caller, extract::Path(id)).await?;
    Ok(Redirect::to("/profile").into_response())
}
