//! RCA completeness: whether a published postmortem passes the quality bar
//! of `hindsight-quality` (no lint error, rubric passed).

use chrono::NaiveDate;
use hindsight_core::Postmortem;
use hindsight_quality::rubric::{self, Rubric};
use hindsight_quality::{Config, Severity, lint_postmortem};

use crate::InsightError;

/// The lint configuration and rubric a postmortem is judged by.
#[derive(Debug, Clone)]
pub struct RcaCheck {
    config: Config,
    rubric: Rubric,
}

impl RcaCheck {
    pub fn new(config: Config, rubric: Rubric) -> Self {
        RcaCheck { config, rubric }
    }

    /// The default lint rules and the rubric that ships with Hindsight.
    pub fn standard() -> Result<Self, InsightError> {
        let rubric = Rubric::default_rubric().map_err(|e| InsightError::Rubric(e.to_string()))?;
        Ok(RcaCheck::new(Config::default(), rubric))
    }

    /// Complete: no lint finding at error severity and the rubric passed
    /// (average and per-severity floors). `today` dates overdue items.
    pub fn passes(&self, pm: &Postmortem, today: NaiveDate) -> bool {
        let findings = lint_postmortem(pm, &self.config);
        if findings.iter().any(|f| f.severity == Severity::Error) {
            return false;
        }
        rubric::score(pm, &findings, &self.rubric, today).passed
    }
}
