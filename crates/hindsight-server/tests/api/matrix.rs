//! The authorisation matrix: every route x every kind of caller x a normal and
//! a restricted postmortem -> the expected status, and no restricted text in
//! any reply to a caller who may not read it.

use std::sync::atomic::{AtomicUsize, Ordering};

use hindsight_core::Postmortem;
use hindsight_core::vocab::{Role, TokenScope};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Client, Server, both_backends};

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: probes, metrics, the OpenAPI document, login.
    Public,
    /// Any authenticated caller.
    Anyone,
    /// A login session (tokens get 400).
    Session,
    /// A session or an admin-scoped token (token management).
    AccountControl,
    Read,
    Write,
    Admin,
    /// An API token of scope `webhook` (everyone else: 401).
    Webhook,
}

pub struct Route {
    pub method: Method,
    pub template: &'static str,
    pub need: Need,
    /// The route names one postmortem (404 for one the caller may not read).
    pub on_postmortem: bool,
    /// The status when allowed.
    pub ok: StatusCode,
}

const fn route(
    method: Method,
    template: &'static str,
    need: Need,
    on_postmortem: bool,
    ok: u16,
) -> Route {
    let ok = match StatusCode::from_u16(ok) {
        Ok(s) => s,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    Route {
        method,
        template,
        need,
        on_postmortem,
        ok,
    }
}

/// Every route the server has.
pub fn routes() -> Vec<Route> {
    use Need::*;
    vec![
        route(Method::GET, "/healthz", Public, false, 200),
        route(Method::GET, "/readyz", Public, false, 200),
        route(Method::GET, "/metrics", Public, false, 200),
        route(Method::GET, "/api/v1/openapi.json", Public, false, 200),
        route(Method::POST, "/api/v1/session", Public, false, 401),
        // No setup token offered (accounts exist): closed for everyone.
        route(Method::POST, "/api/v1/setup", Public, false, 409),
        route(Method::GET, "/api/v1/session", Anyone, false, 200),
        route(Method::DELETE, "/api/v1/session", Session, false, 204),
        route(Method::GET, "/api/v1/postmortems", Read, false, 200),
        route(Method::POST, "/api/v1/postmortems", Write, false, 201),
        route(Method::GET, "/api/v1/postmortems/{id}", Read, true, 200),
        route(Method::PUT, "/api/v1/postmortems/{id}", Write, true, 200),
        route(Method::DELETE, "/api/v1/postmortems/{id}", Write, true, 204),
        route(
            Method::POST,
            "/api/v1/postmortems/{id}/transitions",
            Write,
            true,
            200,
        ),
        route(
            Method::POST,
            "/api/v1/postmortems/{id}/timeline",
            Write,
            true,
            201,
        ),
        route(
            Method::PATCH,
            "/api/v1/postmortems/{id}/timeline/{index}",
            Write,
            true,
            200,
        ),
        route(
            Method::DELETE,
            "/api/v1/postmortems/{id}/timeline/{index}",
            Write,
            true,
            200,
        ),
        route(
            Method::POST,
            "/api/v1/postmortems/{id}/factors",
            Write,
            true,
            201,
        ),
        route(
            Method::PATCH,
            "/api/v1/postmortems/{id}/factors/{factor}",
            Write,
            true,
            200,
        ),
        route(
            Method::DELETE,
            "/api/v1/postmortems/{id}/factors/{factor}",
            Write,
            true,
            200,
        ),
        route(
            Method::POST,
            "/api/v1/postmortems/{id}/actions",
            Write,
            true,
            201,
        ),
        route(
            Method::PATCH,
            "/api/v1/postmortems/{id}/actions/{action}",
            Write,
            true,
            200,
        ),
        route(
            Method::DELETE,
            "/api/v1/postmortems/{id}/actions/{action}",
            Write,
            true,
            200,
        ),
        route(
            Method::POST,
            "/api/v1/postmortems/{id}/review-requests",
            Write,
            true,
            200,
        ),
        route(
            Method::POST,
            "/api/v1/postmortems/{id}/reviews",
            Write,
            true,
            201,
        ),
        route(
            Method::GET,
            "/api/v1/postmortems/{id}/review",
            Read,
            true,
            200,
        ),
        route(Method::GET, "/api/v1/audit", Admin, false, 200),
        route(Method::GET, "/api/v1/account-events", Admin, false, 200),
        route(
            Method::GET,
            "/api/v1/postmortems/{id}/audit",
            Read,
            true,
            200,
        ),
        route(
            Method::GET,
            "/api/v1/postmortems/{id}/quality",
            Read,
            true,
            200,
        ),
        route(
            Method::GET,
            "/api/v1/postmortems/{id}/export",
            Read,
            true,
            200,
        ),
        route(Method::POST, "/api/v1/import", Write, false, 201),
        route(Method::GET, "/api/v1/search", Read, false, 200),
        route(Method::GET, "/api/v1/actions", Read, false, 200),
        route(Method::GET, "/api/v1/tokens", AccountControl, false, 200),
        route(Method::POST, "/api/v1/tokens", AccountControl, false, 201),
        // Revoking an unknown token: 404 for those allowed to look.
        route(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            AccountControl,
            false,
            404,
        ),
        route(Method::GET, "/api/v1/users", Admin, false, 200),
        route(Method::POST, "/api/v1/users", Admin, false, 201),
        route(Method::GET, "/api/v1/users/{name}", Admin, false, 200),
        route(Method::PATCH, "/api/v1/users/{name}", Admin, false, 200),
        route(Method::GET, "/api/v1/metrics", Read, false, 200),
        route(Method::GET, "/api/v1/patterns", Read, false, 200),
        route(Method::GET, "/api/v1/report", Read, false, 200),
        route(Method::GET, "/api/v1/charts/{chart}", Read, false, 200),
        route(
            Method::GET,
            "/api/v1/postmortems/{id}/similar",
            Read,
            true,
            200,
        ),
        route(Method::POST, "/hooks/{source}", Webhook, false, 202),
        route(Method::GET, "/hooks/deliveries", Admin, false, 200),
        // Replaying an unknown delivery: 404 for those allowed to look.
        route(
            Method::POST,
            "/hooks/deliveries/{id}/replay",
            Admin,
            false,
            404,
        ),
    ]
}

/// A kind of caller.
struct Who {
    label: &'static str,
    /// The account's role and the token's scope; `None` is anonymous.
    token: Option<(&'static str, Role, TokenScope)>,
}

const CALLERS: &[Who] = &[
    Who {
        label: "anonymous",
        token: None,
    },
    Who {
        label: "viewer",
        token: Some(("vic", Role::Viewer, TokenScope::Read)),
    },
    Who {
        label: "editor",
        token: Some(("erin", Role::Editor, TokenScope::Write)),
    },
    Who {
        label: "admin",
        token: Some(("ada", Role::Admin, TokenScope::Admin)),
    },
    Who {
        label: "admin, read token",
        token: Some(("ada", Role::Admin, TokenScope::Read)),
    },
    Who {
        label: "admin, write token",
        token: Some(("ada", Role::Admin, TokenScope::Write)),
    },
    Who {
        label: "admin, webhook token",
        token: Some(("ada", Role::Admin, TokenScope::Webhook)),
    },
    // Scopes wider than the role (the store keeps them; the role still bounds them).
    Who {
        label: "viewer, admin token",
        token: Some(("vic", Role::Viewer, TokenScope::Admin)),
    },
    Who {
        label: "editor, admin token",
        token: Some(("erin", Role::Editor, TokenScope::Admin)),
    },
];

fn allows(role: Role, scope: TokenScope, need: Need) -> bool {
    use TokenScope as S;
    match need {
        Need::Read => matches!(scope, S::Read | S::Write | S::Admin),
        Need::Write => role >= Role::Editor && matches!(scope, S::Write | S::Admin),
        Need::Admin => role == Role::Admin && scope == S::Admin,
        Need::AccountControl => scope == S::Admin,
        Need::Webhook => scope == S::Webhook,
        Need::Public | Need::Anyone | Need::Session => true,
    }
}

fn expected(route: &Route, who: &Who, restricted: bool) -> StatusCode {
    if route.need == Need::Public {
        return route.ok;
    }
    let Some((_, role, scope)) = who.token else {
        return StatusCode::UNAUTHORIZED;
    };
    if route.need == Need::Session {
        return StatusCode::BAD_REQUEST;
    }
    if route.need == Need::Webhook && !allows(role, scope, Need::Webhook) {
        return StatusCode::UNAUTHORIZED;
    }
    if route.on_postmortem {
        if !allows(role, scope, Need::Read) {
            return StatusCode::FORBIDDEN;
        }
        if restricted && role != Role::Admin {
            return StatusCode::NOT_FOUND;
        }
    }
    if allows(role, scope, route.need) {
        route.ok
    } else {
        StatusCode::FORBIDDEN
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The request of a route against `pm`: path and body.
fn request(route: &Route, pm: &Postmortem) -> (String, Option<(&'static str, String)>) {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let id = pm.id.to_string();
    let path = route
        .template
        .replace("{index}", "0")
        .replace("{factor}", "F1")
        .replace("{action}", "A1")
        .replace("{name}", "erin")
        .replace("{chart}", "incidents.svg");
    let path = if route.template.starts_with("/api/v1/tokens/") {
        path.replace("{id}", &uuid::Uuid::new_v4().to_string())
    } else if route.template.starts_with("/hooks/") {
        path.replace("{id}", "999999").replace("{source}", "events")
    } else {
        path.replace("{id}", &id)
    };
    let json = |v: serde_json::Value| Some(("application/json", v.to_string()));
    let body = match (route.method.as_str(), route.template) {
        ("POST", "/api/v1/session") => {
            json(json!({"name": format!("nobody{n}"), "password": "not the password"}))
        }
        ("POST", "/api/v1/setup") => json(
            json!({"token": "guess", "name": format!("root{n}"), "password": "long enough password"}),
        ),
        ("POST", "/api/v1/postmortems") => {
            json(json!({"title": format!("Created {n}"), "kind": "incident"}))
        }
        ("PUT", _) => {
            let mut v = serde_json::to_value(pm).unwrap();
            v["title"] = json!(format!("Renamed {n}"));
            json(v)
        }
        ("POST", t) if t.ends_with("/transitions") => {
            json(json!({"to": "in-review", "version": 1}))
        }
        ("POST", t) if t.ends_with("/review-requests") => {
            json(json!({"reviewers": ["ada"], "version": 1}))
        }
        ("POST", t) if t.ends_with("/reviews") => {
            json(json!({"verdict": "commented", "comment": "Reads well", "version": 1}))
        }
        ("POST", t) if t.ends_with("/timeline") => {
            json(json!({"version": 1, "at": "2026-03-04T10:00:00Z", "text": "More"}))
        }
        ("PATCH", t) if t.contains("/timeline/") => json(json!({"version": 1, "text": "Changed"})),
        ("POST", t) if t.ends_with("/factors") => {
            json(json!({"version": 1, "category": "code", "text": "A bug"}))
        }
        ("PATCH", t) if t.contains("/factors/") => json(json!({"version": 1, "text": "Changed"})),
        ("POST", t) if t.ends_with("/actions") => {
            json(json!({"version": 1, "title": "Add a check"}))
        }
        ("PATCH", t) if t.contains("/actions/") => json(json!({"version": 1, "status": "done"})),
        ("POST", "/api/v1/import") => Some((
            "text/markdown",
            format!("# Imported {n}\n\nThe queue filled up.\n"),
        )),
        ("POST", "/api/v1/tokens") => json(json!({"name": format!("t{n}"), "scope": "read"})),
        ("POST", "/hooks/{source}") => json(json!({
            "id": format!("matrix-{n}"), "type": "custom", "at": "2026-03-04T10:00:00Z",
            "title": format!("Custom event {n}"), "service": "checkout"
        })),
        ("POST", "/api/v1/users") => json(json!({"name": format!("user{n}"), "role": "viewer"})),
        ("PATCH", "/api/v1/users/{name}") => json(json!({"display_name": format!("Erin {n}")})),
        _ => None,
    };
    let path = match (route.method.as_str(), route.template) {
        ("DELETE", t) if t.starts_with("/api/v1/postmortems/") => format!("{path}?version=1"),
        ("GET", "/api/v1/search") => format!("{path}?q=zebra"),
        ("GET", "/api/v1/postmortems") => format!("{path}?limit=500"),
        _ => path,
    };
    (path, body)
}

/// The word in every restricted postmortem's text.
const MARKER: &str = "ZEBRA";

both_backends! {
    async fn authorisation_matrix(server: Server) {
        let mut clients: Vec<(&Who, Client)> = Vec::new();
        for who in CALLERS {
            let client = match who.token {
                None => server.anonymous(),
                Some((name, role, scope)) => server.client_for(name, role, scope).await,
            };
            clients.push((who, client));
        }
        let mut failures = Vec::new();
        for route in routes() {
            for restricted in [false, true] {
                for (who, client) in &clients {
                    let title = if restricted { format!("{MARKER} key leak") } else { "Disk full".into() };
                    let pm = server.seed(&title, restricted).await;
                    let (path, body) = request(&route, &pm);
                    let body = body.as_ref().map(|(t, b)| (*t, b.clone()));
                    let reply = client.send(route.method.clone(), &path, body, &[]).await;
                    let want = expected(&route, who, restricted);
                    let cell = format!("{} {} as {}{}", route.method, route.template, who.label,
                        if restricted { " on a restricted postmortem" } else { "" });
                    if reply.status != want {
                        failures.push(format!("{cell}: got {}, expected {want}: {}", reply.status, reply.text));
                    }
                    if !reply.status.is_success() {
                        // Errors keep the one shape.
                        reply.error_code();
                    }
                    let sees_restricted = who.token.is_some_and(|(_, role, scope)| {
                        role == Role::Admin && scope != TokenScope::Webhook
                    });
                    if !sees_restricted && reply.text.contains(MARKER) {
                        failures.push(format!("{cell}: restricted text leaked: {}", reply.text));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} cells failed:\n{}", failures.len(), failures.join("\n"));
    }
}
