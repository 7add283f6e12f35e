//! Refuses query parameters a route does not take. Without this a typo
//! (`?severty=SEV1`) would be ignored and the client would get an unfiltered
//! list that looks filtered. The parameters a route takes come from the OpenAPI
//! document, so the document and the check cannot disagree.
//!
//! A request without any credentials to a route that needs them is let
//! through: its 401 says more than a 400 about a parameter would.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The query parameters of every documented route, by method and path template.
#[derive(Debug, Default)]
pub struct QueryParams {
    routes: HashMap<(String, String), Route>,
}

/// What the check knows of one operation.
#[derive(Debug, Default)]
struct Route {
    params: BTreeSet<String>,
    /// Answers without credentials (`security: [{}]` in the document).
    public: bool,
}

impl QueryParams {
    /// Reads the `in: query` parameters of every operation in `doc`.
    pub fn from_openapi(doc: &serde_json::Value) -> Self {
        let mut routes = HashMap::new();
        let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
            return QueryParams { routes };
        };
        for (path, operations) in paths {
            let Some(operations) = operations.as_object() else {
                continue;
            };
            for (method, operation) in operations {
                let public = operation
                    .get("security")
                    .and_then(|s| s.as_array())
                    .is_some_and(|s| {
                        s.iter()
                            .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
                    });
                let params = operation
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .into_iter()
                    .flatten()
                    .filter(|p| p.get("in").and_then(|i| i.as_str()) == Some("query"))
                    .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
                    .map(str::to_string)
                    .collect();
                routes.insert(
                    (method.to_ascii_uppercase(), path.clone()),
                    Route { params, public },
                );
            }
        }
        QueryParams { routes }
    }

    /// The first parameter of `query` the route does not take, with those it
    /// does; `None` for routes outside the document (the web pages).
    fn unknown(
        &self,
        method: &str,
        path: &str,
        query: &str,
    ) -> Option<(String, &BTreeSet<String>)> {
        let known = &self
            .routes
            .get(&(method.to_string(), path.to_string()))?
            .params;
        form_urlencoded::parse(query.as_bytes())
            .map(|(name, _)| name.into_owned())
            .find(|name| !known.contains(name))
            .map(|name| (name, known))
    }

    /// Whether the route needs credentials.
    fn guarded(&self, method: &str, path: &str) -> bool {
        self.routes
            .get(&(method.to_string(), path.to_string()))
            .is_some_and(|r| !r.public)
    }
}

/// Whether the request carries any credentials (valid or not).
fn has_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || crate::auth::cookie(headers, crate::auth::SESSION_COOKIE).is_some()
}

/// Middleware: 400 naming the unknown parameter and listing the known ones.
pub async fn reject_unknown(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    if let (Some(path), Some(query)) = (matched, request.uri().query()) {
        let method = request.method().as_str();
        if state.query_params.guarded(method, path.as_str()) && !has_credentials(request.headers())
        {
            return next.run(request).await;
        }
        if let Some((name, known)) = state.query_params.unknown(method, path.as_str(), query) {
            let takes = if known.is_empty() {
                "this route takes no query parameters".to_string()
            } else {
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                format!("this route takes: {}", names.join(", "))
            };
            return ApiError::invalid(
                name.clone(),
                format!("unknown query parameter `{name}`; {takes}"),
            )
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params() -> QueryParams {
        QueryParams::from_openapi(&json!({"paths": {
            "/api/v1/postmortems": {"get": {"parameters": [
                {"name": "kind", "in": "query"}, {"name": "limit", "in": "query"}
            ]}},
            "/api/v1/postmortems/{id}": {"get": {"parameters": [{"name": "id", "in": "path"}]}}
        }}))
    }

    #[test]
    fn names_the_first_unknown_parameter() {
        let p = params();
        assert_eq!(
            p.unknown("GET", "/api/v1/postmortems", "kind=deploy&limit=5"),
            None
        );
        let (name, known) = p
            .unknown("GET", "/api/v1/postmortems", "kind=deploy&severty=SEV1")
            .unwrap();
        assert_eq!(name, "severty");
        assert_eq!(known.len(), 2);
        // Path parameters are not query parameters.
        assert!(
            p.unknown("GET", "/api/v1/postmortems/{id}", "id=1")
                .is_some()
        );
        // Routes outside the document are left alone.
        assert_eq!(p.unknown("GET", "/postmortems", "anything=1"), None);
        assert_eq!(p.unknown("POST", "/api/v1/postmortems", "x=1"), None);
    }
}
