//! The trigger policy file (TOML). Every field has a default, so an empty file
//! (or none) is the documented default policy; unknown keys are errors, so a
//! typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::Duration;
use hindsight_core::Severity;
use serde::Deserialize;

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid trigger policy: {0}")]
pub struct PolicyError(String);

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    pub deploy: DeployPolicy,
    pub incidents: IncidentPolicy,
    pub recurrence: Recurrence,
    pub window: Window,
    /// Labels that exclude an event from opening anything: label name ->
    /// values (compared case-insensitively).
    pub exclude: BTreeMap<String, Vec<String>>,
    /// Sender severity words (lower case) -> severity. `SEV1`..`SEV4` are
    /// always understood.
    pub severities: BTreeMap<String, Severity>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployPolicy {
    /// Whether failed and rolled-back deploys open postmortems.
    pub enabled: bool,
    /// A fixed severity for deploy postmortems; when unset, the most severe
    /// alert or page of the window, else `default_severity`.
    pub severity: Option<Severity>,
    pub default_severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncidentPolicy {
    /// Severities that always open a postmortem when the incident resolves.
    pub always: Vec<Severity>,
    /// Severities that open one when the incident is novel or recurring.
    pub novel_or_recurring: Vec<Severity>,
    /// Severities that get a lightweight note (a short postmortem tagged `note`).
    pub note: Vec<Severity>,
    /// An incident is novel when its service had no postmortem for this many days.
    pub novelty_days: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Recurrence {
    pub days: i64,
    /// More postmortems than this with the same service and cause category
    /// within `days` make the next one a full postmortem.
    pub more_than: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Window {
    /// Alerts and pages up to this long before a deploy started belong to it.
    pub before_minutes: i64,
    /// Events up to this long after a rollback (or failure) belong to it and
    /// are appended to its postmortem.
    pub after_minutes: i64,
    /// How far back the stored events handed to the policy reach.
    pub lookback_hours: i64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        let exclude = [
            ("maintenance", vec!["true", "yes", "1"]),
            ("game_day", vec!["true", "yes", "1"]),
            ("gameday", vec!["true", "yes", "1"]),
            ("type", vec!["maintenance", "game-day", "gameday", "drill"]),
        ];
        let severities = [
            ("critical", Severity::Sev2),
            ("page", Severity::Sev2),
            ("error", Severity::Sev3),
            ("warning", Severity::Sev3),
            ("info", Severity::Sev4),
            ("p1", Severity::Sev1),
            ("p2", Severity::Sev2),
            ("p3", Severity::Sev3),
            ("p4", Severity::Sev4),
            ("p5", Severity::Sev4),
            ("urgency-high", Severity::Sev2),
            ("urgency-low", Severity::Sev4),
        ];
        PolicyConfig {
            deploy: DeployPolicy::default(),
            incidents: IncidentPolicy::default(),
            recurrence: Recurrence::default(),
            window: Window::default(),
            exclude: exclude
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
                .collect(),
            severities: severities
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

impl Default for DeployPolicy {
    fn default() -> Self {
        DeployPolicy {
            enabled: true,
            severity: None,
            default_severity: Severity::Sev3,
        }
    }
}

impl Default for IncidentPolicy {
    fn default() -> Self {
        IncidentPolicy {
            always: vec![Severity::Sev1, Severity::Sev2],
            novel_or_recurring: vec![Severity::Sev3],
            note: vec![Severity::Sev4],
            novelty_days: 90,
        }
    }
}

impl Default for Recurrence {
    fn default() -> Self {
        Recurrence {
            days: 90,
            more_than: 2,
        }
    }
}

impl Default for Window {
    fn default() -> Self {
        Window {
            before_minutes: 30,
            after_minutes: 240,
            lookback_hours: 24,
        }
    }
}

impl Window {
    pub fn before(&self) -> Duration {
        Duration::minutes(self.before_minutes)
    }
    pub fn after(&self) -> Duration {
        Duration::minutes(self.after_minutes)
    }
    /// The stored events the caller should hand to [`super::decide`]: those
    /// of the event's service from `at - lookback` to `at + after`.
    pub fn lookback(&self) -> Duration {
        Duration::hours(self.lookback_hours)
    }
}

impl PolicyConfig {
    /// Reads a policy file; missing keys take their defaults.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let config: PolicyConfig = toml::from_str(text).map_err(|e| PolicyError(e.to_string()))?;
        for (name, value) in [
            ("window.before_minutes", config.window.before_minutes),
            ("window.after_minutes", config.window.after_minutes),
            ("window.lookback_hours", config.window.lookback_hours),
            ("recurrence.days", config.recurrence.days),
            ("incidents.novelty_days", config.incidents.novelty_days),
        ] {
            if value < 0 {
                return Err(PolicyError(format!("{name} must not be negative")));
            }
        }
        Ok(config)
    }

    /// The severity a sender's word means, if the policy knows it.
    pub fn severity_of(&self, word: &str) -> Option<Severity> {
        let word = word.trim();
        Severity::from_str(word)
            .ok()
            .or_else(|| self.severities.get(&word.to_ascii_lowercase()).copied())
    }

    /// The exclusion label an event carries, as `name=value`, if any.
    pub fn excluded_by(&self, labels: &BTreeMap<String, String>) -> Option<String> {
        self.exclude.iter().find_map(|(name, values)| {
            let value = labels.get(name)?;
            values
                .iter()
                .any(|v| v.eq_ignore_ascii_case(value.trim()))
                .then(|| format!("{name}={value}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_default_policy() {
        assert_eq!(
            PolicyConfig::from_toml("").unwrap(),
            PolicyConfig::default()
        );
    }

    #[test]
    fn settings_override_defaults_and_typos_are_errors() {
        let c = PolicyConfig::from_toml(
            "[deploy]\nseverity = \"SEV2\"\n[severities]\nfatal = \"SEV1\"\n",
        )
        .unwrap();
        assert_eq!(c.deploy.severity, Some(Severity::Sev2));
        assert_eq!(c.severity_of("FATAL"), Some(Severity::Sev1));
        assert_eq!(c.severity_of("critical"), None);
        let e = PolicyConfig::from_toml("[deploy]\nseverty = \"SEV2\"\n").unwrap_err();
        assert!(e.to_string().contains("severty"), "{e}");
        let e = PolicyConfig::from_toml("[window]\nafter_minutes = -1\n").unwrap_err();
        assert!(e.to_string().contains("window.after_minutes"), "{e}");
    }

    #[test]
    fn exclusions_match_label_values_case_insensitively() {
        let c = PolicyConfig::default();
        let labels = BTreeMap::from([("maintenance".to_string(), "True".to_string())]);
        assert_eq!(c.excluded_by(&labels).as_deref(), Some("maintenance=True"));
        let labels = BTreeMap::from([("maintenance".to_string(), "false".to_string())]);
        assert_eq!(c.excluded_by(&labels), None);
    }
}
