//! Measuring the language rules on a labelled set: precision and recall of
//! the `blame` and `action` families.
//!
//! The set is a tab-separated file: `family`, `label` (`+` a finding is
//! expected, `-` none), `where` and the text. Blame sentences go where the
//! `where` column says (`timeline`, `summary`, `root-cause`); action items
//! (`where` = `action`) are written `title` or `title | owner | due`, and
//! whatever is left out is filled with a named person and a date, so that
//! only what is given is judged. Lines starting with `#` are comments.

use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::{ActionItem, ContributingFactor, FactorCategory, Kind, Postmortem};

use crate::config::Config;
use crate::finding::Family;
use crate::{SentenceField, lint_postmortem, lint_sentence};

/// One labelled example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub family: Family,
    pub positive: bool,
    pub place: String,
    pub text: String,
    /// 1-based line in the labelled file.
    pub line: usize,
}

/// A line of the labelled file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LabelError {
    pub line: usize,
    pub message: String,
}

/// Reads a labelled file.
pub fn parse(text: &str) -> Result<Vec<Example>, LabelError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let error = |message: String| LabelError {
            line: line_no,
            message,
        };
        let cols: Vec<&str> = line.splitn(4, '\t').collect();
        let [family, label, place, text] = cols.as_slice() else {
            return Err(error(
                "expected 4 tab-separated columns: family, label, where, text".to_string(),
            ));
        };
        let family: Family = family
            .parse()
            .map_err(|()| error(format!("unknown family `{family}`")))?;
        let positive = match label.trim() {
            "+" => true,
            "-" => false,
            other => return Err(error(format!("label `{other}` is neither + nor -"))),
        };
        out.push(Example {
            family,
            positive,
            place: place.trim().to_string(),
            text: text.trim().to_string(),
            line: line_no,
        });
    }
    Ok(out)
}

/// Counts for one family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn total(&self) -> usize {
        self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The outcome of one example.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub example: Example,
    /// The rules of the example's family that fired.
    pub rules: Vec<&'static str>,
}

impl Outcome {
    pub fn correct(&self) -> bool {
        self.example.positive != self.rules.is_empty()
    }
}

/// Lints every example and counts, per family.
pub fn evaluate(examples: &[Example], config: &Config) -> (Vec<(Family, Counts)>, Vec<Outcome>) {
    let mut counts: Vec<(Family, Counts)> = Vec::new();
    let mut outcomes = Vec::new();
    for e in examples {
        let rules: Vec<&'static str> = findings(e, config);
        let fired = !rules.is_empty();
        let slot = match counts.iter().position(|(f, _)| *f == e.family) {
            Some(i) => &mut counts[i].1,
            None => {
                counts.push((e.family, Counts::default()));
                let last = counts.len() - 1;
                &mut counts[last].1
            }
        };
        match (e.positive, fired) {
            (true, true) => slot.true_positives += 1,
            (true, false) => slot.false_negatives += 1,
            (false, true) => slot.false_positives += 1,
            (false, false) => slot.true_negatives += 1,
        }
        outcomes.push(Outcome {
            example: e.clone(),
            rules,
        });
    }
    (counts, outcomes)
}

fn findings(e: &Example, config: &Config) -> Vec<&'static str> {
    let ids = |fs: Vec<crate::Finding>| {
        fs.into_iter()
            .filter(|f| f.family == e.family)
            .map(|f| f.rule)
            .collect()
    };
    if e.place == "action" {
        return ids(action_findings(&e.text, config));
    }
    let field = match e.place.as_str() {
        "timeline" => SentenceField::Timeline,
        "root-cause" | "root_cause" => SentenceField::RootCause,
        _ => SentenceField::Summary,
    };
    ids(lint_sentence(&e.text, field, config))
}

/// The findings about one action item written `title | owner | due`.
fn action_findings(text: &str, config: &Config) -> Vec<crate::Finding> {
    let mut parts = text.split('|').map(str::trim);
    let title = parts.next().unwrap_or_default();
    let owner = parts.next();
    let due = parts.next();
    let mut pm = Postmortem::new("Action check", Kind::Incident, DateTime::<Utc>::UNIX_EPOCH);
    pm.analysis.factors.push(ContributingFactor {
        id: "F1".to_string(),
        category: FactorCategory::ProcessGap,
        group: FactorCategory::ProcessGap.default_group(),
        text: "A gap in the process.".to_string(),
    });
    let mut action = ActionItem::new("A1", title);
    action.owner = match owner {
        None => Some("alex.morgan".to_string()),
        Some("") => None,
        Some(o) => Some(o.to_string()),
    };
    action.due = match due {
        None => NaiveDate::from_ymd_opt(2026, 6, 1),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").ok(),
    };
    if let Some(d) =
        due.filter(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() && !d.is_empty())
    {
        // A due "date" such as ASAP: judged like the Due column of a file.
        action.title = format!("{title} ({d})");
    }
    action.factor = Some("F1".to_string());
    pm.actions.push(action);
    lint_postmortem(&pm, config)
        .into_iter()
        .filter(|f| f.field.starts_with("actions[0]"))
        .collect()
}
