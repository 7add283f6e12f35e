//! `.hindsight.toml`: which rules run at which severity, team phrases and
//! allowed terms, thresholds, secret allowlists and redaction patterns.
//!
//! Parsed from a string (the caller finds and reads the file). Unknown keys
//! are errors, so a typo never silently turns a setting off.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use crate::finding::{Family, Rule, Severity};
use crate::rules;
use crate::secrets::SecretPolicy;

/// A configuration that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Toml(String),
    #[error(
        "unknown rule or family `{0}` under [rules]; run `hindsight lint --help` or see docs/quality.md for the rule ids"
    )]
    UnknownRule(String),
    #[error("invalid level `{level}` for `{rule}`: expected off, note, warning or error")]
    Level { rule: String, level: String },
    #[error("invalid regular expression in {setting}: {message}")]
    Regex { setting: String, message: String },
}

/// A rule's level in the configuration: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

fn level(rule: &str, text: &str) -> Result<Level, ConfigError> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "off" | "allow" | "none" => Level::Off,
        "note" | "info" => Level::On(Severity::Note),
        "warning" | "warn" => Level::On(Severity::Warning),
        "error" | "deny" => Level::On(Severity::Error),
        _ => {
            return Err(ConfigError::Level {
                rule: rule.to_string(),
                level: text.to_string(),
            });
        }
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    terms: Terms,
    #[serde(default)]
    thresholds: Thresholds,
    #[serde(default)]
    secret: SecretFile,
    #[serde(default)]
    redact: RedactFile,
    #[serde(default)]
    rubric: RubricFile,
}

/// Team-specific words.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Terms never reported by the language rules (a product called "Sloppy").
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Extra blameful phrases: findings of `blame/team-phrase`.
    #[serde(default)]
    pub blame: Vec<String>,
    /// Extra vague action phrases: findings of `action/vague`.
    #[serde(default)]
    pub vague: Vec<String>,
    /// People to recognise besides the postmortem's own.
    #[serde(default)]
    pub people: Vec<String>,
    /// Owners that are groups, not one person (besides team, we, TBD, ...).
    #[serde(default)]
    pub group_owners: Vec<String>,
}

/// Numbers the rules compare against.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// More open action items than this is `action/too-many`.
    pub max_action_items: usize,
    /// A quiet stretch longer than this during the incident is `timeline/gap`.
    pub max_gap_minutes: i64,
    /// Fewer whys than this is `root-cause/shallow-whys`.
    pub min_whys: usize,
    /// Entropy (bits per character) a `password=...` value needs to be a secret.
    pub min_secret_entropy: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_action_items: 10,
            max_gap_minutes: 60,
            min_whys: 3,
            min_secret_entropy: 3.0,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    /// Regular expressions of values that are not secrets (test keys).
    #[serde(default)]
    allow: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactFile {
    #[serde(default = "yes")]
    emails: bool,
    #[serde(default)]
    patterns: Vec<PatternFile>,
}

impl Default for RedactFile {
    fn default() -> Self {
        RedactFile {
            emails: true,
            patterns: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    name: String,
    regex: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RubricFile {
    file: Option<String>,
}

/// A named pattern removed by redaction.
#[derive(Debug, Clone)]
pub struct RedactPattern {
    pub name: String,
    pub regex: Regex,
}

/// A checked configuration, ready to use.
#[derive(Debug, Clone)]
pub struct Config {
    /// Levels by rule id or family name.
    levels: BTreeMap<String, Level>,
    pub terms: Terms,
    pub thresholds: Thresholds,
    pub secrets: SecretPolicy,
    /// Remove email addresses from public exports.
    pub redact_emails: bool,
    pub redact_patterns: Vec<RedactPattern>,
    /// A replacement rubric, relative to the configuration file.
    pub rubric_file: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            levels: BTreeMap::new(),
            terms: Terms::default(),
            thresholds: Thresholds::default(),
            secrets: SecretPolicy::default(),
            redact_emails: true,
            redact_patterns: Vec::new(),
            rubric_file: None,
        }
    }
}

impl Config {
    /// Reads a `.hindsight.toml`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text)
            .map_err(|e| ConfigError::Toml(e.to_string().trim_end().to_string()))?;
        let mut levels = BTreeMap::new();
        for (key, value) in &file.rules {
            let known = rules::ALL.iter().any(|r| r.id == key) || key.parse::<Family>().is_ok();
            if !known {
                return Err(ConfigError::UnknownRule(key.clone()));
            }
            levels.insert(key.clone(), level(key, value)?);
        }
        let allow = file
            .secret
            .allow
            .iter()
            .map(|p| compile("[secret] allow", p))
            .collect::<Result<_, _>>()?;
        let redact_patterns = file
            .redact
            .patterns
            .iter()
            .map(|p| {
                Ok(RedactPattern {
                    name: p.name.clone(),
                    regex: compile(&format!("[[redact.patterns]] `{}`", p.name), &p.regex)?,
                })
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Config {
            levels,
            terms: file.terms,
            thresholds: file.thresholds,
            secrets: SecretPolicy {
                allow,
                min_entropy: file.thresholds.min_secret_entropy,
            },
            redact_emails: file.redact.emails,
            redact_patterns,
            rubric_file: file.rubric.file,
        })
    }

    /// The severity a rule reports at, or `None` when it is off. A rule's own
    /// setting wins over its family's.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        let level = self
            .levels
            .get(rule.id)
            .or_else(|| self.levels.get(rule.family.as_str()))
            .copied()
            .unwrap_or(Level::On(rule.severity));
        match level {
            Level::Off => None,
            Level::On(s) => Some(s),
        }
    }
}

fn compile(setting: &str, pattern: &str) -> Result<Regex, ConfigError> {
    Regex::new(pattern).map_err(|e| ConfigError::Regex {
        setting: setting.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_thresholds_and_terms_are_read() {
        let config = Config::parse(
            r#"
            [rules]
            "blame/animated-language" = "off"
            action = "warning"
            "action/no-owner" = "error"
            [terms]
            blame = ["dropped the ball"]
            [thresholds]
            max_gap_minutes = 30
            [redact]
            patterns = [{ name = "host", regex = '\bcorp\.example\b' }]
            "#,
        )
        .unwrap();
        let rule = |id: &str| rules::ALL.iter().find(|r| r.id == id).unwrap();
        assert_eq!(config.severity(rule("blame/animated-language")), None);
        assert_eq!(
            config.severity(rule("action/vague")),
            Some(Severity::Warning)
        );
        assert_eq!(
            config.severity(rule("action/no-owner")),
            Some(Severity::Error)
        );
        assert_eq!(config.thresholds.max_gap_minutes, 30);
        assert_eq!(config.thresholds.min_whys, 3);
        assert_eq!(config.terms.blame, ["dropped the ball"]);
        assert_eq!(config.redact_patterns.len(), 1);
    }

    #[test]
    fn mistakes_are_errors_that_say_what() {
        let err = |t: &str| Config::parse(t).unwrap_err().to_string();
        assert!(err("[rules]\n\"blame/nope\" = \"off\"").contains("blame/nope"));
        assert!(err("[rules]\nblame = \"loud\"").contains("loud"));
        assert!(err("[thresholds]\nmax_gap = 3").contains("max_gap"));
        assert!(
            err("[redact]\npatterns = [{ name = \"x\", regex = \"(\" }]")
                .contains("regular expression")
        );
    }
}
