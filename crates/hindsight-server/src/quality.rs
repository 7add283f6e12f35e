//! The quality engine as the server uses it: lint findings and the rubric
//! score of a postmortem, and its redacted public copy.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hindsight_core::Postmortem;
use hindsight_quality::redact::{RedactError, Redaction, Redactor};
use hindsight_quality::rubric::{Rubric, Scorecard};
use hindsight_quality::{Config, Finding, lint_postmortem};
use serde::Serialize;

/// Why the quality settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Lint rules, rubric and redaction, configured once at start.
#[derive(Debug)]
pub struct Quality {
    config: Config,
    rubric: Rubric,
    redactor: Redactor,
}

/// A postmortem's lint findings and score.
#[derive(Debug, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub score: Scorecard,
}

fn read(path: &Path) -> Result<String, QualityError> {
    std::fs::read_to_string(path).map_err(|source| QualityError::Read {
        path: path.to_path_buf(),
        source,
    })
}

impl Quality {
    /// The settings of a quality config file (`.hindsight.toml`, with its
    /// `rubric_file` relative to it), or the defaults.
    pub fn load(path: Option<&Path>) -> Result<Quality, QualityError> {
        let invalid = |path: &Path, message: String| QualityError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let config = match path {
            Some(p) => Config::parse(&read(p)?).map_err(|e| invalid(p, e.to_string()))?,
            None => Config::default(),
        };
        let rubric = match (&config.rubric_file, path) {
            (Some(file), Some(p)) => {
                let rubric_path = p.parent().unwrap_or(Path::new(".")).join(file);
                Rubric::parse(&read(&rubric_path)?)
                    .map_err(|e| invalid(&rubric_path, e.to_string()))?
            }
            _ => Rubric::default_rubric()
                .map_err(|e| invalid(Path::new("the built-in rubric"), e.to_string()))?,
        };
        Ok(Quality {
            redactor: Redactor::new(&config),
            config,
            rubric,
        })
    }

    pub fn report(&self, pm: &Postmortem, today: NaiveDate) -> Report {
        let findings = lint_postmortem(pm, &self.config);
        let score = hindsight_quality::rubric::score(pm, &findings, &self.rubric, today);
        Report { findings, score }
    }

    /// Whether `pm` meets the quality bar (RCA completeness in
    /// `docs/insight.md`): no lint finding at error severity and the rubric
    /// passed, with this server's lint settings and rubric.
    pub fn rca_passes(&self, pm: &Postmortem, today: NaiveDate) -> bool {
        let findings = lint_postmortem(pm, &self.config);
        if findings
            .iter()
            .any(|f| f.severity == hindsight_quality::Severity::Error)
        {
            return false;
        }
        hindsight_quality::rubric::score(pm, &findings, &self.rubric, today).passed
    }

    /// The copy of `pm` fit for publishing, and what was removed where.
    pub fn public(&self, pm: &Postmortem) -> Result<(Postmortem, Vec<Redaction>), RedactError> {
        self.redactor.redact_postmortem(pm)
    }
}
