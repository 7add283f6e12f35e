//! `GET /postmortems/{key}`: one postmortem, every section, with its lint
//! findings and rubric scores next to the sections they concern, the review
//! state, the workflow's next steps and the history from the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::review;
use hindsight_core::workflow::{missing_for, next_statuses};
use hindsight_core::{
    ActionStatus, AuditEntry, Milestone, Postmortem, Status, Verdict, Visibility, Why,
};
use hindsight_quality::Finding;
use hindsight_quality::rubric::{CriterionScore, Scorecard};
use serde::Deserialize;

use crate::auth::Need;
use crate::routes::postmortems::visible;
use crate::state::AppState;
use crate::web::insight::{self, SimilarView};
use crate::web::markdown;
use crate::web::view::{Stamp, due, human, render, stamp_or_dash};
use crate::web::{Chrome, Viewer, WebError};

/// How long a quiet stretch of the timeline must be to be pointed out.
const LONG_GAP_MINUTES: i64 = 30;
/// The sections a reviewer may comment on, by their headings in the Markdown format.
const REVIEW_SECTIONS: &[&str] = &[
    "Summary",
    "Impact",
    "Timeline",
    "Root cause",
    "Contributing factors",
    "Release gates",
    "Detection",
    "Response",
    "Lessons learned",
    "Action items",
];

/// History entries shown, newest first.
const HISTORY: usize = 40;

/// One lint finding, as shown next to its section.
pub struct FindingView {
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub excerpt: String,
    pub suggestion: Option<String>,
    pub field: String,
    /// The id of the editor input the finding is about ("" on other pages).
    pub anchor: String,
}

impl FindingView {
    pub fn new(f: &Finding) -> FindingView {
        FindingView {
            rule: f.rule,
            severity: f.severity.as_str(),
            message: f.message.clone(),
            excerpt: f.excerpt.clone(),
            suggestion: f.suggestion.clone(),
            field: f.field.clone(),
            anchor: String::new(),
        }
    }
}

/// The findings and the rubric criterion of one section.
#[derive(Default)]
pub struct Notes {
    pub findings: Vec<FindingView>,
    pub score: Option<(u8, String)>,
}

/// Notes per section of the page.
#[derive(Default)]
pub struct SectionNotes {
    pub general: Notes,
    pub summary: Notes,
    pub impact: Notes,
    pub timeline: Notes,
    pub root_cause: Notes,
    pub factors: Notes,
    pub release: Notes,
    pub detection: Notes,
    pub response: Notes,
    pub lessons: Notes,
    pub actions: Notes,
}

impl SectionNotes {
    /// The section a finding's field path or a rubric criterion belongs to.
    fn slot(&mut self, field: &str) -> &mut Notes {
        let top = field.split(['.', '[']).next().unwrap_or(field);
        match top {
            "summary" => &mut self.summary,
            "impact" => &mut self.impact,
            "timeline" | "milestones" => &mut self.timeline,
            "release" => &mut self.release,
            "actions" => &mut self.actions,
            "root-cause" => &mut self.root_cause,
            "learning" => &mut self.lessons,
            "analysis" => match field.split(['.', '[']).nth(1).unwrap_or("") {
                "factors" => &mut self.factors,
                "detection" => &mut self.detection,
                "response" => &mut self.response,
                "lessons" => &mut self.lessons,
                _ => &mut self.root_cause,
            },
            _ => &mut self.general,
        }
    }

    pub fn build(findings: &[Finding], score: Option<&Scorecard>) -> SectionNotes {
        let mut notes = SectionNotes::default();
        for f in findings {
            notes.slot(&f.field).findings.push(FindingView::new(f));
        }
        for c in score.map(|s| s.criteria.as_slice()).unwrap_or_default() {
            if matches!(
                c.id.as_str(),
                "timeline" | "impact" | "root-cause" | "actions" | "learning"
            ) {
                let slot = notes.slot(&c.id);
                slot.score = Some((c.score, c.name.clone()));
            }
        }
        notes
    }
}

