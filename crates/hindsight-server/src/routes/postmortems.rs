//! `/api/v1/postmortems`: list, create, read, replace, delete.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hindsight_core::{Kind, Milestone, Postmortem, Severity, Status};
use hindsight_store::{AuditAction, Filter, Window};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::auth::{Caller, Need};
use crate::body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::ApiJson;
use crate::openapi::{PostmortemInput, PostmortemSchema};
use crate::pagination::{self, DEFAULT_LIMIT, Page};
use crate::state::AppState;
use crate::version::{self, Tagged};

/// List filters, named after the fields they filter on.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    /// `incident`, `release`, `deploy`, `security`, `data`, `provider`, `process`.
    pub kind: Option<String>,
    /// `SEV1` .. `SEV4`.
    pub severity: Option<String>,
    /// `draft`, `in-review`, `final`, `closed`.
    pub status: Option<String>,
    pub service: Option<String>,
    pub tag: Option<String>,
    pub owner: Option<String>,
    /// Incidents started at or after this time (RFC 3339 with a zone, or a day `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Incidents started before this time (RFC 3339 with a zone, or a day `YYYY-MM-DD`).
    pub to: Option<String>,
}

impl FilterParams {
    /// The store filter for this caller: only what it may read.
    pub fn to_filter(&self, caller: &Caller) -> Result<Filter, ApiError> {
        let window = match (time(&self.from, "from")?, time(&self.to, "to")?) {
            (None, None) => None,
            (from, to) => Some(Window {
                milestone: Milestone::Started,
                from,
                to,
            }),
        };
        Ok(Filter {
            service: self.service.clone(),
            severity: word::<Severity>(&self.severity, "severity")?,
            kind: word::<Kind>(&self.kind, "kind")?,
            status: word::<Status>(&self.status, "status")?,
            tag: self.tag.clone(),
            owner: self.owner.clone(),
            window,
            reader: Some(caller.reader()),
            ..Filter::default()
        })
    }
}

/// A vocabulary word from a query parameter.
pub fn word<T>(value: &Option<String>, field: &str) -> Result<Option<T>, ApiError>
where
    T: std::str::FromStr<Err = hindsight_core::UnknownWord>,
{
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.parse()
                .map_err(|e| ApiError::invalid(field, format!("{e}")))
        })
        .transpose()
}

/// A time from a query parameter: RFC 3339 with a zone, or a whole UTC day.
pub fn time(value: &Option<String>, field: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    time_text(value.as_deref().unwrap_or_default(), field)
}

