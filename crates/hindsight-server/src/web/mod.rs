//! The web UI: server-rendered pages over the same store, access rules and
//! core functions as the JSON API.
//!
//! Pages are askama templates (`templates/`, checked at compile time). Reading
//! works without JavaScript; htmx and `app.js` add live lint findings, inline
//! status updates and local times. Assets are embedded in the binary and served
//! under content-hashed names ([`assets`]). Every page carries a strict
//! Content-Security-Policy: no inline scripts or styles.
//!
//! A page is authenticated by the session cookie of the JSON API. HTML forms
//! cannot send the `X-CSRF-Token` header, so every form carries the session's
//! CSRF token in a hidden `_csrf` field, checked by [`Submitted`].

mod admin;
mod assets;
mod board;
mod editor;
mod form;
mod home;
mod insight;
mod list;
mod markdown;
mod postmortem;
mod profile;
mod review;
mod session;
mod view;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use hindsight_auth::{SessionSecrets, constant_time_eq};
use tower_http::compression::CompressionLayer;

use crate::auth::{Caller, SESSION_COOKIE, Via, cookie};
use crate::state::AppState;

pub use form::Fields;
pub use view::{Chrome, WebError};

/// The routes of the web UI.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(session::form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/postmortems", get(list::page))
        .route(
            "/postmortems/new",
            get(editor::new_form).post(editor::create),
        )
        .route("/postmortems/{key}", get(postmortem::page))
        .route(
            "/postmortems/{key}/edit",
            get(editor::edit_form).post(editor::save),
        )
        .route("/postmortems/{key}/lint", post(editor::lint))
        .route("/postmortems/{key}/review", post(review::request))
        .route("/postmortems/{key}/verdict", post(review::verdict))
        .route("/postmortems/{key}/status", post(review::transition))
        .route("/preview", post(editor::preview))
        .route("/actions", get(board::page))
        .route("/insights", get(insight::page))
        .route("/actions/{key}/{id}", post(board::update))
        .route("/profile", get(profile::page))
        .route("/profile/tokens", post(profile::create))
        .route("/profile/tokens/{id}/revoke", post(profile::revoke))
        .route("/admin/users", get(admin::page).post(admin::create))
        .route("/admin/users/{name}", post(admin::update))
        .route("/assets/{file}", get(assets::serve))
        .layer(middleware::from_fn(security_headers))
        // Pages and assets are text: gzip makes them a third of their size
        // or less for browsers that ask for it.
        .layer(CompressionLayer::new())
}

/// The Content-Security-Policy of every page: only this origin's scripts,
/// styles and connections; no inline code, no framing, forms post here only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    protect(&mut response);
    response
}

fn protect(response: &mut Response) {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// A path no route serves: a page for a browser, the JSON error for API,
/// webhook and other clients.
pub async fn not_found(parts: Parts) -> Response {
    let path = parts.uri.path();
    let machine = path.starts_with("/api/") || path.starts_with("/hooks/");
    let browser = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if machine || !browser {
        return crate::error::no_route().await.into_response();
    }
    let mut response = WebError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address.",
    )
    .into_response();
    protect(&mut response);
    response
}

/// The logged-in person looking at a page, with the session's CSRF token for
/// the forms it renders. Without a valid session: a redirect to the login page
/// that comes back here.
pub struct Viewer {
    pub caller: Caller,
    pub csrf: String,
}

impl Viewer {
    pub fn name(&self) -> &str {
        self.caller.name()
    }
}

/// Where to send someone without a session: the login page, then back.
fn to_login(parts: &Parts) -> Response {
    let back = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    // A form sent from the editor comes back to the editor, where the text
    // kept in the browser is offered back (app.js).
    let path = parts.uri.path();
    let reopen = parts.method == axum::http::Method::POST
        && path.starts_with("/postmortems/")
        && path.ends_with("/edit");
    let target = if parts.method == axum::http::Method::GET && back != "/" {
        format!("/login?next={}", form::encode(back))
    } else if reopen {
        format!("/login?next={}", form::encode(path))
    } else {
        "/login".to_string()
    };
    if parts.headers.contains_key("hx-request") {
        // A background request (lint while typing, an inline update) must not
        // navigate away from what is being typed: htmx leaves the page as it
        // is on a 401, and the next deliberate save leads to the login page.
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Redirect::to(&target).into_response()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login(parts));
        };
        let id_hash = SessionSecrets::id_hash(secret);
        match state.store.session(&id_hash, Utc::now()).await {
            Ok(Some((session, user))) => Ok(Viewer {
                csrf: session.csrf_token.clone(),
                caller: Caller {
                    user,
                    via: Via::Session {
                        id_hash,
                        csrf_token: session.csrf_token,
                    },
                },
            }),
            Ok(None) => Err(to_login(parts)),
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

/// A submitted form of a logged-in viewer whose `_csrf` field matches the
/// session's token (a form from another site cannot know it).
pub struct Submitted {
    pub viewer: Viewer,
    pub fields: Fields,
}

impl FromRequest<AppState> for Submitted {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let fields = Fields::from_request(request, state).await?;
        if !constant_time_eq(fields.get("_csrf"), &viewer.csrf) {
            return Err(WebError::new(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was not sent from this session's page. Reload the page and send it again.",
            )
            .into_response());
        }
        Ok(Submitted { viewer, fields })
    }
}
