//! `GET /postmortems`: the list, with full-text search, filters, sorting and
//! keyset paging. Only what the viewer may read is ever listed (the store
//! applies the reader filter, as for the JSON API).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use hindsight_core::{Kind, Severity, Status, Visibility};
use hindsight_store::{SearchHit, Summary};
use serde::Deserialize;

use crate::error::ApiError;
use crate::pagination::{self, parse_sort};
use crate::routes::postmortems::FilterParams;
use crate::state::AppState;
use crate::web::form::encode;
use crate::web::view::{Stamp, escape, render};
use crate::web::{Chrome, Viewer, WebError};

/// Rows per page.
const PAGE: u32 = 25;
/// Most search hits shown (best first).
const HITS: u32 = 100;

/// The query of the list page; every field optional.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListQuery {
    fn filters(&self) -> FilterParams {
        let opt = |s: &String| (!s.trim().is_empty()).then(|| s.trim().to_string());
        FilterParams {
            kind: opt(&self.kind),
            severity: opt(&self.severity),
            status: opt(&self.status),
            service: opt(&self.service),
            tag: opt(&self.tag),
            owner: opt(&self.owner),
            from: opt(&self.from),
            to: opt(&self.to),
        }
    }

    /// The query string of this list with another cursor.
    fn with_cursor(&self, cursor: &str) -> String {
        let pairs = [
            ("q", &self.q),
            ("service", &self.service),
            ("severity", &self.severity),
            ("kind", &self.kind),
            ("status", &self.status),
            ("tag", &self.tag),
            ("owner", &self.owner),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ];
        let mut parts: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if !cursor.is_empty() {
            parts.push(format!("cursor={}", encode(cursor)));
        }
        format!("/postmortems?{}", parts.join("&"))
    }

    fn filtered(&self) -> bool {
        [
            &self.service,
            &self.severity,
            &self.kind,
            &self.status,
            &self.tag,
            &self.owner,
            &self.from,
            &self.to,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

/// One postmortem in a list.
pub struct Row {
    pub key: String,
    pub title: String,
    pub kind: Kind,
    pub severity: Option<Severity>,
    pub status: Status,
    pub restricted: bool,
    pub owner: String,
    pub services: String,
    pub started: String,
    pub open_actions: u32,
    /// Search snippet markup, with `<mark>` around the matched words.
    pub snippet: String,
}

impl Row {
    pub fn from_summary(s: &Summary) -> Row {
        Row {
            key: s.key.clone(),
            title: s.title.clone(),
            kind: s.kind,
            severity: s.severity,
            status: s.status,
            restricted: s.visibility == Visibility::Restricted,
            owner: s.owner.clone().unwrap_or_default(),
            services: s.services.join(", "),
            started: s.started.map(|t| Stamp(t).to_string()).unwrap_or_default(),
            open_actions: s.open_actions,
            snippet: String::new(),
        }
    }

    fn from_hit(hit: &SearchHit) -> Row {
        let mut row = Row::from_summary(&hit.postmortem);
        row.snippet = hit
            .snippet
            .iter()
            .map(|p| {
                if p.matched {
                    format!("<mark>{}</mark>", escape(&p.text))
                } else {
                    escape(&p.text)
                }
            })
            .collect();
        row
    }

    /// The lower-case severity for its badge class (`sev1`), or `nosev`.
    pub fn sev_class(&self) -> String {
        self.severity
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_else(|| "nosev".to_string())
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    query: ListQuery,
    rows: Vec<Row>,
    total: u64,
    searching: bool,
    filtered: bool,
    /// The filter field at fault and why.
    error: Option<(String, String)>,
    next: Option<String>,
    first: Option<String>,
    kinds: &'static [Kind],
    severities: &'static [Severity],
    statuses: &'static [Status],
    sorts: &'static [(&'static str, &'static str)],
}

const SORTS: &[(&str, &str)] = &[
    ("-started", "Newest incident first"),
    ("started", "Oldest incident first"),
    ("-updated", "Recently updated"),
    ("severity", "Most severe first"),
    ("key", "Key"),
    ("title", "Title"),
];

/// `GET /postmortems`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let mut page = ListPage {
        chrome: Chrome::new(&viewer, "postmortems", "Postmortems"),
        searching: !query.q.trim().is_empty(),
        filtered: query.filtered(),
        query,
        rows: Vec::new(),
        total: 0,
        error: None,
        next: None,
        first: None,
        kinds: Kind::ALL,
        severities: Severity::ALL,
        statuses: Status::ALL,
        sorts: SORTS,
    };
    match fill(&state, &viewer, &mut page).await {
        Ok(()) => {}
        Err(e) if e.status == axum::http::StatusCode::BAD_REQUEST => {
            page.error = Some((e.body.field.clone().unwrap_or_default(), e.body.message));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(render(&page))
}

async fn fill(state: &AppState, viewer: &Viewer, page: &mut ListPage) -> Result<(), ApiError> {
    let caller = &viewer.caller;
    let mut filter = page.query.filters().to_filter(caller)?;
    if page.searching {
        filter.limit = Some(HITS);
        let hits = state.store.search(page.query.q.trim(), &filter).await?;
        page.total = hits.len() as u64;
        page.rows = hits.iter().map(Row::from_hit).collect();
        return Ok(());
    }
    let sort = match page.query.sort.trim() {
        "" => hindsight_store::Sort::default(),
        s => parse_sort(s)?,
    };
    page.total = state.store.count_matching(&filter).await?;
    let result = pagination::page(
        state,
        caller,
        filter,
        sort,
        Some(page.query.cursor.as_str()),
        PAGE,
    )
    .await?;
    page.rows = result.items.iter().map(Row::from_summary).collect();
    page.next = result.next_cursor.map(|c| page.query.with_cursor(&c));
    if !page.query.cursor.is_empty() {
        page.first = Some(page.query.with_cursor(""));
    }
    Ok(())
}
