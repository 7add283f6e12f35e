//! The parts of a postmortem as sub-resources: timeline events (by position,
//! in time order), contributing factors (`F1`...) and action items (`A1`...).
//! Every change names the postmortem version it was made from.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use hindsight_core::{ActionItem, ContributingFactor, FactorCategory, Postmortem, TimelineEvent};
use hindsight_store::AuditAction;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::ApiJson;
use crate::openapi::{ActionItemSchema, FactorSchema, PostmortemSchema, TimelineEventSchema};
use crate::routes::postmortems::{DeleteParams, edit};
use crate::state::AppState;
use crate::version::{self, Tagged};

/// A change to a part: the body without its `version`, and the version expected.
fn versioned(headers: &HeaderMap, input: Value) -> Result<(Map<String, Value>, i64), ApiError> {
    let mut input = body::object(input)?;
    let expected = version::expected(headers, body::take_version(&mut input)?)?;
    Ok((input, expected))
}

fn require(input: &Map<String, Value>, fields: &[&str]) -> Result<(), ApiError> {
    match fields.iter().find(|f| !input.contains_key(**f)) {
        Some(f) => Err(ApiError::invalid(*f, format!("`{f}` is required"))),
        None => Ok(()),
    }
}

fn no_part(what: &str, id: &str, pm: &Postmortem) -> ApiError {
    ApiError::not_found(format!("{what} `{id}` in {}", pm.handle()))
}

fn sort_timeline(pm: &mut Postmortem) {
    pm.timeline.sort_by_key(|e| e.at);
}

/// Adds a timeline event (`at` and `text` required; `kind` defaults to `note`,
/// `source` to `manual`).
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/timeline", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = TimelineEventSchema,
    responses((status = 201, body = PostmortemSchema), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn add_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let (input, expected) = versioned(&headers, input)?;
    require(&input, &["at", "text"])?;
    let event: TimelineEvent = body::merge(&TimelineEvent::note(Utc::now(), ""), input, &[])?;
    let mut saved = edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        pm.timeline.push(event);
        sort_timeline(pm);
        Ok(())
    })
    .await?;
    saved.status = StatusCode::CREATED;
    Ok(saved)
}

/// Changes the fields given of the timeline event at `index` (0-based, time order).
#[utoipa::path(patch, path = "/api/v1/postmortems/{id}/timeline/{index}", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("index" = usize, Path, description = "Position in the timeline, from 0"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = TimelineEventSchema,
    responses((status = 200, body = PostmortemSchema), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn update_event(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, index)): Path<(String, usize)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let (input, expected) = versioned(&headers, input)?;
    edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        let Some(event) = pm.timeline.get(index) else {
            return Err(no_part("timeline event", &index.to_string(), pm));
        };
        let changed = body::merge(event, input, &[])?;
        pm.timeline[index] = changed;
        sort_timeline(pm);
        Ok(())
    })
    .await
}

/// Removes the timeline event at `index`.
#[utoipa::path(delete, path = "/api/v1/postmortems/{id}/timeline/{index}", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("index" = usize, Path, description = "Position in the timeline, from 0"), DeleteParams,
        ("If-Match" = Option<String>, Header, description = "The version edited")),
    responses((status = 200, body = PostmortemSchema), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn delete_event(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, index)): Path<(String, usize)>,
    Query(params): Query<DeleteParams>,
    headers: HeaderMap,
) -> Result<Tagged, ApiError> {
    let expected = version::expected(&headers, params.version)?;
    edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        if index >= pm.timeline.len() {
            return Err(no_part("timeline event", &index.to_string(), pm));
        }
        pm.timeline.remove(index);
        Ok(())
    })
    .await
}

/// Adds a contributing factor (`category` and `text` required; `group`
/// defaults to the category's fishbone group). Its id is the next `F<n>`.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/factors", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = FactorSchema,
    responses((status = 201, body = PostmortemSchema), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn add_factor(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let (input, expected) = versioned(&headers, input)?;
    require(&input, &["category", "text"])?;
    let category: FactorCategory = body::from_value(input["category"].clone())
        .map_err(|e| ApiError::invalid("category", e.body.message))?;
    let mut saved = edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        let base = ContributingFactor {
            id: pm.next_factor_id(),
            category,
            group: category.default_group(),
            text: String::new(),
        };
        let factor = body::merge(&base, input, &["id"])?;
        pm.analysis.factors.push(factor);
        Ok(())
    })
    .await?;
    saved.status = StatusCode::CREATED;
    Ok(saved)
}

