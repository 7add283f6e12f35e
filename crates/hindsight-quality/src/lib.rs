//! Hindsight's quality engine: lint rules, the rubric score and redaction.
//!
//! Pure code: no IO, no async. The CLI reads files and configuration and
//! passes their text in; the server lints [`Postmortem`] values directly.
//!
//! - [`lint_markdown`] lints a postmortem file: findings with lines and
//!   columns, inline `<!-- hindsight-ignore ... -->` suppressions applied.
//! - [`lint_postmortem`] lints a postmortem value: findings name field paths
//!   such as `actions[2].owner` or `timeline[4].text`.
//! - [`rubric`] scores a postmortem 1-5 per weighted criterion, with evidence.
//! - [`redact`] removes secrets and configured patterns for public exports,
//!   with the same detectors as the `secret/*` rules.
//! - [`output`] builds JSON and SARIF 2.1.0 reports.
//!
//! [`Postmortem`]: hindsight_core::Postmortem

pub mod config;
pub mod eval;
pub mod fields;
pub mod finding;
mod lint;
pub mod output;
pub mod redact;
pub mod rubric;
mod rules;
pub mod secrets;
mod sourcemap;
pub mod suppress;
mod text;

pub use config::{Config, ConfigError};
pub use finding::{Family, Finding, Position, Rule, Severity};
pub use lint::{FileReport, lint_markdown, lint_postmortem};
pub use rules::ALL as RULES;

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    rules::find(id)
}

/// Checks a single sentence as if it were written in `field` of a
/// postmortem (a timeline row, the root cause, ...): the findings of the
/// language rules (`blame/*`, `timeline/no-timezone`, ...). For evaluation
/// and editor integrations.
pub fn lint_sentence(sentence: &str, field: SentenceField, config: &Config) -> Vec<Finding> {
    let mut pm = hindsight_core::Postmortem::new(
        "Sentence check",
        hindsight_core::Kind::Incident,
        chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
    );
    let path = match field {
        SentenceField::Summary => {
            pm.summary = sentence.to_string();
            "summary"
        }
        SentenceField::Timeline => {
            pm.timeline.push(hindsight_core::TimelineEvent::note(
                chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
                sentence,
            ));
            "timeline[0].text"
        }
        SentenceField::RootCause => {
            pm.analysis.root_cause = sentence.to_string();
            "analysis.root_cause"
        }
    };
    lint_postmortem(&pm, config)
        .into_iter()
        .filter(|f| f.field == path)
        .collect()
}

/// Where [`lint_sentence`] puts the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentenceField {
    Summary,
    Timeline,
    RootCause,
}
