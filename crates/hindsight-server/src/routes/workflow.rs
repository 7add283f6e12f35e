//! `POST /api/v1/postmortems/{id}/transitions`: moving through the review
//! workflow. The guards are core's ([`hindsight_core::workflow`]).

use axum::extract::State;
use axum::http::HeaderMap;
use chrono::Utc;
use hindsight_core::Status;
use hindsight_core::workflow;
use hindsight_store::AuditAction;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::ApiJson;
use crate::openapi::PostmortemSchema;
use crate::routes::postmortems::edit;
use crate::state::AppState;
use crate::version::{self, Tagged};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The status to move to: `draft`, `in-review`, `final` or `closed`.
    pub to: Status,
    /// The version moved from, unless `If-Match` has it.
    pub version: Option<i64>,
}

/// Moves the postmortem to another status; a refusal (422) lists what is missing.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/transitions", tag = "workflow",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version moved from, unless the body has it")),
    request_body = TransitionRequest,
    responses((status = 200, body = PostmortemSchema), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<TransitionRequest>,
) -> Result<Tagged, ApiError> {
    let expected = version::expected(&headers, request.version)?;
    edit(
        &state,
        &caller,
        &id,
        expected,
        AuditAction::Transition,
        |pm| {
            workflow::transition(pm, request.to, &state.review, Utc::now()).map_err(ApiError::from)
        },
    )
    .await
}
