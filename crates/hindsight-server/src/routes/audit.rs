//! Who changed what, when: one postmortem's history
//! (`GET /api/v1/postmortems/{id}/audit`), and for admins the whole log
//! (`GET /api/v1/audit`) and the account log (`GET /api/v1/account-events`).
//! None of it can be changed through the API.

use axum::Json;
use axum::extract::State;
use chrono::SecondsFormat;
use hindsight_core::AuditEntry;
use hindsight_store::{AccountEvent, AuditQuery, AuditRecord, EventPlace};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::openapi::AuditEntrySchema;
use crate::pagination::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use crate::routes::postmortems::{time, time_text, visible};
use crate::state::AppState;

/// The audit history of a postmortem, oldest first. A deleted postmortem's
/// history (by its id) is for admins only, since nobody else can be shown to
/// have been allowed to read it.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/audit", tag = "postmortems",
    params(("id" = String, Path, description = "Id or key; a deleted postmortem needs its id")),
    responses((status = 200, body = Vec<AuditEntrySchema>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let pm_id = match visible(&state, &caller, &id).await {
        Ok(pm) => pm.id,
        Err(not_found) => match uuid::Uuid::parse_str(&id) {
            Ok(uuid) if caller.require(Need::Admin).is_ok() => uuid,
            _ => return Err(not_found),
        },
    };
    let entries = state.store.audit(pm_id).await?;
    if entries.is_empty() {
        return Err(ApiError::not_found(format!("postmortem `{id}`")));
    }
    Ok(Json(entries))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this postmortem's entries (its id: deleted postmortems have no key).
    pub postmortem: Option<Uuid>,
    /// An account name (matches its sessions and its tokens) or a recorded actor.
    pub actor: Option<String>,
    /// `create`, `update`, `transition`, `import`, `review-request`, `review`, `delete`.
    pub action: Option<String>,
    /// Entries at or after this time (RFC 3339 with a zone, or a day `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Entries before this time (RFC 3339 with a zone, or a day `YYYY-MM-DD`).
    pub to: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Entries per page (default 50, at most 500).
    pub limit: Option<u32>,
}

/// The audit log of every postmortem, newest first, deleted ones included:
/// for admins only, since it spans restricted postmortems.
#[utoipa::path(get, path = "/api/v1/audit", tag = "postmortems",
    params(AuditParams),
    responses((status = 200, body = Page<AuditRecord>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn log(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<Page<AuditRecord>>, ApiError> {
    caller.require(Need::Admin)?;
    let before = params
        .cursor
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                ApiError::invalid("cursor", "the cursor is not one this server gave out")
            })
        })
        .transpose()?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let query = AuditQuery {
        postmortem: params.postmortem,
        actor: params.actor.filter(|a| !a.trim().is_empty()),
        action: params.action.filter(|a| !a.trim().is_empty()),
        from: time(&params.from, "from")?,
        to: time(&params.to, "to")?,
        before,
        limit: limit + 1,
    };
    let items = state.store.audit_log(&query).await?;
    Ok(Json(Page::from_overfetch(items, limit, |last| {
        last.entry.to_string()
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountEventParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Events per page (default 50, at most 500).
    pub limit: Option<u32>,
}

/// The account audit log (users, passwords, tokens, logins), newest first:
/// for admins only.
#[utoipa::path(get, path = "/api/v1/account-events", tag = "accounts",
    params(AccountEventParams),
    responses((status = 200, body = Page<AccountEvent>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn account_events(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AccountEventParams>,
) -> Result<Json<Page<AccountEvent>>, ApiError> {
    caller.require(Need::Admin)?;
    let after = params.cursor.as_deref().map(event_place).transpose()?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let items = state.store.account_events(after, limit + 1).await?;
    let page = Page::from_overfetch(items, limit, |last| {
        format!(
            "{}~{}",
            last.place.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            last.place.entry
        )
    });
    Ok(Json(Page {
        items: page.items.into_iter().map(|l| l.event).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Reads an account-log cursor: `<time>~<entry>`. A bare time (the cursor
/// before the entry was part of it) continues with the events before it.
fn event_place(cursor: &str) -> Result<EventPlace, ApiError> {
    let (at, entry) = match cursor.split_once('~') {
        Some((at, entry)) => (
            at,
            entry.parse::<i64>().map_err(|_| {
                ApiError::invalid("cursor", format!("`{cursor}` is not a cursor of this log"))
            })?,
        ),
        None => (cursor, i64::MIN),
    };
    let at = time_text(at, "cursor")?.ok_or_else(|| ApiError::invalid("cursor", "empty cursor"))?;
    Ok(EventPlace { at, entry })
}
