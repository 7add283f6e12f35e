//! The review workflow: asking named reviewers, their verdicts (on the
//! postmortem or one section) and the review state with its due dates. The
//! rules are core's ([`hindsight_core::review`]); this module checks the people
//! named are accounts that may read the postmortem.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use hindsight_core::review::{self, Deadlines, ReviewError};
use hindsight_core::{Postmortem, Review, Status, Verdict};
use hindsight_store::AuditAction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::ApiJson;
use crate::openapi::PostmortemSchema;
use crate::routes::postmortems::{edit, visible};
use crate::state::AppState;
use crate::version::{self, Tagged};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Account names of the reviewers to ask (added to those already asked).
    pub reviewers: Vec<String>,
    /// The version asked from, unless `If-Match` has it.
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewVerdict {
    /// `approved`, `changes-requested` or `commented`.
    pub verdict: Verdict,
    /// Required when asking for changes.
    #[serde(default)]
    pub comment: String,
    /// The section the review is about (its heading, e.g. `Root cause`); none
    /// for the postmortem as a whole.
    pub section: Option<String>,
    /// The version reviewed, unless `If-Match` has it.
    pub version: Option<i64>,
}

/// Where a postmortem's review stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewState {
    pub status: Status,
    pub reviewers: Vec<String>,
    /// Every verdict and comment, oldest first.
    pub reviews: Vec<Review>,
    /// Reviewers whose latest verdict approves.
    pub approved_by: Vec<String>,
    /// Reviewers whose latest verdict asks for changes.
    pub changes_requested_by: Vec<String>,
    pub approvals_required: usize,
    /// What `final` still lacks under the review policy (empty when enough
    /// reviewers approved).
    pub missing_approvals: Vec<String>,
    /// The latest move to `in-review`, from the audit log.
    pub review_requested_at: Option<DateTime<Utc>>,
    pub deadlines: Deadlines,
}

/// Asks named reviewers to review; from a draft this also moves the
/// postmortem to `in-review` (with the workflow's guards).
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/review-requests", tag = "workflow",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version asked from, unless the body has it")),
    request_body = ReviewRequest,
    responses((status = 200, body = PostmortemSchema), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<Tagged, ApiError> {
    let expected = version::expected(&headers, request.version)?;
    let pm = visible(&state, &caller, &id).await?;
    for (i, name) in request.reviewers.iter().enumerate() {
        check_reviewer(&state, &pm, name)
            .await
            .map_err(|e| e.at(format!("reviewers[{i}]")))?;
    }
    edit(
        &state,
        &caller,
        &id,
        expected,
        AuditAction::ReviewRequest,
        |pm| review::request_review(pm, &request.reviewers, Utc::now()).map_err(refused),
    )
    .await
}

/// A reviewer must be an enabled account that may read the postmortem (a
/// restricted one is shown only to the people and groups named).
async fn check_reviewer(state: &AppState, pm: &Postmortem, name: &str) -> Result<(), ApiError> {
    let user = state.store.user(name).await?;
    match user {
        Some(user) if !user.disabled && user.reader().can_read(pm) => Ok(()),
        Some(user) if user.disabled => Err(ApiError::invalid(
            "reviewers",
            format!("the account `{name}` is disabled"),
        )),
        Some(_) => Err(ApiError::invalid(
            "reviewers",
            format!("`{name}` may not read this restricted postmortem"),
        )),
        None => Err(ApiError::invalid(
            "reviewers",
            format!("there is no account named `{name}`"),
        )),
    }
}

/// Records the caller's verdict or comment: approving or asking for changes
/// takes a requested reviewer of a postmortem in review; anyone who may edit
/// may comment at any time.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/reviews", tag = "workflow",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version reviewed, unless the body has it")),
    request_body = ReviewVerdict,
    responses((status = 201, body = PostmortemSchema), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(verdict): ApiJson<ReviewVerdict>,
) -> Result<(StatusCode, Tagged), ApiError> {
    let expected = version::expected(&headers, verdict.version)?;
    let reviewer = caller.name().to_string();
    let saved = edit(&state, &caller, &id, expected, AuditAction::Review, |pm| {
        let review = Review {
            reviewer,
            verdict: verdict.verdict,
            at: Utc::now(),
            comment: verdict.comment.trim().to_string(),
            section: verdict
                .section
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        };
        review::record_review(pm, review).map_err(refused)
    })
    .await?;
    Ok((StatusCode::CREATED, saved))
}

/// The review state: reviewers, verdicts, approvals still missing for
/// `final`, and when the draft and the review are due.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/review", tag = "workflow",
    params(("id" = String, Path, description = "Id or key")),
    responses((status = 200, body = ReviewState), (status = 404, body = ErrorBody)))]
pub async fn state(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReviewState>, ApiError> {
    let pm = visible(&state, &caller, &id).await?;
    let review_requested_at = review_requested_at(&state, &pm).await?;
    let policy = state.review.as_ref();
    Ok(Json(ReviewState {
        status: pm.status,
        reviewers: pm.reviewers.clone(),
        approved_by: review::approvers(&pm)
            .into_iter()
            .map(str::to_string)
            .collect(),
        changes_requested_by: review::changes_requested_by(&pm)
            .into_iter()
            .map(str::to_string)
            .collect(),
        approvals_required: policy.approvals_required,
        missing_approvals: review::missing_approvals(&pm, policy),
        deadlines: policy.deadlines(&pm, review_requested_at, Utc::now()),
        review_requested_at,
        reviews: pm.reviews,
    }))
}

/// When the postmortem last moved to `in-review`: the newest audit entry
/// whose changes set the status to it.
async fn review_requested_at(
    state: &AppState,
    pm: &Postmortem,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    if pm.status == Status::Draft {
        return Ok(None);
    }
    let entries = state.store.audit(pm.id).await?;
    let in_review = serde_json::Value::from(Status::InReview.as_str());
    Ok(entries
        .iter()
        .rev()
        .find(|e| {
            e.changes
                .iter()
                .any(|c| c.field == "status" && c.after == in_review)
        })
        .map(|e| e.at))
}

/// A refused review action: 422 naming the rule and the field at fault (a
/// workflow refusal lists what is missing).
pub fn refused(e: ReviewError) -> ApiError {
    let field = match &e {
        ReviewError::Transition(_) => "to",
        ReviewError::EmptyRequest => "comment",
        ReviewError::NoReviewers | ReviewError::OwnReview(_) => "reviewers",
        ReviewError::NotAReviewer { .. } | ReviewError::NotInReview(_) => "verdict",
    };
    match e {
        ReviewError::Transition(t) => ApiError::from(t),
        other => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "review-refused",
            other.to_string(),
        )
        .at(field),
    }
}