/// Changes the fields given of a contributing factor.
#[utoipa::path(patch, path = "/api/v1/postmortems/{id}/factors/{factor}", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("factor" = String, Path, description = "Factor id (F1)"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = FactorSchema,
    responses((status = 200, body = PostmortemSchema), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn update_factor(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, factor)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let (input, expected) = versioned(&headers, input)?;
    edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        let Some(slot) = pm.analysis.factors.iter_mut().find(|f| f.id == factor) else {
            return Err(no_part("contributing factor", &factor, pm));
        };
        *slot = body::merge(slot, input, &["id"])?;
        Ok(())
    })
    .await
}

/// Removes a contributing factor no action item addresses.
#[utoipa::path(delete, path = "/api/v1/postmortems/{id}/factors/{factor}", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("factor" = String, Path, description = "Factor id (F1)"), DeleteParams,
        ("If-Match" = Option<String>, Header, description = "The version edited")),
    responses((status = 200, body = PostmortemSchema), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn delete_factor(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, factor)): Path<(String, String)>,
    Query(params): Query<DeleteParams>,
    headers: HeaderMap,
) -> Result<Tagged, ApiError> {
    let expected = version::expected(&headers, params.version)?;
    edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        if pm.factor(&factor).is_none() {
            return Err(no_part("contributing factor", &factor, pm));
        }
        let users: Vec<&str> = pm
            .actions
            .iter()
            .filter(|a| a.factor.as_deref() == Some(factor.as_str()))
            .map(|a| a.id.as_str())
            .collect();
        if !users.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "factor-in-use",
                format!(
                    "factor {factor} is addressed by action items {}: change their factor first",
                    users.join(", ")
                ),
            ));
        }
        pm.analysis.factors.retain(|f| f.id != factor);
        Ok(())
    })
    .await
}

/// Refuses an action item that names a factor the postmortem does not have.
fn check_factor(pm: &Postmortem, item: &ActionItem) -> Result<(), ApiError> {
    match &item.factor {
        Some(f) if pm.factor(f).is_none() => Err(ApiError::invalid(
            "factor",
            format!("{} has no contributing factor `{f}`", pm.handle()),
        )),
        _ => Ok(()),
    }
}

/// Adds an action item (`title` required; an open P2 `prevent` item unless
/// the body says otherwise). Its id is the next `A<n>`.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/actions", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = ActionItemSchema,
    responses((status = 201, body = PostmortemSchema), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let (input, expected) = versioned(&headers, input)?;
    require(&input, &["title"])?;
    let mut saved = edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        let item = body::merge(&ActionItem::new(pm.next_action_id(), ""), input, &["id"])?;
        check_factor(pm, &item)?;
        pm.actions.push(item);
        Ok(())
    })
    .await?;
    saved.status = StatusCode::CREATED;
    Ok(saved)
}

/// Changes the fields given of an action item.
#[utoipa::path(patch, path = "/api/v1/postmortems/{id}/actions/{action}", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("action" = String, Path, description = "Action item id (A1)"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = ActionItemSchema,
    responses((status = 200, body = PostmortemSchema), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn update_action(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let (input, expected) = versioned(&headers, input)?;
    edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        let Some(index) = pm.actions.iter().position(|a| a.id == action) else {
            return Err(no_part("action item", &action, pm));
        };
        let item = body::merge(&pm.actions[index], input, &["id"])?;
        check_factor(pm, &item)?;
        pm.actions[index] = item;
        Ok(())
    })
    .await
}

/// Removes an action item.
#[utoipa::path(delete, path = "/api/v1/postmortems/{id}/actions/{action}", tag = "parts",
    params(("id" = String, Path, description = "Id or key"),
        ("action" = String, Path, description = "Action item id (A1)"), DeleteParams,
        ("If-Match" = Option<String>, Header, description = "The version edited")),
    responses((status = 200, body = PostmortemSchema), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn delete_action(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    Query(params): Query<DeleteParams>,
    headers: HeaderMap,
) -> Result<Tagged, ApiError> {
    let expected = version::expected(&headers, params.version)?;
    edit(&state, &caller, &id, expected, AuditAction::Update, |pm| {
        if !pm.actions.iter().any(|a| a.id == action) {
            return Err(no_part("action item", &action, pm));
        }
        pm.actions.retain(|a| a.id != action);
        Ok(())
    })
    .await
}