/// A milestone with its time and the time since the start.
pub struct MilestoneView {
    pub name: Milestone,
    pub at: String,
    pub since_start: String,
}

/// One timeline row.
pub struct EventView {
    pub at: String,
    pub kind: String,
    pub text_html: String,
    pub source: String,
    pub source_ref: Option<String>,
    pub milestone: Option<Milestone>,
    /// Time since the previous event (empty for the first).
    pub gap: String,
    pub long_gap: bool,
}

/// Contributing factors of one category.
pub struct FactorGroup {
    pub category: String,
    pub items: Vec<(String, String)>,
}

/// One action item row.
pub struct ActionView {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub priority: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub status: ActionStatus,
    pub reason: String,
    pub outcome: String,
    pub factor: String,
    pub ticket: Option<(String, Option<String>)>,
}

impl ActionView {
    pub fn new(a: &hindsight_core::ActionItem, today: NaiveDate) -> ActionView {
        ActionView {
            id: a.id.clone(),
            title: a.title.clone(),
            kind: a.action_type.to_string(),
            priority: a.priority.to_string(),
            owner: a.owner.clone().unwrap_or_default(),
            due: a.due.map(|d| due(d, today)).unwrap_or_default(),
            overdue: a.is_overdue(today),
            status: a.status,
            reason: a.wont_do_reason.clone().unwrap_or_default(),
            outcome: a.outcome.clone(),
            factor: a.factor.clone().unwrap_or_default(),
            ticket: a.ticket.as_ref().map(|t| (t.key.clone(), t.url.clone())),
        }
    }
}

/// A reviewer and where their review stands.
pub struct ReviewerView {
    pub name: String,
    /// `approved`, `changes-requested` or `pending`.
    pub state: &'static str,
}

/// A verdict or comment.
pub struct ReviewView {
    pub reviewer: String,
    pub verdict: Verdict,
    pub at: String,
    pub comment: String,
    pub section: String,
}

/// A status the postmortem can move to next, and what it still lacks for it.
pub struct NextStep {
    pub to: Status,
    pub label: &'static str,
    pub missing: Vec<String>,
}

/// One entry of the history.
pub struct HistoryView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub fields: String,
}

/// A message shown at the top of the page after an action.
pub struct Notice {
    pub ok: bool,
    pub title: String,
    pub items: Vec<String>,
    /// The form field the notice is about (`reviewers`, `comment`): shown
    /// next to that field instead of at the top.
    pub field: String,
}

#[derive(Template)]
#[template(path = "postmortem.html")]
pub struct PmPage {
    chrome: Chrome,
    pm: Postmortem,
    handle: String,
    notice: Option<Notice>,
    sev_class: String,
    restricted_to: String,
    can_edit: bool,
    can_review: bool,
    summary_html: String,
    impact_html: String,
    trigger_html: String,
    root_cause_html: String,
    detection_html: String,
    response_html: String,
    impact_numbers: Vec<(&'static str, String)>,
    milestones: Vec<MilestoneView>,
    durations: Vec<(&'static str, &'static str, String)>,
    timeline: Vec<EventView>,
    whys: Vec<Why>,
    factors: Vec<FactorGroup>,
    rolled_back_at: String,
    canary: String,
    actions: Vec<ActionView>,
    open_actions: usize,
    overdue_actions: usize,
    notes: SectionNotes,
    score: Option<Scorecard>,
    criteria: Vec<CriterionScore>,
    reviewers: Vec<ReviewerView>,
    reviews: Vec<ReviewView>,
    /// The sections a review may be about, as the Markdown format names them.
    review_sections: &'static [&'static str],
    approvals: usize,
    approvals_required: usize,
    review_due: String,
    review_overdue: bool,
    draft_due: String,
    draft_overdue: bool,
    next: Vec<NextStep>,
    history: Vec<HistoryView>,
    /// The most similar postmortems the viewer may read (filled by [`load`]).
    similar: Vec<SimilarView>,
    created: String,
    updated: String,
    published: String,
    closed: String,
}

