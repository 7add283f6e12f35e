//! The postmortem as structured data: every noun of the domain.
//!
//! A [`Postmortem`] is one aggregate: its timeline, analysis, release record,
//! action items and reviews are saved and loaded with it as a whole. Durations
//! (MTTD, MTTR, ...) are derived from [`Milestones`] on demand, never stored.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::vocab::*;

/// A postmortem with everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Postmortem {
    pub id: Uuid,
    /// Human key such as `PM-42`; given by the store when the postmortem is first saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub title: String,
    pub kind: Kind,
    /// Unknown for imported write-ups that never had one; required to publish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    pub status: Status,
    pub visibility: Visibility,
    /// People or groups who may read a `restricted` postmortem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restricted_to: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The one person accountable for the postmortem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Optimistic-concurrency version: bumped by every saved change.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub milestones: Milestones,
    #[serde(default)]
    pub impact: Impact,
    /// Markdown.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    #[serde(default)]
    pub analysis: Analysis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseRecord>,
    #[serde(default)]
    pub actions: Vec<ActionItem>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Sections the format does not know, kept verbatim in their order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_sections: Vec<Section>,
    /// Front-matter keys the format does not know, kept as they were.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_fields: BTreeMap<String, serde_json::Value>,
}

impl Postmortem {
    /// A new, empty draft. The caller fills in what it knows.
    pub fn new(title: impl Into<String>, kind: Kind, now: DateTime<Utc>) -> Self {
        Postmortem {
            id: Uuid::new_v4(),
            key: None,
            title: title.into(),
            kind,
            severity: None,
            status: Status::Draft,
            visibility: Visibility::Internal,
            restricted_to: Vec::new(),
            services: Vec::new(),
            tags: Vec::new(),
            owner: None,
            authors: Vec::new(),
            reviewers: Vec::new(),
            version: 0,
            created_at: now,
            updated_at: now,
            published_at: None,
            closed_at: None,
            milestones: Milestones::default(),
            impact: Impact::default(),
            summary: String::new(),
            timeline: Vec::new(),
            analysis: Analysis::default(),
            release: None,
            actions: Vec::new(),
            reviews: Vec::new(),
            extra_sections: Vec::new(),
            extra_fields: BTreeMap::new(),
        }
    }

    /// The key if it has one, else the id: how to name it to a person.
    pub fn handle(&self) -> String {
        self.key.clone().unwrap_or_else(|| self.id.to_string())
    }

    /// The action items that are not finished and whose due date is before `today`.
    pub fn overdue_actions(&self, today: NaiveDate) -> impl Iterator<Item = &ActionItem> {
        self.actions.iter().filter(move |a| a.is_overdue(today))
    }

    /// The contributing factor with this id.
    pub fn factor(&self, id: &str) -> Option<&ContributingFactor> {
        self.analysis.factors.iter().find(|f| f.id == id)
    }

    /// The next free action-item id (`A1`, `A2`, ...).
    pub fn next_action_id(&self) -> String {
        next_id("A", self.actions.iter().map(|a| a.id.as_str()))
    }

    /// The next free contributing-factor id (`F1`, `F2`, ...).
    pub fn next_factor_id(&self) -> String {
        next_id("F", self.analysis.factors.iter().map(|f| f.id.as_str()))
    }
}

