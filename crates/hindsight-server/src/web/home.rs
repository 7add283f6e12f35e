//! `GET /`: what needs the viewer now — their drafts, reviews waiting for
//! them, overdue action items — recent postmortems and a few headline numbers.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, Utc};
use hindsight_core::review;
use hindsight_core::{Milestone, Status};
use hindsight_store::{ActionFilter, Filter, Sort, SortField, Window};

use crate::state::AppState;
use crate::web::list::Row;
use crate::web::postmortem::ActionView;
use crate::web::view::{Stamp, render};
use crate::web::{Chrome, Viewer, WebError};

/// Rows in each panel.
const PANEL: usize = 8;

/// A postmortem waiting for the viewer's review.
pub struct ReviewDue {
    pub key: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
}

/// An overdue action item and its postmortem.
pub struct OverdueItem {
    pub key: String,
    pub item: ActionView,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    drafts: Vec<Row>,
    draft_count: u64,
    reviews: Vec<ReviewDue>,
    overdue: Vec<OverdueItem>,
    overdue_count: usize,
    recent: Vec<Row>,
    quarter_count: u64,
    mine_open: usize,
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let now = Utc::now();
    let today = now.date_naive();
    let me = viewer.name().to_string();
    let reader = Some(viewer.caller.reader());

    let mine = Filter {
        owner: Some(me.clone()),
        status: Some(Status::Draft),
        sort: Sort {
            field: SortField::Updated,
            descending: true,
        },
        reader: reader.clone(),
        ..Filter::default()
    };
    let draft_count = state.store.count_matching(&mine).await?;
    let drafts = state
        .store
        .list(&Filter {
            limit: Some(PANEL as u32),
            ..mine
        })
        .await?;

    let in_review = state
        .store
        .load_all(&Filter {
            status: Some(Status::InReview),
            reader: reader.clone(),
            ..Filter::default()
        })
        .await?;
    let mut reviews = Vec::new();
    for pm in in_review.iter().filter(|pm| {
        pm.reviewers.contains(&me)
            && !review::approvers(pm).contains(&me.as_str())
            && !review::changes_requested_by(pm).contains(&me.as_str())
    }) {
        let audit = state.store.audit(pm.id).await?;
        let requested = audit
            .iter()
            .rev()
            .find(|e| e.action == "review-request")
            .map(|e| e.at);
        let deadlines = state.review.deadlines(pm, requested, now);
        reviews.push(ReviewDue {
            key: pm.handle(),
            title: pm.title.clone(),
            owner: pm.owner.clone().unwrap_or_default(),
            due: deadlines
                .review_due
                .map(|t| Stamp(t).to_string())
                .unwrap_or_default(),
            overdue: deadlines.review_overdue,
        });
    }

    let overdue_rows = state
        .store
        .actions(&ActionFilter {
            overdue_on: Some(today),
            reader: reader.clone(),
            ..ActionFilter::default()
        })
        .await?;
    let mine_open = state
        .store
        .actions(&ActionFilter {
            owner: Some(me.clone()),
            reader: reader.clone(),
            ..ActionFilter::default()
        })
        .await?
        .iter()
        .filter(|r| !r.item.status.is_finished())
        .count();

    let recent = state
        .store
        .list(&Filter {
            sort: Sort {
                field: SortField::Updated,
                descending: true,
            },
            limit: Some(PANEL as u32),
            reader: reader.clone(),
            ..Filter::default()
        })
        .await?;
    let quarter_count = state
        .store
        .count_matching(&Filter {
            window: Some(Window {
                milestone: Milestone::Started,
                from: Some(now - Duration::days(90)),
                to: None,
            }),
            reader,
            ..Filter::default()
        })
        .await?;

    Ok(render(&HomePage {
        chrome: Chrome::new(&viewer, "home", "Home"),
        drafts: drafts.iter().map(Row::from_summary).collect(),
        draft_count,
        reviews,
        overdue_count: overdue_rows.len(),
        overdue: overdue_rows
            .iter()
            .take(PANEL)
            .map(|r| OverdueItem {
                key: r.postmortem_key.clone(),
                item: ActionView::new(&r.item, today),
            })
            .collect(),
        recent: recent.iter().map(Row::from_summary).collect(),
        quarter_count,
        mine_open,
    }))
}