impl PmPage {
    /// The class of the severity badge (`sev1`), or `nosev`.
    fn sev(pm: &Postmortem) -> String {
        pm.severity
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_else(|| "nosev".to_string())
    }
}

fn step_label(from: Status, to: Status) -> &'static str {
    match (from, to) {
        (Status::Draft, Status::InReview) => "Send to review",
        (Status::InReview, Status::Draft) => "Back to draft",
        (Status::InReview, Status::Final) => "Publish",
        (Status::Final, Status::InReview) => "Reopen for review",
        (Status::Final, Status::Closed) => "Close",
        (Status::Closed, Status::Final) => "Reopen",
        _ => "Move",
    }
}

/// Builds the page of `pm` for `viewer`.
pub fn build(
    state: &AppState,
    viewer: &Viewer,
    pm: Postmortem,
    audit: &[AuditEntry],
    notice: Option<Notice>,
) -> PmPage {
    let now = Utc::now();
    let today = now.date_naive();
    let report = state.quality.report(&pm, today);
    let notes = SectionNotes::build(&report.findings, Some(&report.score));
    let can_edit = viewer.caller.allows(Need::Write);
    let me = viewer.name();
    let is_owner = pm.owner.as_deref() == Some(me);
    let can_review = can_edit
        && pm.status == Status::InReview
        && !is_owner
        && pm.reviewers.iter().any(|r| r == me);

    let start = pm.milestones.started;
    let milestones = Milestone::ALL
        .iter()
        .filter_map(|m| {
            let at = pm.milestones.get(*m)?;
            Some(MilestoneView {
                name: *m,
                at: Stamp(at).to_string(),
                since_start: match (start, *m) {
                    (Some(s), m) if m != Milestone::Started => format!("+{}", human(at - s)),
                    _ => String::new(),
                },
            })
        })
        .collect();
    let durations = [
        (
            "TTD",
            "Time to detect: started to detected",
            pm.milestones.time_to_detect(),
        ),
        (
            "TTA",
            "Time to acknowledge: detected to acknowledged",
            pm.milestones.time_to_acknowledge(),
        ),
        (
            "TTM",
            "Time to mitigate: started to mitigated",
            pm.milestones.time_to_mitigate(),
        ),
        (
            "TTR",
            "Time to resolve: started to resolved",
            pm.milestones.time_to_resolve(),
        ),
    ]
    .into_iter()
    .filter_map(|(k, title, d)| Some((k, title, human(d?))))
    .collect();

    let mut events: Vec<&hindsight_core::TimelineEvent> = pm.timeline.iter().collect();
    events.sort_by_key(|e| e.at);
    let mut previous: Option<DateTime<Utc>> = None;
    let timeline = events
        .into_iter()
        .map(|e| {
            let gap = previous.map(|p| e.at - p);
            previous = Some(e.at);
            EventView {
                at: Stamp(e.at).to_string(),
                kind: e.kind.to_string(),
                text_html: markdown::render(&e.text),
                source: e.source.clone(),
                source_ref: e.source_ref.clone(),
                milestone: e.milestone,
                gap: gap
                    .filter(|g| g.num_minutes() > 0)
                    .map(|g| format!("+{}", human(g)))
                    .unwrap_or_default(),
                long_gap: gap.is_some_and(|g| g.num_minutes() >= LONG_GAP_MINUTES),
            }
        })
        .collect();

    let mut factors: Vec<FactorGroup> = Vec::new();
    for f in &pm.analysis.factors {
        let category = f.category.to_string();
        let item = (f.id.clone(), f.text.clone());
        match factors.iter_mut().find(|g| g.category == category) {
            Some(g) => g.items.push(item),
            None => factors.push(FactorGroup {
                category,
                items: vec![item],
            }),
        }
    }

    let i = &pm.impact;
    let mut impact_numbers = Vec::new();
    if let Some(n) = i.users_affected {
        impact_numbers.push(("Users affected", n.to_string()));
    }
    if let Some(p) = i.users_percent {
        impact_numbers.push(("Share of users", format!("{p}%")));
    }
    if let Some(r) = i.revenue {
        impact_numbers.push((
            "Revenue lost",
            format!("{r} {}", i.currency.clone().unwrap_or_default()),
        ));
    }
    if let Some(b) = i.error_budget_consumed {
        impact_numbers.push(("Error budget used", format!("{:.0}%", b * 100.0)));
    }
    if let Some(t) = i.tickets {
        impact_numbers.push(("Customer tickets", t.to_string()));
    }
    if let Some(e) = i.escalations {
        impact_numbers.push(("Escalations", e.to_string()));
    }
    if let Some(s) = i.sla_breached {
        impact_numbers.push(("SLA breached", if s { "yes" } else { "no" }.to_string()));
    }
    if let Some(d) = pm.milestones.time_to_resolve() {
        impact_numbers.push(("Duration", human(d)));
    }

    let approved = review::approvers(&pm);
    let changes = review::changes_requested_by(&pm);
    let reviewers = pm
        .reviewers
        .iter()
        .map(|r| ReviewerView {
            name: r.clone(),
            state: if approved.contains(&r.as_str()) {
                "approved"
            } else if changes.contains(&r.as_str()) {
                "changes-requested"
            } else {
                "pending"
            },
        })
        .collect();
    let approvals = approved.len();
    let reviews = pm
        .reviews
        .iter()
        .rev()
        .map(|r| ReviewView {
            reviewer: r.reviewer.clone(),
            verdict: r.verdict,
            at: Stamp(r.at).to_string(),
            comment: r.comment.clone(),
            section: r.section.clone().unwrap_or_default(),
        })
        .collect();
    let requested_at = audit
        .iter()
        .rev()
        .find(|e| {
            e.action == "review-request"
                || e.changes
                    .iter()
                    .any(|c| c.field == "status" && c.after == "in-review")
        })
        .map(|e| e.at);
    let deadlines = state.review.deadlines(&pm, requested_at, now);

    let next = if can_edit {
        next_statuses(pm.status)
            .iter()
            .map(|to| NextStep {
                to: *to,
                label: step_label(pm.status, *to),
                missing: missing_for(&pm, *to, &state.review),
            })
            .collect()
    } else {
        Vec::new()
    };

    let history = audit
        .iter()
        .rev()
        .take(HISTORY)
        .map(|e| {
            let mut fields: Vec<String> = e
                .changes
                .iter()
                .map(|c| {
                    c.field
                        .split(['.', '['])
                        .next()
                        .unwrap_or(&c.field)
                        .to_string()
                })
                .collect();
            fields.dedup();
            let shown = fields
                .iter()
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            HistoryView {
                at: Stamp(e.at).to_string(),
                actor: e.actor.clone(),
                action: e.action.clone(),
                fields: if fields.len() > 6 {
                    format!("{shown} and {} more", fields.len() - 6)
                } else {
                    shown
                },
            }
        })
        .collect();

    let release = pm.release.clone().unwrap_or_default();
    let actions: Vec<ActionView> = pm
        .actions
        .iter()
        .map(|a| ActionView::new(a, today))
        .collect();
    PmPage {
        chrome: Chrome::new(viewer, "postmortems", pm.handle()),
        handle: pm.handle(),
        notice,
        sev_class: PmPage::sev(&pm),
        restricted_to: pm.restricted_to.join(", "),
        can_edit,
        can_review,
        summary_html: markdown::render(&pm.summary),
        impact_html: markdown::render(&pm.impact.text),
        trigger_html: markdown::render(&pm.analysis.trigger),
        root_cause_html: markdown::render(&pm.analysis.root_cause),
        detection_html: markdown::render(&pm.analysis.detection),
        response_html: markdown::render(&pm.analysis.response),
        impact_numbers,
        milestones,
        durations,
        timeline,
        whys: pm.analysis.five_whys.clone(),
        factors,
        rolled_back_at: release
            .rolled_back_at
            .map(|t| Stamp(t).to_string())
            .unwrap_or_default(),
        canary: release
            .canary_steps
            .iter()
            .map(|s| format!("{s}%"))
            .collect::<Vec<_>>()
            .join(" → "),
        open_actions: pm.actions.iter().filter(|a| !a.is_closed_out()).count(),
        overdue_actions: actions.iter().filter(|a| a.overdue).count(),
        actions,
        notes,
        criteria: report.score.criteria.clone(),
        score: Some(report.score),
        reviewers,
        reviews,
        review_sections: REVIEW_SECTIONS,
        approvals,
        approvals_required: state.review.approvals_required,
        review_due: deadlines
            .review_due
            .map(|t| Stamp(t).to_string())
            .unwrap_or_default(),
        review_overdue: deadlines.review_overdue,
        draft_due: deadlines
            .draft_due
            .map(|t| Stamp(t).to_string())
            .unwrap_or_default(),
        draft_overdue: deadlines.draft_overdue,
        next,
        history,
        similar: Vec::new(),
        created: Stamp(pm.created_at).to_string(),
        updated: Stamp(pm.updated_at).to_string(),
        published: stamp_or_dash(pm.published_at),
        closed: stamp_or_dash(pm.closed_at),
        pm,
    }
}