/// `prefix` followed by one more than the highest number used with it.
pub fn next_id<'a>(prefix: &str, used: impl Iterator<Item = &'a str>) -> String {
    let highest = used
        .filter_map(|id| id.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

/// When the incident started, was detected, acknowledged, mitigated and resolved.
/// Each is optional and only ever set from evidence, never guessed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestones {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigated: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<DateTime<Utc>>,
}

impl Milestones {
    pub fn get(&self, m: Milestone) -> Option<DateTime<Utc>> {
        match m {
            Milestone::Started => self.started,
            Milestone::Detected => self.detected,
            Milestone::Acknowledged => self.acknowledged,
            Milestone::Mitigated => self.mitigated,
            Milestone::Resolved => self.resolved,
        }
    }

    pub fn set(&mut self, m: Milestone, at: Option<DateTime<Utc>>) {
        let slot = match m {
            Milestone::Started => &mut self.started,
            Milestone::Detected => &mut self.detected,
            Milestone::Acknowledged => &mut self.acknowledged,
            Milestone::Mitigated => &mut self.mitigated,
            Milestone::Resolved => &mut self.resolved,
        };
        *slot = at;
    }

    pub fn is_empty(&self) -> bool {
        Milestone::ALL.iter().all(|m| self.get(*m).is_none())
    }

    fn between(&self, from: Milestone, to: Milestone) -> Option<Duration> {
        Some(self.get(to)? - self.get(from)?)
    }

    /// Time to detect: started -> detected.
    pub fn time_to_detect(&self) -> Option<Duration> {
        self.between(Milestone::Started, Milestone::Detected)
    }

    /// Time to acknowledge: detected -> acknowledged.
    pub fn time_to_acknowledge(&self) -> Option<Duration> {
        self.between(Milestone::Detected, Milestone::Acknowledged)
    }

    /// Time to mitigate: started -> mitigated.
    pub fn time_to_mitigate(&self) -> Option<Duration> {
        self.between(Milestone::Started, Milestone::Mitigated)
    }

    /// Time to resolve: started -> resolved. Also the impact duration.
    pub fn time_to_resolve(&self) -> Option<Duration> {
        self.between(Milestone::Started, Milestone::Resolved)
    }
}

/// How bad it was, in numbers where there are numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Impact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_affected: Option<u64>,
    /// Percent of users (0-100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_percent: Option<f64>,
    /// Revenue lost, in `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_breached: Option<bool>,
    /// Fraction of the SLO window's error budget consumed (0.25 = a quarter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_budget_consumed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalations: Option<u64>,
    /// Markdown: the Impact section.
    #[serde(default)]
    pub text: String,
}

impl Impact {
    /// Whether any of the numeric fields is filled in.
    pub fn has_numbers(&self) -> bool {
        self.users_affected.is_some()
            || self.users_percent.is_some()
            || self.revenue.is_some()
            || self.error_budget_consumed.is_some()
            || self.tickets.is_some()
            || self.escalations.is_some()
    }

    /// Whether the structured part (everything but the text) is empty.
    pub fn numbers_are_empty(&self) -> bool {
        Impact {
            text: String::new(),
            ..self.clone()
        } == Impact::default()
    }
}

/// One thing that happened, at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// Markdown, one line.
    pub text: String,
    /// Where the event came from: `manual`, `alertmanager`, `pagerduty`, `github`, ...
    pub source: String,
    /// URL or id of the evidence in the source system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
}

/// The source of events typed in by a person.
pub const MANUAL_SOURCE: &str = "manual";

impl TimelineEvent {
    /// A manual note at `at`.
    pub fn note(at: DateTime<Utc>, text: impl Into<String>) -> Self {
        TimelineEvent {
            at,
            kind: EventKind::Note,
            text: text.into(),
            source: MANUAL_SOURCE.to_string(),
            source_ref: None,
            milestone: None,
        }
    }
}

/// Why it happened and what we learned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Analysis {
    /// Markdown: what set it off.
    #[serde(default)]
    pub trigger: String,
    /// Markdown: the root cause(s).
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub five_whys: Vec<Why>,
    #[serde(default)]
    pub factors: Vec<ContributingFactor>,
    /// Markdown: how it was detected and how it could be faster.
    #[serde(default)]
    pub detection: String,
    /// Markdown: what went well and what was hard in the response.
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub lessons: Lessons,
}

/// One step of the five-whys chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Why {
    pub question: String,
    pub answer: String,
}

/// A contributing factor, with the category it is counted under in patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContributingFactor {
    /// `F1`, `F2`, ...: how action items refer to it.
    pub id: String,
    pub category: FactorCategory,
    pub group: FishboneGroup,
    pub text: String,
}

/// The three lists of the "Lessons learned" section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lessons {
    #[serde(default)]
    pub went_well: Vec<String>,
    #[serde(default)]
    pub went_wrong: Vec<String>,
    #[serde(default)]
    pub got_lucky: Vec<String>,
}

impl Lessons {
    pub fn is_empty(&self) -> bool {
        self.went_well.is_empty() && self.went_wrong.is_empty() && self.got_lucky.is_empty()
    }
}

