//! The editor: structured forms for every section, a new postmortem from a
//! template per kind, lint findings refreshed while typing, Markdown preview,
//! and the version check.
//!
//! The form is kept as typed ([`EditForm`], all strings) and only turned into
//! a postmortem when every field reads; a field that does not read is shown
//! again with its error beside it. A save made from an older version than the
//! stored one is not written: the editor comes back with everything typed,
//! what others changed meanwhile (from the audit log), and the stored version
//! as the new base, so saving again is a deliberate choice.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use hindsight_core::{
    ActionItem, ActionStatus, ActionType, ContributingFactor, EventKind, FactorCategory, Gate,
    GateAnalysis, GateOutcome, Kind, Milestone, Postmortem, Priority, ReleaseRecord, Severity,
    Ticket, TimelineEvent, Visibility, Why,
};
use hindsight_store::{AuditAction, StoreError};

use crate::auth::Need;
use crate::routes::postmortems::visible;
use crate::state::AppState;
use crate::web::form::{lines, list};
use crate::web::insight::{self, SimilarView};
use crate::web::postmortem::FindingView;
use crate::web::view::{Stamp, render};
use crate::web::{Chrome, Fields, Submitted, Viewer, WebError, markdown};

/// Empty rows offered after the filled ones, for adding without JavaScript.
const BLANK_ROWS: usize = 2;

/// Errors by field name (`title`, `tl.3.at`).
type Errors = BTreeMap<String, String>;

/// One timeline row as typed.
#[derive(Debug, Clone, Default)]
pub struct TlRow {
    pub at: String,
    pub kind: String,
    pub milestone: String,
    pub text: String,
    pub source: String,
    pub source_ref: String,
}

#[derive(Debug, Clone, Default)]
pub struct WhyRow {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, Default)]
pub struct FactorRow {
    pub id: String,
    pub category: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct GateRow {
    pub gate: String,
    pub outcome: String,
    pub why: String,
}

#[derive(Debug, Clone, Default)]
pub struct ActionRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub priority: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub reason: String,
    pub outcome: String,
    pub factor: String,
    pub ticket: String,
    pub ticket_url: String,
}

/// The editor's form, exactly as typed.
#[derive(Debug, Clone, Default)]
pub struct EditForm {
    pub version: i64,
    /// When the edited version was saved (RFC 3339): changes after it are
    /// what others did meanwhile.
    pub base: String,
    pub title: String,
    pub kind: String,
    pub severity: String,
    pub visibility: String,
    pub restricted_to: String,
    pub services: String,
    pub tags: String,
    pub owner: String,
    pub authors: String,
    /// started, detected, acknowledged, mitigated, resolved.
    pub milestones: Vec<(Milestone, String)>,
    pub users_affected: String,
    pub users_percent: String,
    pub revenue: String,
    pub currency: String,
    pub sla_breached: String,
    pub error_budget: String,
    pub tickets: String,
    pub escalations: String,
    pub impact: String,
    pub summary: String,
    pub timeline: Vec<TlRow>,
    pub trigger: String,
    pub root_cause: String,
    pub whys: Vec<WhyRow>,
    pub factors: Vec<FactorRow>,
    pub detection: String,
    pub response: String,
    pub went_well: String,
    pub went_wrong: String,
    pub got_lucky: String,
    pub deploy_id: String,
    pub artifact: String,
    pub release_version: String,
    pub environment: String,
    pub rolled_back_at: String,
    pub canary_steps: String,
    pub gates: Vec<GateRow>,
    pub actions: Vec<ActionRow>,
    pub errors: Errors,
}

fn opt_text<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn time_text(t: &Option<DateTime<Utc>>) -> String {
    t.map(|t| Stamp(t).input()).unwrap_or_default()
}

/// Reads a time typed in UTC: `YYYY-MM-DD HH:MM` (optionally with seconds, a
/// `T`, a trailing `Z` or `UTC`), or RFC 3339 with an offset.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let bare = t
        .strip_suffix("UTC")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t)
        .trim()
        .replace('T', " ");
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&bare, format) {
            return Ok(n.and_utc());
        }
    }
    Err(format!(
        "`{t}` is not a time: write it in UTC as YYYY-MM-DD HH:MM, e.g. 2026-03-04 14:05"
    ))
}