impl PmPage {
    /// The refusal about form field `field`, or "".
    fn field_error(&self, field: &str) -> &str {
        match &self.notice {
            Some(n) if !n.ok && n.field == field => &n.title,
            _ => "",
        }
    }

    fn visibility_note(&self) -> &'static str {
        match self.pm.visibility {
            Visibility::Internal => "Everyone with an account can read it",
            Visibility::Restricted => "Only the people and groups named can read it",
            Visibility::Public => "A redacted copy may be published",
        }
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    done: String,
}

/// What a finished action says at the top of the page it comes back to.
fn done_notice(done: &str) -> Option<Notice> {
    let title = match done {
        "created" => "Draft created: fill in the sections, then send it to review.",
        "saved" => "Saved.",
        "review-requested" => "Review requested: the reviewers see it on their home page.",
        "approved" => "Approved.",
        "changes-requested" => "Changes requested: the owner sees your comment.",
        "commented" => "Comment added.",
        "in-review" => "Sent to review.",
        "draft" => "Moved back to draft.",
        "final" => "Published.",
        "closed" => "Closed: every action item is finished.",
        _ => return None,
    };
    Some(Notice {
        ok: true,
        title: title.to_string(),
        items: Vec::new(),
        field: String::new(),
    })
}

/// Loads the page of `key` for `viewer` (404 if it may not be read).
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    key: &str,
    notice: Option<Notice>,
) -> Result<PmPage, WebError> {
    let pm = visible(state, &viewer.caller, key)
        .await
        .map_err(|_| WebError::not_found(&format!("postmortem {key}")))?;
    let audit = state.store.audit(pm.id).await?;
    let similar = insight::similar(state, &viewer.caller, &pm).await?;
    Ok(PmPage {
        similar,
        ..build(state, viewer, pm, &audit, notice)
    })
}

/// `GET /postmortems/{key}`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let page = load(&state, &viewer, &key, done_notice(&q.done)).await?;
    Ok(render(&page))
}

/// The page of `key` with a refusal, answered with `status`: next to the
/// form field it concerns, or at the top.
pub async fn refused(
    state: &AppState,
    viewer: &Viewer,
    key: &str,
    status: StatusCode,
    notice: Notice,
) -> Result<Response, WebError> {
    let page = load(state, viewer, key, Some(notice)).await?;
    let mut response = render(&page);
    *response.status_mut() = status;
    Ok(response)
}
