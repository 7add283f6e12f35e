//! The one error shape of the HTTP API:
//! `{"error": {"status", "code", "message", "field"}}`, plus `current_version`
//! on a version conflict and `missing` on a refused workflow transition.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::workflow::TransitionError;
use hindsight_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorDetail,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for people (`message`) and programs (`code`, `field`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    pub status: u16,
    /// A stable, kebab-case error code (`not-found`, `version-conflict`, ...).
    pub code: &'static str,
    pub message: String,
    /// The path of the offending input (`severity`, `actions[2].due`,
    /// `If-Match`), when one input is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On `version-conflict`: the stored version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// On `transition-refused`: what the postmortem still lacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorDetail {
                status: status.as_u16(),
                code,
                message: message.into(),
                field: None,
                current_version: None,
                missing: None,
            },
        }
    }

    /// Names the input at fault.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.body.field = (!field.is_empty()).then_some(field);
        self
    }

    /// 400: an input that cannot be used, with where it is.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid-input", message).at(field)
    }

    /// 404: the same answer whether the thing does not exist or may not be seen.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("no {what}"))
    }

    /// 409: the client edited an older version than the stored one.
    pub fn conflict(expected: i64, current: i64) -> Self {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            "version-conflict",
            format!(
                "the postmortem was changed by someone else: you edited version {expected}, the stored one is version {current}; reload it and apply your change again"
            ),
        );
        e.body.current_version = Some(current);
        e
    }

    /// 428: a change of an existing postmortem without the version it was made from.
    pub fn version_required() -> Self {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "version-required",
            "give the version you edited: a `version` field in the body or an If-Match header",
        )
        .at("version")
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        tracing::error!(error = %message, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(ErrorBody { error: self.body })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("postmortem `{what}`")),
            StoreError::Conflict {
                expected, current, ..
            } => ApiError::conflict(expected, current),
            StoreError::NoAccount(message) => {
                ApiError::new(StatusCode::NOT_FOUND, "no-account", message)
            }
            StoreError::Duplicate(message) => {
                ApiError::new(StatusCode::CONFLICT, "duplicate", message)
            }
            StoreError::Invalid(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        let mut err = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "transition-refused",
            e.to_string(),
        )
        .at("to");
        if let TransitionError::Incomplete { missing, .. } = e {
            err.body.missing = Some(missing);
        }
        err
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(status, "body-too-large", e.body_text())
        } else {
            ApiError::new(status, "unreadable-body", e.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid-query", e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid-path", e.body_text())
    }
}

/// The answer for a path no route serves.
pub async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no-route", "no such API route")
}

/// The answer for a method a route does not serve.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this route does not take that method",
    )
}