impl EditForm {
    /// The form of a stored postmortem, with blank rows to add to.
    pub fn from_pm(pm: &Postmortem) -> EditForm {
        let i = &pm.impact;
        let a = &pm.analysis;
        let r = pm.release.clone().unwrap_or_default();
        let mut gates: Vec<GateRow> = r
            .gates
            .iter()
            .map(|g| GateRow {
                gate: g.gate.to_string(),
                outcome: g.outcome.to_string(),
                why: g.why_missed.clone(),
            })
            .collect();
        if pm.kind.is_release() {
            // The template of a release: one row for every gate not analysed yet.
            for gate in Gate::ALL {
                if !r.gates.iter().any(|g| g.gate == *gate) {
                    gates.push(GateRow {
                        gate: gate.to_string(),
                        ..GateRow::default()
                    });
                }
            }
        }
        let mut form = EditForm {
            version: pm.version,
            base: pm.updated_at.to_rfc3339(),
            title: pm.title.clone(),
            kind: pm.kind.to_string(),
            severity: opt_text(&pm.severity),
            visibility: pm.visibility.to_string(),
            restricted_to: pm.restricted_to.join(", "),
            services: pm.services.join(", "),
            tags: pm.tags.join(", "),
            owner: opt_text(&pm.owner),
            authors: pm.authors.join(", "),
            milestones: Milestone::ALL
                .iter()
                .map(|m| (*m, time_text(&pm.milestones.get(*m))))
                .collect(),
            users_affected: opt_text(&i.users_affected),
            users_percent: opt_text(&i.users_percent),
            revenue: opt_text(&i.revenue),
            currency: opt_text(&i.currency),
            sla_breached: match i.sla_breached {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .to_string(),
            error_budget: i
                .error_budget_consumed
                .map(|b| format!("{}", (b * 1000.0).round() / 10.0))
                .unwrap_or_default(),
            tickets: opt_text(&i.tickets),
            escalations: opt_text(&i.escalations),
            impact: i.text.clone(),
            summary: pm.summary.clone(),
            timeline: pm
                .timeline
                .iter()
                .map(|e| TlRow {
                    at: Stamp(e.at).input(),
                    kind: e.kind.to_string(),
                    milestone: opt_text(&e.milestone),
                    text: e.text.clone(),
                    source: e.source.clone(),
                    source_ref: e.source_ref.clone().unwrap_or_default(),
                })
                .collect(),
            trigger: a.trigger.clone(),
            root_cause: a.root_cause.clone(),
            whys: a
                .five_whys
                .iter()
                .map(|w| WhyRow {
                    question: w.question.clone(),
                    answer: w.answer.clone(),
                })
                .collect(),
            factors: a
                .factors
                .iter()
                .map(|f| FactorRow {
                    id: f.id.clone(),
                    category: f.category.to_string(),
                    text: f.text.clone(),
                })
                .collect(),
            detection: a.detection.clone(),
            response: a.response.clone(),
            went_well: a.lessons.went_well.join("\n"),
            went_wrong: a.lessons.went_wrong.join("\n"),
            got_lucky: a.lessons.got_lucky.join("\n"),
            deploy_id: opt_text(&r.deploy_id),
            artifact: opt_text(&r.artifact),
            release_version: opt_text(&r.version),
            environment: opt_text(&r.environment),
            rolled_back_at: time_text(&r.rolled_back_at),
            canary_steps: r
                .canary_steps
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            gates,
            actions: pm
                .actions
                .iter()
                .map(|a| ActionRow {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    kind: a.action_type.to_string(),
                    priority: a.priority.to_string(),
                    owner: opt_text(&a.owner),
                    due: opt_text(&a.due),
                    status: a.status.to_string(),
                    reason: opt_text(&a.wont_do_reason),
                    outcome: a.outcome.clone(),
                    factor: opt_text(&a.factor),
                    ticket: a.ticket.as_ref().map(|t| t.key.clone()).unwrap_or_default(),
                    ticket_url: a
                        .ticket
                        .as_ref()
                        .and_then(|t| t.url.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            errors: Errors::new(),
        };
        form.add_blank_rows();
        form
    }

    /// Blank rows at the end of every list, so rows can be added without JavaScript.
    fn add_blank_rows(&mut self) {
        for _ in 0..BLANK_ROWS {
            self.timeline.push(TlRow {
                source: hindsight_core::MANUAL_SOURCE.to_string(),
                kind: EventKind::Note.to_string(),
                ..TlRow::default()
            });
            self.whys.push(WhyRow::default());
            self.factors.push(FactorRow::default());
            self.actions.push(ActionRow {
                kind: ActionType::Prevent.to_string(),
                priority: Priority::P2.to_string(),
                status: ActionStatus::Open.to_string(),
                ..ActionRow::default()
            });
        }
    }

    /// The form as submitted.
    pub fn from_fields(f: &Fields) -> EditForm {
        let s = |name: &str| f.get(name).to_string();
        let row =
            |prefix: &str, i: usize, name: &str| f.get(&format!("{prefix}.{i}.{name}")).to_string();
        EditForm {
            version: f.get("version").trim().parse().unwrap_or(0),
            base: s("base"),
            title: s("title"),
            kind: s("kind"),
            severity: s("severity"),
            visibility: s("visibility"),
            restricted_to: s("restricted_to"),
            services: s("services"),
            tags: s("tags"),
            owner: s("owner"),
            authors: s("authors"),
            milestones: Milestone::ALL
                .iter()
                .map(|m| (*m, f.get(&format!("ms.{m}")).to_string()))
                .collect(),
            users_affected: s("users_affected"),
            users_percent: s("users_percent"),
            revenue: s("revenue"),
            currency: s("currency"),
            sla_breached: s("sla_breached"),
            error_budget: s("error_budget"),
            tickets: s("tickets"),
            escalations: s("escalations"),
            impact: s("impact"),
            summary: s("summary"),
            timeline: f
                .rows("tl")
                .into_iter()
                .map(|i| TlRow {
                    at: row("tl", i, "at"),
                    kind: row("tl", i, "kind"),
                    milestone: row("tl", i, "milestone"),
                    text: row("tl", i, "text"),
                    source: row("tl", i, "source"),
                    source_ref: row("tl", i, "source_ref"),
                })
                .collect(),
            trigger: s("trigger"),
            root_cause: s("root_cause"),
            whys: f
                .rows("why")
                .into_iter()
                .map(|i| WhyRow {
                    question: row("why", i, "q"),
                    answer: row("why", i, "a"),
                })
                .collect(),
            factors: f
                .rows("factor")
                .into_iter()
                .map(|i| FactorRow {
                    id: row("factor", i, "id"),
                    category: row("factor", i, "category"),
                    text: row("factor", i, "text"),
                })
                .collect(),
            detection: s("detection"),
            response: s("response"),
            went_well: s("went_well"),
            went_wrong: s("went_wrong"),
            got_lucky: s("got_lucky"),
            deploy_id: s("deploy_id"),
            artifact: s("artifact"),
            release_version: s("release_version"),
            environment: s("environment"),
            rolled_back_at: s("rolled_back_at"),
            canary_steps: s("canary_steps"),
            gates: f
                .rows("gate")
                .into_iter()
                .map(|i| GateRow {
                    gate: row("gate", i, "gate"),
                    outcome: row("gate", i, "outcome"),
                    why: row("gate", i, "why"),
                })
                .collect(),
            actions: f
                .rows("action")
                .into_iter()
                .map(|i| ActionRow {
                    id: row("action", i, "id"),
                    title: row("action", i, "title"),
                    kind: row("action", i, "kind"),
                    priority: row("action", i, "priority"),
                    owner: row("action", i, "owner"),
                    due: row("action", i, "due"),
                    status: row("action", i, "status"),
                    reason: row("action", i, "reason"),
                    outcome: row("action", i, "outcome"),
                    factor: row("action", i, "factor"),
                    ticket: row("action", i, "ticket"),
                    ticket_url: row("action", i, "ticket_url"),
                })
                .collect(),
            errors: Errors::new(),
        }
    }

    /// The error of field `name`, or "".
    pub fn e(&self, name: &str) -> &str {
        self.errors.get(name).map(String::as_str).unwrap_or("")
    }

    /// The error of field `name` of row `i` of list `prefix`, or "".
    pub fn re(&self, prefix: &str, i: &usize, name: &str) -> &str {
        self.e(&format!("{prefix}.{i}.{name}"))
    }

    /// The ids of the factors in the form, for the action items' factor choice.
    pub fn factor_ids(&self) -> Vec<String> {
        self.factors
            .iter()
            .filter(|f| !f.id.is_empty())
            .map(|f| f.id.clone())
            .collect()
    }

    /// Whether the form has a factor with this id.
    pub fn has_factor(&self, id: &str) -> bool {
        self.factors.iter().any(|f| f.id == id)
    }

    /// Applies the form to `pm`. Fields that do not read are left as they were
    /// and their errors recorded; true when every field read.
    pub fn apply(&mut self, pm: &mut Postmortem) -> bool {
        let mut errors = Errors::new();
        let mut err = |field: String, message: String| {
            errors.entry(field).or_insert(message);
        };

        let title = self.title.trim();
        if title.is_empty() {
            err("title".into(), "Give the postmortem a title.".into());
        } else {
            pm.title = title.to_string();
        }
        match word::<Kind>(&self.kind) {
            Ok(Some(k)) => pm.kind = k,
            Ok(None) => err("kind".into(), "Choose a kind.".into()),
            Err(e) => err("kind".into(), e),
        }
        match word::<Severity>(&self.severity) {
            Ok(s) => pm.severity = s,
            Err(e) => err("severity".into(), e),
        }
        match word::<Visibility>(&self.visibility) {
            Ok(Some(v)) => pm.visibility = v,
            Ok(None) => pm.visibility = Visibility::Internal,
            Err(e) => err("visibility".into(), e),
        }
        pm.restricted_to = list(&self.restricted_to);
        if pm.visibility == Visibility::Restricted
            && pm.restricted_to.is_empty()
            && self.owner.trim().is_empty()
        {
            err(
                "restricted_to".into(),
                "Name who may read it (people or groups), or give it an owner.".into(),
            );
        }
        pm.services = list(&self.services);
        pm.tags = list(&self.tags);
        pm.owner = Some(self.owner.trim().to_string()).filter(|o| !o.is_empty());
        pm.authors = list(&self.authors);

        for (m, text) in &self.milestones {
            if text.trim().is_empty() {
                pm.milestones.set(*m, None);
            } else {
                match parse_time(text) {
                    Ok(t) => pm.milestones.set(*m, Some(t)),
                    Err(e) => err(format!("ms.{m}"), e),
                }
            }
        }

        let impact = &mut pm.impact;
        number(&self.users_affected, "users_affected", &mut err, |v| {
            impact.users_affected = v
        });
        decimal(
            &self.users_percent,
            "users_percent",
            0.0..=100.0,
            &mut err,
            |v| impact.users_percent = v,
        );
        decimal(&self.revenue, "revenue", 0.0..=f64::MAX, &mut err, |v| {
            impact.revenue = v
        });
        impact.currency = Some(self.currency.trim().to_uppercase()).filter(|c| !c.is_empty());
        impact.sla_breached = match self.sla_breached.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        decimal(
            &self.error_budget,
            "error_budget",
            0.0..=10_000.0,
            &mut err,
            |v| impact.error_budget_consumed = v.map(|p| p / 100.0),
        );
        number(&self.tickets, "tickets", &mut err, |v| impact.tickets = v);
        number(&self.escalations, "escalations", &mut err, |v| {
            impact.escalations = v
        });
        impact.text = self.impact.trim().to_string();
        pm.summary = self.summary.trim().to_string();

        let mut timeline = Vec::new();
        for (i, row) in self.timeline.iter().enumerate() {
            if row.at.trim().is_empty() && row.text.trim().is_empty() {
                continue;
            }
            let at = if row.at.trim().is_empty() {
                err(
                    format!("tl.{i}.at"),
                    "When did it happen? (UTC, YYYY-MM-DD HH:MM)".into(),
                );
                None
            } else {
                match parse_time(&row.at) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        err(format!("tl.{i}.at"), e);
                        None
                    }
                }
            };
            if row.text.trim().is_empty() {
                err(format!("tl.{i}.text"), "Say what happened.".into());
            }
            let kind = word::<EventKind>(&row.kind).unwrap_or(None);
            let milestone = match word::<Milestone>(&row.milestone) {
                Ok(m) => m,
                Err(e) => {
                    err(format!("tl.{i}.milestone"), e);
                    None
                }
            };
            if let Some(at) = at
                && !row.text.trim().is_empty()
            {
                timeline.push(TimelineEvent {
                    at,
                    kind: kind.unwrap_or(EventKind::Note),
                    text: row.text.trim().to_string(),
                    source: Some(row.source.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| hindsight_core::MANUAL_SOURCE.to_string()),
                    source_ref: Some(row.source_ref.trim().to_string()).filter(|s| !s.is_empty()),
                    milestone,
                });
            }
        }
        timeline.sort_by_key(|e| e.at);
        pm.timeline = timeline;

        let analysis = &mut pm.analysis;
        analysis.trigger = self.trigger.trim().to_string();
        analysis.root_cause = self.root_cause.trim().to_string();
        let mut whys = Vec::new();
        for (i, w) in self.whys.iter().enumerate() {
            let (q, a) = (w.question.trim(), w.answer.trim());
            match (q.is_empty(), a.is_empty()) {
                (true, true) => {}
                (false, false) => whys.push(Why {
                    question: q.to_string(),
                    answer: a.to_string(),
                }),
                (true, false) => err(
                    format!("why.{i}.q"),
                    "Ask the question this answers.".into(),
                ),
                (false, true) => err(format!("why.{i}.a"), "Answer the question.".into()),
            }
        }
        analysis.five_whys = whys;

        let old_factors = analysis.factors.clone();
        let mut factors: Vec<ContributingFactor> = Vec::new();
        let mut new_factor_ids = Vec::new();
        for (i, row) in self.factors.iter().enumerate() {
            if row.text.trim().is_empty() {
                continue;
            }
            let category = match word::<FactorCategory>(&row.category) {
                Ok(Some(c)) => c,
                Ok(None) => {
                    err(format!("factor.{i}.category"), "Choose a category.".into());
                    continue;
                }
                Err(e) => {
                    err(format!("factor.{i}.category"), e);
                    continue;
                }
            };
            let id = if row.id.trim().is_empty() {
                let used = old_factors
                    .iter()
                    .map(|f| f.id.as_str())
                    .chain(factors.iter().map(|f| f.id.as_str()));
                hindsight_core::next_id("F", used)
            } else {
                row.id.trim().to_string()
            };
            let group = old_factors
                .iter()
                .find(|f| f.id == id && f.category == category)
                .map(|f| f.group)
                .unwrap_or_else(|| category.default_group());
            new_factor_ids.push((i, id.clone()));
            factors.push(ContributingFactor {
                id,
                category,
                group,
                text: row.text.trim().to_string(),
            });
        }
        analysis.factors = factors;
        for (i, id) in new_factor_ids {
            self.factors[i].id = id;
        }
        analysis.detection = self.detection.trim().to_string();
        analysis.response = self.response.trim().to_string();
        analysis.lessons.went_well = lines(&self.went_well);
        analysis.lessons.went_wrong = lines(&self.went_wrong);
        analysis.lessons.got_lucky = lines(&self.got_lucky);

        let mut release = pm.release.clone().unwrap_or_default();
        let text = |s: &String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        release.deploy_id = text(&self.deploy_id);
        release.artifact = text(&self.artifact);
        release.version = text(&self.release_version);
        release.environment = text(&self.environment);
        release.rolled_back_at = if self.rolled_back_at.trim().is_empty() {
            None
        } else {
            match parse_time(&self.rolled_back_at) {
                Ok(t) => Some(t),
                Err(e) => {
                    err("rolled_back_at".into(), e);
                    release.rolled_back_at
                }
            }
        };
        let mut steps = Vec::new();
        for s in list(&self.canary_steps) {
            match s.trim_end_matches('%').trim().parse::<u32>() {
                Ok(n) if n <= 100 => steps.push(n),
                _ => err(
                    "canary_steps".into(),
                    format!("`{s}` is not a traffic percentage (0-100); write e.g. 5, 25, 100"),
                ),
            }
        }
        release.canary_steps = steps;
        let mut gates = Vec::new();
        for (i, row) in self.gates.iter().enumerate() {
            let outcome = match word::<GateOutcome>(&row.outcome) {
                Ok(Some(o)) => o,
                Ok(None) if row.why.trim().is_empty() => continue,
                Ok(None) => {
                    err(format!("gate.{i}.outcome"), "What did this gate do?".into());
                    continue;
                }
                Err(e) => {
                    err(format!("gate.{i}.outcome"), e);
                    continue;
                }
            };
            match word::<Gate>(&row.gate) {
                Ok(Some(gate)) => gates.push(GateAnalysis {
                    gate,
                    outcome,
                    why_missed: row.why.trim().to_string(),
                }),
                Ok(None) => err(format!("gate.{i}.gate"), "Choose the gate.".into()),
                Err(e) => err(format!("gate.{i}.gate"), e),
            }
        }
        release.gates = gates;
        pm.release = if pm.kind.is_release() || release != ReleaseRecord::default() {
            Some(release)
        } else {
            None
        };

        let old_actions = pm.actions.clone();
        let mut actions: Vec<ActionItem> = Vec::new();
        let mut new_action_ids = Vec::new();
        for (i, row) in self.actions.iter().enumerate() {
            let filled = [&row.title, &row.owner, &row.due, &row.outcome, &row.ticket]
                .iter()
                .any(|v| !v.trim().is_empty());
            if !filled {
                continue;
            }
            if row.title.trim().is_empty() {
                err(
                    format!("action.{i}.title"),
                    "Say what will be done, starting with a verb.".into(),
                );
                continue;
            }
            let id = if row.id.trim().is_empty() {
                let used = old_actions
                    .iter()
                    .map(|a| a.id.as_str())
                    .chain(actions.iter().map(|a| a.id.as_str()));
                hindsight_core::next_id("A", used)
            } else {
                row.id.trim().to_string()
            };
            let mut item = old_actions
                .iter()
                .find(|a| a.id == id)
                .cloned()
                .unwrap_or_else(|| ActionItem::new(id.clone(), ""));
            item.title = row.title.trim().to_string();
            if let Ok(Some(t)) = word::<ActionType>(&row.kind) {
                item.action_type = t;
            }
            if let Ok(Some(p)) = word::<Priority>(&row.priority) {
                item.priority = p;
            }
            item.owner = Some(row.owner.trim().to_string()).filter(|o| !o.is_empty());
            item.due = if row.due.trim().is_empty() {
                None
            } else {
                match NaiveDate::parse_from_str(row.due.trim(), "%Y-%m-%d") {
                    Ok(d) => Some(d),
                    Err(_) => {
                        err(
                            format!("action.{i}.due"),
                            format!("`{}` is not a day: write YYYY-MM-DD", row.due.trim()),
                        );
                        item.due
                    }
                }
            };
            match word::<ActionStatus>(&row.status) {
                Ok(Some(s)) => item.status = s,
                Ok(None) => {}
                Err(e) => err(format!("action.{i}.status"), e),
            }
            item.wont_do_reason = Some(row.reason.trim().to_string()).filter(|r| !r.is_empty());
            if item.status == ActionStatus::WontDo && item.wont_do_reason.is_none() {
                err(
                    format!("action.{i}.reason"),
                    "Say why it won't be done.".into(),
                );
            }
            item.outcome = row.outcome.trim().to_string();
            item.factor = Some(row.factor.trim().to_string()).filter(|f| !f.is_empty());
            if let Some(f) = &item.factor
                && !pm.analysis.factors.iter().any(|x| &x.id == f)
            {
                err(
                    format!("action.{i}.factor"),
                    format!("There is no contributing factor {f} any more: choose another."),
                );
            }
            item.ticket = match (row.ticket.trim(), row.ticket_url.trim()) {
                ("", "") => None,
                (key, url) => Some(Ticket {
                    provider: item
                        .ticket
                        .as_ref()
                        .map(|t| t.provider.clone())
                        .unwrap_or_default(),
                    key: if key.is_empty() { url } else { key }.to_string(),
                    url: Some(url.to_string()).filter(|u| !u.is_empty()),
                }),
            };
            new_action_ids.push((i, id));
            actions.push(item);
        }
        pm.actions = actions;
        for (i, id) in new_action_ids {
            self.actions[i].id = id;
        }

        self.errors = errors;
        self.errors.is_empty()
    }
}

/// A vocabulary word from a select; `None` when blank.
fn word<T>(text: &str) -> Result<Option<T>, String>
where
    T: std::str::FromStr<Err = hindsight_core::UnknownWord>,
{
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|e: hindsight_core::UnknownWord| e.to_string())
}

fn number(
    text: &str,
    field: &str,
    err: &mut impl FnMut(String, String),
    set: impl FnOnce(Option<u64>),
) {
    let t = text.trim().replace([',', '_', ' '], "");
    if t.is_empty() {
        return set(None);
    }
    match t.parse::<u64>() {
        Ok(n) => set(Some(n)),
        Err(_) => err(
            field.to_string(),
            format!("`{}` is not a whole number", text.trim()),
        ),
    }
}

fn decimal(
    text: &str,
    field: &str,
    range: std::ops::RangeInclusive<f64>,
    err: &mut impl FnMut(String, String),
    set: impl FnOnce(Option<f64>),
) {
    let t = text
        .trim()
        .trim_end_matches('%')
        .replace([',', '_', ' '], "");
    if t.is_empty() {
        return set(None);
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() && range.contains(&n) => set(Some(n)),
        Ok(_) => err(field.to_string(), "The number is out of range".to_string()),
        Err(_) => err(
            field.to_string(),
            format!("`{}` is not a number", text.trim()),
        ),
    }
}

/// The id of the editor input a finding's field path (`summary`,
/// `timeline[2].text`, `actions[0].owner`, `analysis.factors`) points at, or
/// of its section; "" when the editor has no place for it.
pub fn anchor(field: &str) -> String {
    let (head, rest) = field.split_once(['.', '[']).unwrap_or((field, ""));
    let indexed = |prefix: &str, names: &[(&str, &str)], section: &str| {
        let Some((index, sub)) = rest.split_once(']') else {
            return section.to_string();
        };
        let sub = sub.trim_start_matches('.');
        match (
            index.parse::<usize>(),
            names.iter().find(|(n, _)| *n == sub),
        ) {
            (Ok(i), Some((_, id))) => format!("{prefix}-{i}-{id}"),
            _ => section.to_string(),
        }
    };
    match head {
        "title" | "kind" | "severity" | "visibility" | "owner" | "authors" | "services"
        | "tags" | "summary" => format!("f-{head}"),
        "restricted_to" => "f-restricted".to_string(),
        "impact" => match rest {
            "users_affected" => "f-users",
            "users_percent" => "f-percent",
            "error_budget_consumed" => "f-budget",
            "revenue" => "f-revenue",
            "tickets" => "f-tickets",
            "escalations" => "f-escalations",
            _ => "f-impact",
        }
        .to_string(),
        "milestones" if !rest.is_empty() => format!("f-ms-{rest}"),
        "milestones" => "sec-milestones".to_string(),
        "timeline" => indexed(
            "tl",
            &[
                ("at", "at"),
                ("text", "text"),
                ("kind", "kind"),
                ("milestone", "ms"),
            ],
            "sec-timeline",
        ),
        "actions" => indexed(
            "action",
            &[
                ("title", "title"),
                ("owner", "owner"),
                ("due", "due"),
                ("outcome", "outcome"),
                ("status", "status"),
                ("wont_do_reason", "reason"),
                ("factor", "factor"),
                ("ticket", "ticket"),
            ],
            "sec-actions",
        ),
        "analysis" => match rest.split(['.', '[']).next().unwrap_or("") {
            "trigger" => "f-trigger",
            "root_cause" => "f-root_cause",
            "detection" => "f-detection",
            "response" => "f-response",
            "factors" => "sec-factors",
            "lessons" => "sec-lessons",
            _ => "sec-root-cause",
        }
        .to_string(),
        "release" => "sec-release".to_string(),
        _ => String::new(),
    }
}

/// The findings of a report, each pointing at its input in the editor.
fn findings(report: &crate::quality::Report) -> Vec<FindingView> {
    report
        .findings
        .iter()
        .map(|f| FindingView {
            anchor: anchor(&f.field),
            ..FindingView::new(f)
        })
        .collect()
}

/// What someone else changed while the form was open.
pub struct ConflictChange {
    pub actor: String,
    pub at: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Guidance shown as placeholders, per kind of postmortem.
pub struct Guide {
    pub summary: &'static str,
    pub impact: &'static str,
    pub root_cause: &'static str,
}

fn guide(kind: &str) -> Guide {
    match kind {
        "release" | "deploy" => Guide {
            summary: "What was released, what broke, how it was rolled back or fixed, and for how long users were affected.",
            impact: "Requests failed or slowed, users and regions affected, error budget consumed by the bad version.",
            root_cause: "What in the change caused it, and why CI, canary, soak and the other gates let it through.",
        },
        "security" => Guide {
            summary: "What was exposed or at risk, for how long, how it was contained. No secrets or personal data here.",
            impact: "Data or systems affected, people notified, regulatory deadlines.",
            root_cause: "The weakness and the conditions that let it be exploited or exposed.",
        },
        "data" => Guide {
            summary: "Which data was lost, corrupted or delayed, how it was found and repaired.",
            impact: "Records affected, consumers of the data, time until it was correct again.",
            root_cause: "How the bad data was produced, and why checks did not stop it.",
        },
        "provider" => Guide {
            summary: "Which provider failed, what it broke for us, and what we did about it.",
            impact: "What our users saw while the provider was degraded.",
            root_cause: "The provider's failure, and the dependency on it that made it ours.",
        },
        "process" => Guide {
            summary: "Which process failed or was missing, and what it led to.",
            impact: "The cost in time, risk or money.",
            root_cause: "Why the process allowed it.",
        },
        _ => Guide {
            summary: "Two or three sentences: what happened, who was affected, for how long, how it ended.",
            impact: "Users affected (count or %), duration, failed requests, revenue, SLA, tickets.",
            root_cause: "The conditions that made the failure possible — past the first technical answer.",
        },
    }
}

#[derive(Template)]
#[template(path = "editor.html")]
struct EditorPage {
    chrome: Chrome,
    handle: String,
    status: String,
    form: EditForm,
    guide: Guide,
    findings: Vec<FindingView>,
    score: String,
    /// Past postmortems like the one typed (the viewer may read them).
    similar: Vec<SimilarView>,
    conflict: Vec<ConflictChange>,
    conflicted: bool,
    kinds: &'static [Kind],
    severities: &'static [Severity],
    visibilities: &'static [Visibility],
    event_kinds: &'static [EventKind],
    milestone_names: &'static [Milestone],
    categories: &'static [FactorCategory],
    gate_names: &'static [Gate],
    outcomes: &'static [GateOutcome],
    action_types: &'static [ActionType],
    priorities: &'static [Priority],
    action_statuses: &'static [ActionStatus],
}

impl EditorPage {
    /// The editor of `pm` showing `form`, with the findings and the similar
    /// postmortems of the postmortem as typed.
    async fn new(
        viewer: &Viewer,
        pm: &Postmortem,
        form: EditForm,
        state: &AppState,
    ) -> Result<EditorPage, WebError> {
        let mut preview = pm.clone();
        let mut probe = form.clone();
        probe.apply(&mut preview);
        let report = state.quality.report(&preview, Utc::now().date_naive());
        let similar = insight::similar(state, &viewer.caller, &preview).await?;
        Ok(EditorPage {
            chrome: Chrome::new(viewer, "postmortems", format!("Edit {}", pm.handle())),
            handle: pm.handle(),
            status: pm.status.to_string(),
            guide: guide(&form.kind),
            form,
            findings: findings(&report),
            score: format!("{:.1}", report.score.weighted_average),
            similar,
            conflict: Vec::new(),
            conflicted: false,
            kinds: Kind::ALL,
            severities: Severity::ALL,
            visibilities: Visibility::ALL,
            event_kinds: EventKind::ALL,
            milestone_names: Milestone::ALL,
            categories: FactorCategory::ALL,
            gate_names: Gate::ALL,
            outcomes: GateOutcome::ALL,
            action_types: ActionType::ALL,
            priorities: Priority::ALL,
            action_statuses: ActionStatus::ALL,
        })
    }

