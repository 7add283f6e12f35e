//! The one shape every sender's payload is normalised to.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use hindsight_core::EventKind;
use serde::{Deserialize, Serialize};

/// Who sent a delivery: also the path of its endpoint (`/hooks/<source>`) and
/// the `source` of the timeline events made from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Alertmanager,
    Pagerduty,
    Github,
    ArgoRollouts,
    Flagger,
    Events,
}

impl Source {
    pub const ALL: &'static [Source] = &[
        Source::Alertmanager,
        Source::Pagerduty,
        Source::Github,
        Source::ArgoRollouts,
        Source::Flagger,
        Source::Events,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Alertmanager => "alertmanager",
            Source::Pagerduty => "pagerduty",
            Source::Github => "github",
            Source::ArgoRollouts => "argo-rollouts",
            Source::Flagger => "flagger",
            Source::Events => "events",
        }
    }

    /// The source named `name` (its endpoint path segment).
    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened, whatever tool reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    DeployStarted,
    DeploySucceeded,
    DeployFailed,
    DeployRolledBack,
    AlertFiring,
    AlertResolved,
    /// A page went out (PagerDuty incident triggered).
    PageTriggered,
    PageAcknowledged,
    PageResolved,
    IncidentStarted,
    IncidentDetected,
    IncidentResolved,
    Custom,
}

impl EventType {
    pub fn is_deploy(self) -> bool {
        matches!(
            self,
            EventType::DeployStarted
                | EventType::DeploySucceeded
                | EventType::DeployFailed
                | EventType::DeployRolledBack
        )
    }

    /// A deploy that went wrong: what opens a deploy postmortem.
    pub fn is_bad_deploy(self) -> bool {
        matches!(self, EventType::DeployFailed | EventType::DeployRolledBack)
    }

    /// The end of an incident: what opens an incident postmortem.
    pub fn is_resolution(self) -> bool {
        matches!(
            self,
            EventType::AlertResolved | EventType::PageResolved | EventType::IncidentResolved
        )
    }

    /// The kind of the timeline event this becomes.
    pub fn timeline_kind(self) -> EventKind {
        match self {
            EventType::DeployStarted | EventType::DeploySucceeded | EventType::DeployFailed => {
                EventKind::Deploy
            }
            EventType::DeployRolledBack => EventKind::Rollback,
            EventType::AlertFiring | EventType::AlertResolved | EventType::IncidentDetected => {
                EventKind::Alert
            }
            EventType::PageTriggered => EventKind::Page,
            EventType::PageAcknowledged => EventKind::Ack,
            EventType::PageResolved | EventType::IncidentResolved => EventKind::Resolution,
            EventType::IncidentStarted | EventType::Custom => EventKind::Note,
        }
    }
}

/// The deploy an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deploy {
    /// The sender's id of this deploy (GitHub deployment id, rollout revision, ...).
    pub id: String,
    /// Image or package that was deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    /// Version or commit SHA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One normalised event of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub source: Source,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened according to the sender (never the time it was received,
    /// unless the sender gives no time at all).
    pub at: DateTime<Utc>,
    /// What the event is about, stable across deliveries and event types: the
    /// alert fingerprint, the PagerDuty incident id, the GitHub deployment id,
    /// the rollout. Firing and resolved of one alert share it.
    pub subject: String,
    /// One line for the timeline.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The sender's severity word as given (`critical`, `P1`, `SEV2`, ...); the
    /// policy maps it to a severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Link to the evidence in the sender's UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// Cause category, when the sender knows it (a `category` label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Labels and tags, for the policy's exclusions (maintenance, game days).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl Event {
    /// An event with only the required fields set.
    pub fn new(
        source: Source,
        event_type: EventType,
        at: DateTime<Utc>,
        subject: impl Into<String>,
        title: impl Into<String>,
    ) -> Self {
        Event {
            source,
            event_type,
            at,
            subject: subject.into(),
            title: title.into(),
            service: None,
            environment: None,
            severity: None,
            url: None,
            deploy: None,
            category: None,
            labels: BTreeMap::new(),
        }
    }
}
