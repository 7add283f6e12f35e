//! Who is calling and what they may do.
//!
//! A caller proves who it is with a bearer API token or a session cookie.
//! Cookie-authenticated changes also carry the session's CSRF token in the
//! `X-CSRF-Token` header. What a caller may do is the least of its account's
//! role and, for a token, the token's scope.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use chrono::Utc;
use hindsight_auth::{SessionSecrets, Token, constant_time_eq};
use hindsight_core::access::Reader;
use hindsight_core::vocab::{Role, TokenScope};
use hindsight_store::User;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hindsight_session";
/// The header a cookie-authenticated change carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
}

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    Session {
        id_hash: String,
        csrf_token: String,
    },
    Token {
        id: Uuid,
        prefix: String,
        scope: TokenScope,
    },
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Read postmortems (those the reader may see).
    Read,
    /// Change postmortems: editor role, write or admin scope.
    Write,
    /// Manage users and read every postmortem's history: admin role and scope.
    Admin,
}

impl Caller {
    pub fn name(&self) -> &str {
        &self.user.name
    }

    /// The caller as a reader of postmortems.
    pub fn reader(&self) -> Reader {
        self.user.reader()
    }

    /// The actor recorded in audit logs: `alice`, or `alice (token 1a2b3c4d)`.
    pub fn actor(&self) -> String {
        match &self.via {
            Via::Session { .. } => self.user.name.clone(),
            Via::Token { prefix, .. } => format!("{} (token {prefix})", self.user.name),
        }
    }

    /// Whether the caller may do what `need` names.
    pub fn allows(&self, need: Need) -> bool {
        let role = match need {
            Need::Read => true,
            Need::Write => self.user.role >= Role::Editor,
            Need::Admin => self.user.role == Role::Admin,
        };
        let scope = match &self.via {
            Via::Session { .. } => true,
            Via::Token { scope, .. } => matches!(
                (scope, need),
                (TokenScope::Admin, _)
                    | (TokenScope::Write, Need::Read | Need::Write)
                    | (TokenScope::Read, Need::Read)
            ),
        };
        role && scope
    }

    /// 403 unless the caller may do what `need` names.
    pub fn require(&self, need: Need) -> Result<(), ApiError> {
        if self.allows(need) {
            return Ok(());
        }
        let what = match need {
            Need::Read => "reading postmortems",
            Need::Write => "changing postmortems (editor role; write or admin token scope)",
            Need::Admin => "administration (admin role; admin token scope)",
        };
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this account or token may not do this: it needs {what}"),
        ))
    }

    /// 403 unless the caller acts for its own account with full say over it: a
    /// session, or an admin-scoped token (managing tokens).
    pub fn require_account_control(&self) -> Result<(), ApiError> {
        match &self.via {
            Via::Session { .. }
            | Via::Token {
                scope: TokenScope::Admin,
                ..
            } => Ok(()),
            Via::Token { .. } => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "managing tokens needs a login session or an admin-scoped token",
            )),
        }
    }
}

fn unauthenticated(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
}

/// The value of cookie `name` in the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let now = Utc::now();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let text = value.to_str().unwrap_or_default();
            let Some(secret) = text
                .strip_prefix("Bearer ")
                .or_else(|| text.strip_prefix("bearer "))
            else {
                return Err(unauthenticated(
                    "the Authorization header must be `Bearer <API token>`",
                ));
            };
            let token = Token::parse(secret)
                .map_err(|_| unauthenticated("the API token is not well-formed"))?;
            let Some((record, user)) = state.store.use_token(&token.hash(), now).await? else {
                return Err(unauthenticated(
                    "the API token is unknown, revoked or expired, or its account is disabled",
                ));
            };
            return Ok(Caller {
                user,
                via: Via::Token {
                    id: record.id,
                    prefix: record.prefix,
                    scope: record.scope,
                },
            });
        }
        let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(unauthenticated(
                "log in (POST /api/v1/session) or send an API token (Authorization: Bearer ...)",
            ));
        };
        let id_hash = SessionSecrets::id_hash(cookie);
        let Some((session, user)) = state.store.session(&id_hash, now).await? else {
            return Err(unauthenticated("the session has expired: log in again"));
        };
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !constant_time_eq(sent, &session.csrf_token) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "a change made with a session cookie needs the session's CSRF token in the X-CSRF-Token header",
                )
                .at("X-CSRF-Token"));
            }
        }
        Ok(Caller {
            user,
            via: Via::Session {
                id_hash,
                csrf_token: session.csrf_token,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, scope: Option<TokenScope>) -> Caller {
        let user = User {
            name: "alice".into(),
            display_name: "Alice".into(),
            role,
            groups: vec![],
            disabled: false,
            created_at: Utc::now(),
        };
        let via = match scope {
            None => Via::Session {
                id_hash: "h".into(),
                csrf_token: "c".into(),
            },
            Some(scope) => Via::Token {
                id: Uuid::nil(),
                prefix: "1a2b3c4d".into(),
                scope,
            },
        };
        Caller { user, via }
    }

    #[test]
    fn the_least_of_role_and_scope_applies() {
        use Need::*;
        let cases = [
            (Role::Viewer, None, [true, false, false]),
            (Role::Editor, None, [true, true, false]),
            (Role::Admin, None, [true, true, true]),
            (Role::Admin, Some(TokenScope::Read), [true, false, false]),
            (Role::Admin, Some(TokenScope::Write), [true, true, false]),
            (Role::Editor, Some(TokenScope::Admin), [true, true, false]),
            (
                Role::Admin,
                Some(TokenScope::Webhook),
                [false, false, false],
            ),
        ];
        for (role, scope, expected) in cases {
            let c = caller(role, scope);
            let got = [c.allows(Read), c.allows(Write), c.allows(Admin)];
            assert_eq!(got, expected, "{role:?} {scope:?}");
        }
        assert_eq!(
            caller(Role::Editor, Some(TokenScope::Write)).actor(),
            "alice (token 1a2b3c4d)"
        );
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; hindsight_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
