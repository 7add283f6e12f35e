//! Review and workflow from the postmortem page: ask reviewers, approve or
//! ask for changes, move to the next status. The rules are core's
//! ([`hindsight_core::review`], [`hindsight_core::workflow`]) and the writes go
//! through the same `edit` as the JSON API: version check, access check, audit.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hindsight_core::review;
use hindsight_core::workflow::{self, TransitionError};
use hindsight_core::{Review, Status, Verdict};
use hindsight_store::AuditAction;

use crate::error::ApiError;
use crate::routes::postmortems::{edit, visible};
use crate::routes::reviews;
use crate::state::AppState;
use crate::web::form::list;
use crate::web::postmortem::{Notice, refused};
use crate::web::{Submitted, WebError};

/// The postmortem page with the refusal at the top.
async fn show_refusal(
    state: &AppState,
    form: &Submitted,
    key: &str,
    what: &str,
    e: ApiError,
) -> Result<Response, WebError> {
    if e.status == StatusCode::NOT_FOUND || e.status == StatusCode::FORBIDDEN {
        return Err(e.into());
    }
    let items = e.body.missing.clone().unwrap_or_default();
    let field = e.body.field.clone().unwrap_or_default();
    let title = if !items.is_empty() {
        format!("{what}: it still needs")
    } else if matches!(field.as_str(), "reviewers" | "comment") {
        capitalised(&e.body.message)
    } else {
        format!("{what}: {}", e.body.message)
    };
    let notice = Notice {
        ok: false,
        title,
        items,
        field,
    };
    refused(state, &form.viewer, key, e.status, notice).await
}

/// `text` with its first letter upper-case, as a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!(
            "{}{}.",
            first.to_uppercase(),
            chars.as_str().trim_end_matches('.')
        ),
        None => String::new(),
    }
}

fn version(form: &Submitted) -> Result<i64, ApiError> {
    form.fields
        .get("version")
        .trim()
        .parse()
        .map_err(|_| ApiError::version_required())
}

/// `POST /postmortems/{key}/review`: asks the named reviewers.
pub async fn request(
    State(state): State<AppState>,
    Path(key): Path<String>,
    form: Submitted,
) -> Result<Response, WebError> {
    let names = list(form.fields.get("reviewers"));
    let result = async {
        let expected = version(&form)?;
        let pm = visible(&state, &form.viewer.caller, &key).await?;
        for name in &names {
            match state.store.user(name).await? {
                Some(u) if !u.disabled && u.reader().can_read(&pm) => {}
                Some(u) if u.disabled => {
                    return Err(ApiError::invalid(
                        "reviewers",
                        format!("the account `{name}` is disabled"),
                    ));
                }
                Some(_) => {
                    return Err(ApiError::invalid(
                        "reviewers",
                        format!("`{name}` may not read this restricted postmortem"),
                    ));
                }
                None => {
                    return Err(ApiError::invalid(
                        "reviewers",
                        format!("there is no account named `{name}`"),
                    ));
                }
            }
        }
        edit(
            &state,
            &form.viewer.caller,
            &key,
            expected,
            AuditAction::ReviewRequest,
            |pm| review::request_review(pm, &names, Utc::now()).map_err(reviews::refused),
        )
        .await
    }
    .await;
    match result {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/postmortems/{}?done=review-requested",
            saved.postmortem.handle()
        ))
        .into_response()),
        Err(e) => show_refusal(&state, &form, &key, "Review not requested", e).await,
    }
}

/// `POST /postmortems/{key}/verdict`: the viewer's approval or request for changes.
pub async fn verdict(
    State(state): State<AppState>,
    Path(key): Path<String>,
    form: Submitted,
) -> Result<Response, WebError> {
    let result = async {
        let expected = version(&form)?;
        let verdict: Verdict = form
            .fields
            .get("verdict")
            .parse()
            .map_err(|e| ApiError::invalid("verdict", format!("{e}")))?;
        let review = Review {
            reviewer: form.viewer.name().to_string(),
            verdict,
            at: Utc::now(),
            comment: form.fields.get("comment").trim().to_string(),
            section: form.fields.text("section"),
        };
        edit(
            &state,
            &form.viewer.caller,
            &key,
            expected,
            AuditAction::Review,
            |pm| review::record_review(pm, review).map_err(reviews::refused),
        )
        .await
        .map(|saved| (saved, verdict))
    }
    .await;
    match result {
        Ok((saved, verdict)) => Ok(Redirect::to(&format!(
            "/postmortems/{}?done={verdict}",
            saved.postmortem.handle()
        ))
        .into_response()),
        Err(e) => show_refusal(&state, &form, &key, "Review not recorded", e).await,
    }
}

/// `POST /postmortems/{key}/status`: moves to the next status, or shows why not.
pub async fn transition(
    State(state): State<AppState>,
    Path(key): Path<String>,
    form: Submitted,
) -> Result<Response, WebError> {
    let result = async {
        let expected = version(&form)?;
        let to: Status = form
            .fields
            .get("to")
            .parse()
            .map_err(|e| ApiError::invalid("to", format!("{e}")))?;
        edit(
            &state,
            &form.viewer.caller,
            &key,
            expected,
            AuditAction::Transition,
            |pm| {
                workflow::transition(pm, to, &state.review, Utc::now())
                    .map_err(|e: TransitionError| ApiError::from(e))
            },
        )
        .await
        .map(|saved| (saved, to))
    }
    .await;
    match result {
        Ok((saved, to)) => Ok(Redirect::to(&format!(
            "/postmortems/{}?done={to}",
            saved.postmortem.handle()
        ))
        .into_response()),
        Err(e) => {
            let what = match form.fields.get("to") {
                "closed" => "Not closed",
                "final" => "Not published",
                "in-review" => "Not sent to review",
                _ => "Status not changed",
            };
            show_refusal(&state, &form, &key, what, e).await
        }
    }
}
