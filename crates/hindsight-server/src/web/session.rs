//! Logging in and out. The work is the JSON API's (`routes::session`): the
//! same password check, rate limits, session cookie and account events.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::json::ApiJson;
use crate::routes::session::{self as api, Login};
use crate::state::AppState;
use crate::web::view::render;
use crate::web::{Chrome, Fields, Submitted};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<String>,
    name: String,
    next: String,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path on this site: never an absolute URL to elsewhere.
fn local(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// `GET /login`.
pub async fn form(Query(q): Query<Next>) -> Response {
    render(&LoginPage {
        chrome: Chrome::anonymous("login", "Log in"),
        error: None,
        name: String::new(),
        next: local(q.next.as_deref().unwrap_or("/")),
    })
}

/// `POST /login`: sets the session cookie and goes on to `next`.
pub async fn login(
    State(state): State<AppState>,
    peer: ConnectInfo<SocketAddr>,
    fields: Fields,
) -> Response {
    let name = fields.get("name").trim().to_string();
    let next = local(fields.get("next"));
    let answer = api::login(
        State(state),
        peer,
        ApiJson(Login {
            name: name.clone(),
            password: fields.get("password").to_string(),
        }),
    )
    .await;
    let (status, error) = match answer {
        Ok(response) if response.status().is_success() => {
            let mut redirect = Redirect::to(&next).into_response();
            if let Some(cookie) = response.headers().get(header::SET_COOKIE) {
                redirect
                    .headers_mut()
                    .insert(header::SET_COOKIE, cookie.clone());
            }
            return redirect;
        }
        Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed logins: wait a few minutes and try again.".to_string(),
        ),
        Ok(response) => (response.status(), "The login failed.".to_string()),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => (
            e.status,
            "Wrong name or password, or the account is disabled.".to_string(),
        ),
        Err(e) => (e.status, e.body.message),
    };
    let mut page = render(&LoginPage {
        chrome: Chrome::anonymous("login", "Log in"),
        error: Some(error),
        name,
        next,
    });
    *page.status_mut() = status;
    page
}

/// `POST /logout`: ends the session and shows the login page.
pub async fn logout(State(state): State<AppState>, form: Submitted) -> Response {
    let mut redirect = Redirect::to("/login").into_response();
    if let Ok(response) = api::logout(State(state), form.viewer.caller).await
        && let Some(cookie) = response.headers().get(header::SET_COOKIE)
    {
        redirect
            .headers_mut()
            .insert(header::SET_COOKIE, cookie.clone());
    }
    redirect
}
