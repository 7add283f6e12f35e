//! Logging in and out. The work is the JSON API's (`routes::session`): the
//! same password check, rate limits, session cookie and account events.
//!
//! The login form has no session to carry a CSRF token, so it gets its own:
//! a random value in a cookie that only `/login` sees and the same value in
//! a hidden field. Another site can post a form here but cannot read or set
//! that cookie, so it cannot log a browser into an account of its choosing.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hindsight_auth::{constant_time_eq, random_text};
use serde::Deserialize;

use crate::auth::cookie;
use crate::json::ApiJson;
use crate::routes::session::{self as api, Login};
use crate::state::AppState;
use crate::web::view::render;
use crate::web::{Chrome, Fields, Submitted, WebError};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<String>,
    name: String,
    next: String,
    token: String,
}

/// The cookie holding the login form's token.
const LOGIN_COOKIE: &str = "hindsight_login";

/// The login form with a fresh token, its cookie set.
fn login_page(
    state: &AppState,
    status: StatusCode,
    error: Option<String>,
    name: String,
    next: String,
) -> Response {
    let token = match random_text(32) {
        Ok(t) => t,
        Err(e) => {
            return WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                e.to_string(),
            )
            .into_response();
        }
    };
    let secure = if state.cookie_secure { "; Secure" } else { "" };
    let set = HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    ));
    let mut page = render(&LoginPage {
        chrome: Chrome::anonymous("login", "Log in"),
        error,
        name,
        next,
        token,
    });
    *page.status_mut() = status;
    if let Ok(set) = set {
        page.headers_mut().append(header::SET_COOKIE, set);
    }
    page
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
pub async fn form(State(state): State<AppState>, Query(q): Query<Next>) -> Response {
    login_page(
        &state,
        StatusCode::OK,
        None,
        String::new(),
        local(q.next.as_deref().unwrap_or("/")),
    )
}

/// `POST /login`: sets the session cookie and goes on to `next`.
pub async fn login(
    State(state): State<AppState>,
    peer: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    fields: Fields,
) -> Response {
    let name = fields.get("name").trim().to_string();
    let next = local(fields.get("next"));
    let sent = fields.get("_login");
    if sent.is_empty() || !cookie(&headers, LOGIN_COOKIE).is_some_and(|c| constant_time_eq(c, sent))
    {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            Some(
                "This login form has expired or came from another site: log in again.".to_string(),
            ),
            name,
            next,
        );
    }
    let answer = api::login(
        State(state.clone()),
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
    login_page(&state, status, Some(error), name, next)
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