/// [`time`] of a text: `None` when it is blank.
pub fn time_text(text: &str, field: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| Some(d.and_time(NaiveTime::MIN).and_utc()))
        .map_err(|_| {
            ApiError::invalid(
                field,
                format!(
                    "`{text}` is not a day (YYYY-MM-DD) or a time with a zone (2026-03-04T10:00:00Z)"
                ),
            )
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `started` (default `-started`: newest incident first), `updated`, `key`,
    /// `severity`, `title`; a leading `-` sorts descending.
    pub sort: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Rows per page (default 50, at most 500).
    pub limit: Option<u32>,
}

/// Postmortems the caller may read, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/postmortems", tag = "postmortems",
    params(FilterParams, PageParams),
    responses((status = 200, body = Page<hindsight_store::Summary>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filters): Query<FilterParams>,
    Query(paging): Query<PageParams>,
) -> Result<Json<Page<hindsight_store::Summary>>, ApiError> {
    caller.require(Need::Read)?;
    let sort = match paging.sort.as_deref() {
        Some(s) => pagination::parse_sort(s)?,
        None => hindsight_store::Sort::default(),
    };
    let page = pagination::page(
        &state,
        &caller,
        filters.to_filter(&caller)?,
        sort,
        paging.cursor.as_deref(),
        paging.limit.unwrap_or(DEFAULT_LIMIT),
    )
    .await?;
    Ok(Json(page))
}

/// Fields of a postmortem that only the server sets, or that change through
/// their own routes (status through transitions).
const SERVER_FIELDS: &[&str] = &[
    "id",
    "key",
    "version",
    "status",
    "created_at",
    "updated_at",
    "published_at",
    "closed_at",
];

/// Creates a draft from the fields given (at least `title` and `kind`).
#[utoipa::path(post, path = "/api/v1/postmortems", tag = "postmortems",
    request_body = PostmortemInput,
    responses((status = 201, body = PostmortemSchema), (status = 400, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    caller.require(Need::Write)?;
    let input = body::object(input)?;
    let pm = from_fields(input, SERVER_FIELDS)?;
    let saved = state.store.create(&pm, &caller.actor()).await?;
    Ok(Tagged {
        status: StatusCode::CREATED,
        postmortem: saved,
    })
}

/// The postmortem `handle` (id or key) if it exists and the caller may read
/// it; else 404, the same answer in both cases.
pub async fn visible(
    state: &AppState,
    caller: &Caller,
    handle: &str,
) -> Result<Postmortem, ApiError> {
    caller.require(Need::Read)?;
    match state.store.get(handle).await? {
        Some(pm) if caller.reader().can_read(&pm) => Ok(pm),
        _ => Err(ApiError::not_found(format!("postmortem `{handle}`"))),
    }
}

/// The postmortem `handle` for a change from version `expected` by a writer.
pub async fn editable(
    state: &AppState,
    caller: &Caller,
    handle: &str,
    expected: i64,
) -> Result<Postmortem, ApiError> {
    let pm = visible(state, caller, handle).await?;
    caller.require(Need::Write)?;
    version::check(&pm, expected)?;
    Ok(pm)
}

/// One postmortem, with its version as the ETag.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}", tag = "postmortems",
    params(("id" = String, Path, description = "Id or key (PM-12)")),
    responses((status = 200, body = PostmortemSchema), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Tagged, ApiError> {
    Ok(Tagged::ok(visible(&state, &caller, &id).await?))
}

/// Replaces a postmortem with the one given, made from the version in the
/// body or `If-Match`. Status changes go through transitions.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}", tag = "postmortems",
    params(("id" = String, Path, description = "Id or key"),
        ("If-Match" = Option<String>, Header, description = "The version edited, unless the body has it")),
    request_body = PostmortemInput,
    responses((status = 200, body = PostmortemSchema), (status = 409, body = ErrorBody),
        (status = 428, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Value>,
) -> Result<Tagged, ApiError> {
    let mut input = body::object(input)?;
    let expected = version::expected(&headers, body::take_version(&mut input)?)?;
    let stored = editable(&state, &caller, &id, expected).await?;
    // Bookkeeping the client may echo back unchanged; anything else is refused.
    let stored_json = serde_json::to_value(&stored).map_err(ApiError::internal)?;
    for field in SERVER_FIELDS {
        if let Some(given) = input.remove(*field)
            && !given.is_null()
            && stored_json.get(field) != Some(&given)
        {
            let why = if *field == "status" {
                "the status changes through POST /postmortems/{id}/transitions".to_string()
            } else {
                format!("`{field}` is set by the server")
            };
            return Err(ApiError::invalid(*field, why));
        }
    }
    // The body replaces the whole postmortem: fields it leaves out are emptied.
    let given = from_fields(input, &[])?;
    let pm = Postmortem {
        id: stored.id,
        key: stored.key.clone(),
        version: stored.version,
        status: stored.status,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        published_at: stored.published_at,
        closed_at: stored.closed_at,
        ..given
    };
    let saved = state
        .store
        .update(&pm, &caller.actor(), AuditAction::Update)
        .await?;
    Ok(Tagged::ok(saved))
}

/// A postmortem from a client's fields over an empty draft: `title` and
/// `kind` are required, the fields in `fixed` refused.
fn from_fields(
    input: serde_json::Map<String, Value>,
    fixed: &[&str],
) -> Result<Postmortem, ApiError> {
    for required in ["title", "kind"] {
        if !input.contains_key(required) {
            return Err(ApiError::invalid(
                required,
                format!("`{required}` is required"),
            ));
        }
    }
    let draft = Postmortem::new("", Kind::Incident, Utc::now());
    let pm: Postmortem = body::merge(&draft, input, fixed)?;
    if pm.title.trim().is_empty() {
        return Err(ApiError::invalid("title", "the title is empty"));
    }
    Ok(pm)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// The version deleted, unless `If-Match` has it.
    pub version: Option<i64>,
}

/// Deletes a postmortem at the version given; its audit history stays.
#[utoipa::path(delete, path = "/api/v1/postmortems/{id}", tag = "postmortems",
    params(("id" = String, Path, description = "Id or key"), DeleteParams,
        ("If-Match" = Option<String>, Header, description = "The version deleted")),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 428, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = version::expected(&headers, params.version)?;
    let pm = editable(&state, &caller, &id, expected).await?;
    state
        .store
        .delete(&pm.id.to_string(), expected, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Applies `change` to the postmortem `handle` as edited from version
/// `expected` and saves it (one audit entry, the version check repeated
/// atomically by the store).
pub async fn edit(
    state: &AppState,
    caller: &Caller,
    handle: &str,
    expected: i64,
    action: AuditAction,
    change: impl FnOnce(&mut Postmortem) -> Result<(), ApiError>,
) -> Result<Tagged, ApiError> {
    let mut pm = editable(state, caller, handle, expected).await?;
    change(&mut pm)?;
    let saved = state.store.update(&pm, &caller.actor(), action).await?;
    Ok(Tagged::ok(saved))
}
