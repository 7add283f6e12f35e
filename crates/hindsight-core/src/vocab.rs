//! The closed vocabularies of the domain (kind, severity, status, categories...).
//!
//! Each one is a plain enum whose spelling in files, the database and the API is
//! fixed here once. Parsing an unknown word gives an [`UnknownWord`] error that
//! lists every accepted spelling, so a user can fix the input without the docs.

use std::fmt;
use std::str::FromStr;

/// A word that is not in one of the domain's vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{word}`, expected one of: {expected}")]
pub struct UnknownWord {
    pub what: &'static str,
    pub word: String,
    pub expected: String,
}

/// Defines a string-backed enum with its one spelling per variant.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in the vocabulary's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's one spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| UnknownWord {
                        what: $what,
                        word: wanted.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        /// A string with one of the vocabulary's spellings (parsing also
        /// takes them in any letter case).
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!("A ", $what, ".")))
                    .enum_values(Some($name::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

vocabulary!(
    /// What sort of event the postmortem is about.
    Kind, "kind" {
        Incident = "incident",
        Release = "release",
        Deploy = "deploy",
        Security = "security",
        Data = "data",
        Provider = "provider",
        Process = "process",
    }
);

impl Kind {
    /// Release and deploy postmortems carry a release record and gate analysis.
    pub fn is_release(self) -> bool {
        matches!(self, Kind::Release | Kind::Deploy)
    }
}

vocabulary!(
    /// SEV1 is the most severe.
    Severity, "severity" { Sev1 = "SEV1", Sev2 = "SEV2", Sev3 = "SEV3", Sev4 = "SEV4" }
);

vocabulary!(
    /// Where a postmortem is in its review workflow (see [`crate::workflow`]).
    Status, "status" { Draft = "draft", InReview = "in-review", Final = "final", Closed = "closed" }
);

vocabulary!(
    /// Who may read a postmortem.
    Visibility, "visibility" {
        Internal = "internal",
        /// Only the people and groups in `restricted_to` (and admins).
        Restricted = "restricted",
        /// A redacted export may be published.
        Public = "public",
    }
);

vocabulary!(
    /// Incident milestones; the durations MTTD, MTTA, MTTM and MTTR come from them.
    Milestone, "milestone" {
        Started = "started",
        Detected = "detected",
        Acknowledged = "acknowledged",
        Mitigated = "mitigated",
        Resolved = "resolved",
    }
);

vocabulary!(
    /// What happened at one point of the timeline.
    EventKind, "event kind" {
        Deploy = "deploy",
        Alert = "alert",
        Page = "page",
        Ack = "ack",
        Communication = "communication",
        Action = "action",
        Mitigation = "mitigation",
        Rollback = "rollback",
        Resolution = "resolution",
        Note = "note",
    }
);

vocabulary!(
    /// The category of a contributing factor, including the release gates.
    FactorCategory, "factor category" {
        Code = "code",
        Config = "config",
        Dependency = "dependency",
        Capacity = "capacity",
        TestingGap = "testing-gap",
        MonitoringGap = "monitoring-gap",
        ProcessGap = "process-gap",
        DocumentationGap = "documentation-gap",
        TrainingGap = "training-gap",
        Ci = "ci",
        Canary = "canary",
        Soak = "soak",
        EvalGate = "eval-gate",
        FeedbackGate = "feedback-gate",
        Rollback = "rollback",
        Communication = "communication",
        DecisionAuthority = "decision-authority",
    }
);

vocabulary!(
    /// The fishbone (Ishikawa) bone a contributing factor hangs on.
    FishboneGroup, "fishbone group" {
        People = "people",
        Process = "process",
        Technology = "technology",
        Environment = "environment",
    }
);

impl FactorCategory {
    /// The group a factor of this category belongs to unless the author says otherwise.
    pub fn default_group(self) -> FishboneGroup {
        use FactorCategory::*;
        match self {
            Code | Config | MonitoringGap | Ci | Canary | Soak | EvalGate | FeedbackGate
            | Rollback => FishboneGroup::Technology,
            Dependency | Capacity => FishboneGroup::Environment,
            TestingGap | ProcessGap | DocumentationGap | DecisionAuthority => {
                FishboneGroup::Process
            }
            TrainingGap | Communication => FishboneGroup::People,
        }
    }

    /// Whether the category is one of the release gates.
    pub fn is_release_gate(self) -> bool {
        use FactorCategory::*;
        matches!(
            self,
            Ci | Canary
                | Soak
                | EvalGate
                | FeedbackGate
                | Rollback
                | Communication
                | DecisionAuthority
        )
    }
}

vocabulary!(
    /// A release gate of the release record.
    Gate, "gate" { Ci = "ci", Canary = "canary", Soak = "soak", Eval = "eval", Feedback = "feedback" }
);

vocabulary!(
    /// What a release gate did for the release in question.
    GateOutcome, "gate outcome" {
        Passed = "passed",
        Failed = "failed",
        Skipped = "skipped",
        /// The gate did not exist for this release.
        Absent = "absent",
        /// Not assessed yet: a postmortem opened from a webhook lists every
        /// gate so, for its author to fill in; `final` needs each assessed.
        Unknown = "unknown",
    }
);

vocabulary!(
    /// What an action item is meant to do.
    ActionType, "action type" {
        Prevent = "prevent",
        Detect = "detect",
        Mitigate = "mitigate",
        Process = "process",
    }
);

vocabulary!(
    /// When an action item is meant to land.
    Horizon, "horizon" {
        Immediate = "immediate",
        ShortTerm = "short-term",
        LongTerm = "long-term",
    }
);

vocabulary!(
    /// P0 is the most urgent.
    Priority, "priority" { P0 = "P0", P1 = "P1", P2 = "P2", P3 = "P3" }
);

vocabulary!(
    /// The hierarchy of controls: how strongly an action removes the hazard.
    ControlLevel, "control level" {
        Eliminate = "eliminate",
        Substitute = "substitute",
        Engineering = "engineering",
        Administrative = "administrative",
        Training = "training",
    }
);

vocabulary!(
    /// Progress of an action item. `wont-do` needs a reason (see the action item).
    ActionStatus, "action status" {
        Open = "open",
        InProgress = "in-progress",
        Done = "done",
        Verified = "verified",
        WontDo = "wont-do",
    }
);

impl ActionStatus {
    /// Done, verified and won't-do need no more work.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            ActionStatus::Done | ActionStatus::Verified | ActionStatus::WontDo
        )
    }
}

