//! `GET /admin/users`: accounts and their roles, for admins. The work is the
//! JSON API's (`routes::users`): same checks, same account audit.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hindsight_core::vocab::Role;
use hindsight_store::User;

use crate::auth::Need;
use crate::extract;
use crate::json::ApiJson;
use crate::routes::users::{self, NewUser, UserChange};
use crate::state::AppState;
use crate::web::form::list;
use crate::web::view::render;
use crate::web::{Chrome, Submitted, Viewer, WebError};

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    chrome: Chrome,
    users: Vec<User>,
    roles: &'static [Role],
    /// The account a message is about ("" for the new-account form).
    subject: String,
    message: String,
    error: bool,
    /// What was typed in the new-account form, kept after an error.
    new_name: String,
    new_display: String,
    new_groups: String,
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    subject: &str,
    message: String,
    error: bool,
    typed: (&str, &str, &str),
) -> Result<AdminPage, WebError> {
    let users = users::list(State(state.clone()), viewer.caller.clone())
        .await?
        .0;
    Ok(AdminPage {
        chrome: Chrome::new(viewer, "admin", "Users"),
        users,
        roles: Role::ALL,
        subject: subject.to_string(),
        message,
        error,
        new_name: typed.0.to_string(),
        new_display: typed.1.to_string(),
        new_groups: typed.2.to_string(),
    })
}

/// `GET /admin/users`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer.caller.require(Need::Admin)?;
    let page = admin_page(&state, &viewer, "", String::new(), false, ("", "", "")).await?;
    Ok(render(&page))
}

/// `POST /admin/users`: adds an account.
pub async fn create(State(state): State<AppState>, form: Submitted) -> Result<Response, WebError> {
    let viewer = &form.viewer;
    viewer.caller.require(Need::Admin)?;
    let f = &form.fields;
    let role = f.get("role").parse::<Role>();
    let password = f.get("password").to_string();
    let outcome = match role {
        Err(e) => Err(e.to_string()),
        Ok(role) => users::create(
            State(state.clone()),
            viewer.caller.clone(),
            ApiJson(NewUser {
                name: f.get("name").to_string(),
                display_name: f.text("display_name"),
                role,
                groups: list(f.get("groups")),
                password: (!password.is_empty()).then_some(password),
            }),
        )
        .await
        .map(|(_, user)| user.0.name)
        .map_err(|e| e.body.message),
    };
    let (page, status) = match outcome {
        Ok(name) => (
            admin_page(
                &state,
                viewer,
                &name,
                format!("Added {name}."),
                false,
                ("", "", ""),
            )
            .await?,
            StatusCode::CREATED,
        ),
        Err(message) => (
            admin_page(
                &state,
                viewer,
                "",
                message,
                true,
                (f.get("name"), f.get("display_name"), f.get("groups")),
            )
            .await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /admin/users/{name}`: role, groups, display name, disabled, password.
pub async fn update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: Submitted,
) -> Result<Response, WebError> {
    let viewer = &form.viewer;
    viewer.caller.require(Need::Admin)?;
    let f = &form.fields;
    let outcome = match f.get("role").parse::<Role>() {
        Err(e) => Err(e.to_string()),
        Ok(role) => users::update(
            State(state.clone()),
            viewer.caller.clone(),
            extract::Path(name.clone()),
            ApiJson(UserChange {
                display_name: f.text("display_name"),
                role: Some(role),
                groups: Some(list(f.get("groups"))),
                disabled: Some(f.get("disabled") == "on"),
                password: f.text("password"),
            }),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.body.message),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(message) => {
            let page = admin_page(&state, viewer, &name, message, true, ("", "", "")).await?;
            let mut response = render(&page);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}