    fn is_release(&self) -> bool {
        matches!(self.form.kind.as_str(), "release" | "deploy")
    }
}

/// The lint panel, alone: what htmx swaps in while typing.
#[derive(Template)]
#[template(path = "lint.html")]
struct LintPanel {
    findings: Vec<FindingView>,
    score: String,
    similar: Vec<SimilarView>,
}

/// The stored postmortem `key`, for an editor.
async fn editable(state: &AppState, viewer: &Viewer, key: &str) -> Result<Postmortem, WebError> {
    let pm = visible(state, &viewer.caller, key)
        .await
        .map_err(|_| WebError::not_found(&format!("postmortem {key}")))?;
    viewer.caller.require(Need::Write)?;
    Ok(pm)
}

/// `GET /postmortems/{key}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let pm = editable(&state, &viewer, &key).await?;
    let form = EditForm::from_pm(&pm);
    Ok(render(&EditorPage::new(&viewer, &pm, form, &state).await?))
}

/// `POST /postmortems/{key}/edit`: saves, or shows the form again with the
/// errors or the conflicting changes.
pub async fn save(
    State(state): State<AppState>,
    Path(key): Path<String>,
    form: Submitted,
) -> Result<Response, WebError> {
    let viewer = &form.viewer;
    let stored = editable(&state, viewer, &key).await?;
    let mut typed = EditForm::from_fields(&form.fields);
    if typed.version != stored.version {
        return conflict(&state, viewer, &stored, typed).await;
    }
    let mut pm = stored.clone();
    if !typed.apply(&mut pm) {
        let mut page = EditorPage::new(viewer, &stored, typed, &state).await?;
        page.chrome.title = format!("Fix {}", stored.handle());
        let mut response = render(&page);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    match state
        .store
        .update(&pm, &viewer.caller.actor(), AuditAction::Update)
        .await
    {
        Ok(saved) => Ok(
            Redirect::to(&format!("/postmortems/{}?done=saved", saved.handle())).into_response(),
        ),
        Err(StoreError::Conflict { .. }) => {
            let current = editable(&state, viewer, &key).await?;
            conflict(&state, viewer, &current, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The editor again, with what was typed, what others changed since the
/// version it was opened at, and the stored version as the new base.
async fn conflict(
    state: &AppState,
    viewer: &Viewer,
    stored: &Postmortem,
    mut typed: EditForm,
) -> Result<Response, WebError> {
    let since = DateTime::parse_from_rfc3339(typed.base.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok();
    let audit = state.store.audit(stored.id).await?;
    let conflict = audit
        .iter()
        .filter(|e| since.is_none_or(|s| e.at > s))
        .flat_map(|e| {
            e.changes.iter().map(move |c| ConflictChange {
                actor: e.actor.clone(),
                at: Stamp(e.at).to_string(),
                field: c.field.clone(),
                before: short(&c.before),
                after: short(&c.after),
            })
        })
        .collect();
    typed.version = stored.version;
    typed.base = stored.updated_at.to_rfc3339();
    let mut page = EditorPage::new(viewer, stored, typed, state).await?;
    page.conflict = conflict;
    page.conflicted = true;
    let mut response = render(&page);
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}

/// A changed value, compact and cut to a readable length.
fn short(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

/// `POST /postmortems/{key}/lint`: the lint panel for the form as typed.
pub async fn lint(
    State(state): State<AppState>,
    Path(key): Path<String>,
    form: Submitted,
) -> Result<Response, WebError> {
    let mut pm = editable(&state, &form.viewer, &key).await?;
    let mut typed = EditForm::from_fields(&form.fields);
    typed.apply(&mut pm);
    let report = state.quality.report(&pm, Utc::now().date_naive());
    let panel = LintPanel {
        findings: findings(&report),
        score: format!("{:.1}", report.score.weighted_average),
        similar: insight::similar(&state, &form.viewer.caller, &pm).await?,
    };
    Ok(render(&panel))
}

/// `POST /preview`: the Markdown of the field named in `preview`, as HTML.
pub async fn preview(form: Submitted) -> Response {
    let field = form.fields.get("preview");
    Html(markdown::render(form.fields.get(field))).into_response()
}

#[derive(Template)]
#[template(path = "new.html")]
struct NewPage {
    chrome: Chrome,
    kinds: Vec<(Kind, &'static str)>,
    severities: &'static [Severity],
    title: String,
    kind: String,
    severity: String,
    error: String,
}

fn kind_help(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "An outage or degradation users noticed.",
        Kind::Release => "A release that shipped a regression; includes the gate analysis.",
        Kind::Deploy => "A failed or rolled-back deploy; includes the gate analysis.",
        Kind::Security => "A vulnerability or exposure; restricted to you by default.",
        Kind::Data => "Data lost, corrupted or late.",
        Kind::Provider => "A third-party or cloud provider failure.",
        Kind::Process => "A process failure without an outage.",
    }
}

fn new_page(
    viewer: &Viewer,
    title: String,
    kind: String,
    severity: String,
    error: String,
) -> NewPage {
    NewPage {
        chrome: Chrome::new(viewer, "postmortems", "New postmortem"),
        kinds: Kind::ALL.iter().map(|k| (*k, kind_help(*k))).collect(),
        severities: Severity::ALL,
        title,
        kind,
        severity,
        error,
    }
}

/// `GET /postmortems/new`.
pub async fn new_form(viewer: Viewer) -> Result<Response, WebError> {
    viewer.caller.require(Need::Write)?;
    Ok(render(&new_page(
        &viewer,
        String::new(),
        Kind::Incident.to_string(),
        String::new(),
        String::new(),
    )))
}

/// `POST /postmortems/new`: a draft from the kind's template, owned by its
/// author, then its editor.
pub async fn create(State(state): State<AppState>, form: Submitted) -> Result<Response, WebError> {
    let viewer = &form.viewer;
    viewer.caller.require(Need::Write)?;
    let title = form.fields.get("title").trim().to_string();
    let kind_text = form.fields.get("kind").to_string();
    let severity_text = form.fields.get("severity").to_string();
    let refuse = |message: &str| {
        let mut r = render(&new_page(
            viewer,
            title.clone(),
            kind_text.clone(),
            severity_text.clone(),
            message.to_string(),
        ));
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(r)
    };
    if title.is_empty() {
        return refuse("Give the postmortem a title: what failed, in a few words.");
    }
    let Ok(Some(kind)) = word::<Kind>(&kind_text) else {
        return refuse("Choose a kind.");
    };
    let Ok(severity) = word::<Severity>(&severity_text) else {
        return refuse("Choose a severity.");
    };
    let me = viewer.name().to_string();
    let mut pm = Postmortem::new(title, kind, Utc::now());
    pm.severity = severity;
    pm.owner = Some(me.clone());
    pm.authors = vec![me.clone()];
    if kind == Kind::Security {
        pm.visibility = Visibility::Restricted;
        pm.restricted_to = vec![me];
    }
    if kind.is_release() {
        pm.release = Some(ReleaseRecord::default());
    }
    let saved = state.store.create(&pm, &viewer.caller.actor()).await?;
    Ok(Redirect::to(&format!("/postmortems/{}/edit", saved.handle())).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pm() -> Postmortem {
        let mut pm = Postmortem::new("Checkout errors", Kind::Deploy, Utc::now());
        pm.analysis.factors.push(ContributingFactor {
            id: "F1".into(),
            category: FactorCategory::Canary,
            group: FactorCategory::Canary.default_group(),
            text: "The canary ran for 2 minutes".into(),
        });
        pm
    }

    #[test]
    fn times_are_read_as_utc_and_refused_when_unreadable() {
        let t = parse_time("2026-03-04 14:05").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-04T14:05:00+00:00");
        assert_eq!(parse_time("2026-03-04T14:05Z").unwrap(), t);
        assert_eq!(parse_time("2026-03-04T16:05:00+02:00").unwrap(), t);
        assert!(
            parse_time("14:05")
                .unwrap_err()
                .contains("YYYY-MM-DD HH:MM")
        );
    }

    #[test]
    fn a_round_trip_through_the_form_changes_nothing() {
        let mut original = pm();
        original.timeline.push(TimelineEvent::note(
            parse_time("2026-03-04 14:05").unwrap(),
            "Deploy started",
        ));
        let mut a = ActionItem::new("A1", "Lengthen the canary to 30 minutes");
        a.factor = Some("F1".into());
        a.due = NaiveDate::from_ymd_opt(2026, 4, 1);
        original.actions.push(a);
        let mut form = EditForm::from_pm(&original);
        let mut copy = original.clone();
        assert!(form.apply(&mut copy), "{:?}", form.errors);
        // A deploy postmortem gets an (empty) release record from the form.
        original.release = Some(ReleaseRecord::default());
        assert_eq!(copy, original);
    }

    #[test]
    fn errors_name_the_field_and_keep_the_stored_value() {
        let stored = pm();
        let fields = Fields::from_pairs(&[
            ("title", "Checkout errors"),
            ("kind", "deploy"),
            ("tl.0.at", "yesterday"),
            ("tl.0.text", "Deploy"),
            ("action.0.title", "Add an alert"),
            ("action.0.due", "soon"),
            ("action.0.factor", "F9"),
            ("factor.0.id", "F1"),
            ("factor.0.category", "canary"),
            ("factor.0.text", "The canary ran for 2 minutes"),
            ("users_affected", "many"),
        ]);
        let mut form = EditForm::from_fields(&fields);
        let mut copy = stored.clone();
        assert!(!form.apply(&mut copy));
        for field in [
            "tl.0.at",
            "action.0.due",
            "action.0.factor",
            "users_affected",
        ] {
            assert!(!form.e(field).is_empty(), "{field}: {:?}", form.errors);
        }
        assert!(copy.timeline.is_empty());
        assert_eq!(form.re("tl", &0, "at"), form.e("tl.0.at"));
    }

    #[test]
    fn findings_point_at_their_inputs() {
        assert_eq!(anchor("summary"), "f-summary");
        assert_eq!(anchor("timeline[4].text"), "tl-4-text");
        assert_eq!(anchor("actions[0].owner"), "action-0-owner");
        assert_eq!(anchor("actions[0]"), "sec-actions");
        assert_eq!(anchor("impact.text"), "f-impact");
        assert_eq!(anchor("milestones.detected"), "f-ms-detected");
        assert_eq!(anchor("analysis.root_cause"), "f-root_cause");
        assert_eq!(anchor("analysis.five_whys[1].answer"), "sec-root-cause");
        assert_eq!(anchor("source"), "");
    }

    #[test]
    fn new_rows_get_the_next_ids() {
        let fields = Fields::from_pairs(&[
            ("title", "x"),
            ("kind", "deploy"),
            ("factor.0.id", "F1"),
            ("factor.0.category", "canary"),
            ("factor.0.text", "short canary"),
            ("factor.1.category", "monitoring-gap"),
            ("factor.1.text", "no alert"),
            ("action.0.title", "Add an alert on 5xx"),
            ("action.0.factor", "F2"),
        ]);
        let mut form = EditForm::from_fields(&fields);
        let mut copy = pm();
        assert!(form.apply(&mut copy), "{:?}", form.errors);
        assert_eq!(copy.analysis.factors[1].id, "F2");
        assert_eq!(copy.actions[0].id, "A1");
        assert_eq!(copy.actions[0].factor.as_deref(), Some("F2"));
    }
}