vocabulary!(
    /// A reviewer's verdict.
    Verdict, "review verdict" {
        Approved = "approved",
        ChangesRequested = "changes-requested",
        Commented = "commented",
    }
);

vocabulary!(
    /// What an account may do. Each role includes the ones before it.
    Role, "role" {
        /// Reads postmortems it may see.
        Viewer = "viewer",
        /// Also writes postmortems, action items and reviews.
        Editor = "editor",
        /// Also manages users, tokens and settings, and reads every postmortem.
        Admin = "admin",
    }
);

vocabulary!(
    /// What an API token may do, at most (never more than its user's role).
    TokenScope, "token scope" {
        Read = "read",
        Write = "write",
        Admin = "admin",
        /// Only posts to the webhook endpoints.
        Webhook = "webhook",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_is_case_insensitive_and_errors_list_choices() {
        assert_eq!("sev2".parse::<Severity>(), Ok(Severity::Sev2));
        assert_eq!(" In-Review ".parse::<Status>(), Ok(Status::InReview));
        let err = "SEV5".parse::<Severity>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown severity `SEV5`, expected one of: SEV1, SEV2, SEV3, SEV4"
        );
    }

    #[test]
    fn every_spelling_round_trips() {
        for c in FactorCategory::ALL {
            assert_eq!(c.as_str().parse::<FactorCategory>(), Ok(*c));
        }
        for s in ActionStatus::ALL {
            assert_eq!(s.as_str().parse::<ActionStatus>(), Ok(*s));
        }
    }
}
