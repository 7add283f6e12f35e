//! `GET /actions`: action items across the postmortems the viewer may read,
//! overdue first, grouped by owner or status, with inline status updates.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hindsight_core::ActionStatus;
use hindsight_store::{ActionFilter, ActionRow, AuditAction};
use serde::Deserialize;

use crate::auth::Need;
use crate::error::ApiError;
use crate::routes::postmortems::{edit, visible};
use crate::state::AppState;
use crate::web::postmortem::ActionView;
use crate::web::view::render;
use crate::web::{Chrome, Submitted, Viewer, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    service: String,
    /// `owner` (default), `status` or `due` (one list).
    #[serde(default)]
    group: String,
    #[serde(default)]
    overdue: String,
    /// Finished items too.
    #[serde(default)]
    all: String,
}

/// Most items on the board at once (the most urgent), so the page stays
/// light however many are open; filters narrow it.
const LIMIT: usize = 100;

/// One item on the board, with its postmortem.
pub struct BoardItem {
    pub key: String,
    pub pm_title: String,
    pub item: ActionView,
    /// The inline form's message: saved, or why not.
    pub message: String,
    pub error: bool,
}

pub struct Lane {
    pub name: String,
    pub items: Vec<BoardItem>,
    pub overdue: usize,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    query: BoardQuery,
    lanes: Vec<Lane>,
    total: usize,
    shown: usize,
    statuses: &'static [ActionStatus],
    can_edit: bool,
    back: String,
    error: String,
}

/// One row, alone: what htmx swaps in after an inline update.
#[derive(Template)]
#[template(path = "board_row.html")]
struct RowPartial {
    chrome: Chrome,
    row: BoardItem,
    statuses: &'static [ActionStatus],
    can_edit: bool,
    back: String,
}

fn item(row: &ActionRow) -> BoardItem {
    BoardItem {
        key: row.postmortem_key.clone(),
        pm_title: row.postmortem_title.clone(),
        item: ActionView::new(&row.item, Utc::now().date_naive()),
        message: String::new(),
        error: false,
    }
}

/// `GET /actions`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: axum::http::Uri,
    Query(query): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let mut error = String::new();
    let status = match opt(&query.status).map(|s| s.parse::<ActionStatus>()) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            error = e.to_string();
            None
        }
        None => None,
    };
    let today = Utc::now().date_naive();
    let rows = state
        .store
        .actions(&ActionFilter {
            owner: opt(&query.owner),
            service: opt(&query.service),
            status,
            overdue_on: (!query.overdue.is_empty()).then_some(today),
            reader: Some(viewer.caller.reader()),
            ..ActionFilter::default()
        })
        .await?;
    let show_all = !query.all.is_empty() || status.is_some();
    let mut items: Vec<BoardItem> = rows
        .iter()
        .filter(|r| show_all || !r.item.status.is_finished())
        .map(item)
        .collect();
    // Overdue first; then the store's order (earliest due first).
    items.sort_by_key(|i| !i.item.overdue);
    let total = items.len();
    items.truncate(LIMIT);
    let shown = items.len();
    let mut lanes: BTreeMap<String, Vec<BoardItem>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for i in items {
        let lane = match query.group.as_str() {
            "status" => i.item.status.to_string(),
            "due" => "By due date".to_string(),
            _ if i.item.owner.is_empty() => "No owner".to_string(),
            _ => i.item.owner.clone(),
        };
        if !lanes.contains_key(&lane) {
            order.push(lane.clone());
        }
        lanes.entry(lane).or_default().push(i);
    }
    let lanes = order
        .into_iter()
        .filter_map(|name| {
            let items = lanes.remove(&name)?;
            Some(Lane {
                overdue: items.iter().filter(|i| i.item.overdue).count(),
                name,
                items,
            })
        })
        .collect();
    Ok(render(&BoardPage {
        chrome: Chrome::new(&viewer, "actions", "Action items"),
        can_edit: viewer.caller.allows(Need::Write),
        back: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/actions".to_string()),
        query,
        lanes,
        total,
        shown,
        statuses: ActionStatus::ALL,
        error,
    }))
}

/// `POST /actions/{key}/{id}`: a new status for one item. The form names the
/// status it was changed from; if the item moved on meanwhile, nothing is
/// written and the row says so.
pub async fn update(
    State(state): State<AppState>,
    Path((key, id)): Path<(String, String)>,
    headers: HeaderMap,
    form: Submitted,
) -> Result<Response, WebError> {
    let caller = &form.viewer.caller;
    let result: Result<(), ApiError> = async {
        let to: ActionStatus = form
            .fields
            .get("status")
            .parse()
            .map_err(|e| ApiError::invalid("status", format!("{e}")))?;
        let reason = form.fields.get("reason").trim().to_string();
        let from = form.fields.get("from");
        let pm = visible(&state, caller, &key).await?;
        let Some(current) = pm.actions.iter().find(|a| a.id == id) else {
            return Err(ApiError::not_found(format!("action item {id}")));
        };
        if current.status.as_str() != from {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "version-conflict",
                format!(
                    "someone else changed it to {} meanwhile; reload the board",
                    current.status
                ),
            ));
        }
        if to == ActionStatus::WontDo && reason.is_empty() && current.wont_do_reason.is_none() {
            return Err(ApiError::invalid("reason", "say why it won't be done"));
        }
        edit(
            &state,
            caller,
            &key,
            pm.version,
            AuditAction::Update,
            |pm| {
                if let Some(a) = pm.actions.iter_mut().find(|a| a.id == id) {
                    a.status = to;
                    if !reason.is_empty() {
                        a.wont_do_reason = Some(reason.clone());
                    }
                }
                Ok(())
            },
        )
        .await
        .map(|_| ())
    }
    .await;
    if !headers.contains_key("hx-request") {
        return match result {
            Ok(()) => Ok(Redirect::to(&local(form.fields.get("back"))).into_response()),
            Err(e) => Err(e.into()),
        };
    }
    // htmx: the row again, with the outcome next to the control.
    let pm = visible(&state, caller, &key).await?;
    let Some(a) = pm.actions.iter().find(|a| a.id == id) else {
        return Err(WebError::not_found(&format!("action item {id}")));
    };
    let (message, error) = match &result {
        Ok(()) => ("Saved".to_string(), false),
        Err(e) => (e.body.message.clone(), true),
    };
    let row = BoardItem {
        key: pm.handle(),
        pm_title: pm.title.clone(),
        item: ActionView::new(a, Utc::now().date_naive()),
        message,
        error,
    };
    // Answered 200 either way: htmx swaps the row, which carries the outcome.
    Ok(render(&RowPartial {
        chrome: Chrome::new(&form.viewer, "actions", "Action items"),
        row,
        statuses: ActionStatus::ALL,
        can_edit: caller.allows(Need::Write),
        back: local(form.fields.get("back")),
    }))
}

/// A path on this site to come back to, else the board.
fn local(back: &str) -> String {
    if back.starts_with("/actions") {
        back.to_string()
    } else {
        "/actions".to_string()
    }
}