/// What was released, and what each gate did about it (release and deploy kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back_at: Option<DateTime<Utc>>,
    /// Traffic percentages of the canary steps, e.g. `[5, 25, 100]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canary_steps: Vec<u32>,
    #[serde(default)]
    pub gates: Vec<GateAnalysis>,
}

/// One gate of a release: what it did and why it did not catch the problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateAnalysis {
    pub gate: Gate,
    pub outcome: GateOutcome,
    /// Why it did not catch this (empty when it did).
    #[serde(default)]
    pub why_missed: String,
}

/// A corrective or preventive action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItem {
    /// `A1`, `A2`, ...: unique within the postmortem.
    pub id: String,
    /// Starts with a verb.
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub action_type: ActionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<Horizon>,
    pub priority: Priority,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<ControlLevel>,
    /// One named person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    /// Why it won't be done (required with `wont-do`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wont_do_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Ticket>,
    /// The measurable outcome that proves the action worked.
    #[serde(default)]
    pub outcome: String,
    /// Id of the contributing factor it addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<String>,
}

impl ActionItem {
    /// An open P2 `prevent` item with nothing else filled in.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        ActionItem {
            id: id.into(),
            title: title.into(),
            description: String::new(),
            action_type: ActionType::Prevent,
            horizon: None,
            priority: Priority::P2,
            control: None,
            owner: None,
            due: None,
            status: ActionStatus::Open,
            wont_do_reason: None,
            ticket: None,
            outcome: String::new(),
            factor: None,
        }
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.status.is_finished() && self.due.is_some_and(|d| d < today)
    }

    /// Finished for the purpose of closing: done, verified, or won't-do with a reason.
    pub fn is_closed_out(&self) -> bool {
        match self.status {
            ActionStatus::Done | ActionStatus::Verified => true,
            ActionStatus::WontDo => self
                .wont_do_reason
                .as_deref()
                .is_some_and(|r| !r.trim().is_empty()),
            ActionStatus::Open | ActionStatus::InProgress => false,
        }
    }
}

/// A ticket in an external tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    /// `github`, `jira`, `linear`, ... (empty when unknown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A reviewer's verdict and comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub reviewer: String,
    pub verdict: Verdict,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// The section the review is about (its heading, e.g. `Root cause`); none
    /// for the postmortem as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A Markdown section the format does not know, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub heading: String,
    pub body: String,
}

/// One recorded change: who, when, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub postmortem_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `create`, `update`, `transition`, `import`, `delete`.
    pub action: String,
    pub changes: Vec<crate::diff::Change>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, h, m, 0).single().unwrap()
    }

    #[test]
    fn durations_come_from_milestones_and_need_both_ends() {
        let mut m = Milestones {
            started: Some(at(10, 0)),
            detected: Some(at(10, 12)),
            ..Default::default()
        };
        assert_eq!(m.time_to_detect(), Some(Duration::minutes(12)));
        assert_eq!(m.time_to_resolve(), None);
        m.set(Milestone::Resolved, Some(at(11, 30)));
        assert_eq!(m.time_to_resolve(), Some(Duration::minutes(90)));
        assert_eq!(m.time_to_acknowledge(), None);
    }

    #[test]
    fn ids_continue_after_the_highest_number() {
        assert_eq!(next_id("A", ["A1", "A7", "B9", "Ax"].into_iter()), "A8");
        assert_eq!(next_id("F", std::iter::empty()), "F1");
    }

    #[test]
    fn wont_do_without_a_reason_is_not_closed_out() {
        let mut a = ActionItem::new("A1", "Add a check");
        a.status = ActionStatus::WontDo;
        assert!(!a.is_closed_out());
        a.wont_do_reason = Some("superseded by A2".into());
        assert!(a.is_closed_out());
    }

    #[test]
    fn overdue_means_unfinished_and_past_due() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let mut a = ActionItem::new("A1", "Add a check");
        a.due = NaiveDate::from_ymd_opt(2026, 4, 30);
        assert!(a.is_overdue(today));
        a.status = ActionStatus::Done;
        assert!(!a.is_overdue(today));
    }
}
