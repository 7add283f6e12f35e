//! The rubric score: weighted criteria scored 1-5, each with the evidence
//! that produced it, a pass threshold and per-severity floors.
//!
//! The rubric is data ([`Rubric::parse`] of a TOML file; the default ships
//! in `data/rubric.toml`). Criteria are built from signals over a fixed set
//! of facts about the postmortem ([`FACTS`]), so a team can reweight,
//! rename, drop or add criteria and change every threshold without code.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hindsight_core::{ActionStatus, ControlLevel, Postmortem, Severity as Sev};
use serde::{Deserialize, Serialize};

use crate::finding::{Family, Finding};

/// The rubric that ships with Hindsight.
pub const DEFAULT: &str = include_str!("../data/rubric.toml");

/// Every fact a signal can read, with what it means.
pub const FACTS: &[(&str, &str)] = &[
    ("timeline_events", "number of timeline events"),
    (
        "milestones",
        "number of the 5 incident milestones that are set",
    ),
    (
        "detection_milestone",
        "1 when the detected milestone is set",
    ),
    ("duration_known", "1 when both started and resolved are set"),
    ("timeline_findings", "number of timeline/* findings"),
    (
        "impact_numbers",
        "number of numeric impact fields set (users, percent, revenue, budget, tickets, escalations)",
    ),
    ("impact_text_words", "words in the Impact section"),
    ("impact_findings", "number of impact/* findings"),
    ("root_cause_words", "words in the root cause"),
    ("whys", "number of five-whys steps"),
    ("factors", "number of contributing factors"),
    ("factor_categories", "number of distinct factor categories"),
    ("root_cause_findings", "number of root-cause/* findings"),
    ("actions", "number of action items (not won't-do)"),
    (
        "actions_owned",
        "fraction of open items with one named owner (1 when there are none)",
    ),
    (
        "actions_dated",
        "fraction of open items with a due date (1 when there are none)",
    ),
    (
        "actions_linked",
        "fraction of items linked to an existing factor",
    ),
    (
        "strong_controls",
        "number of items with an eliminate, substitute or engineering control",
    ),
    ("vague_actions", "number of action/vague findings"),
    ("blame_findings", "number of blame/* findings"),
    (
        "person_in_root_cause",
        "number of blame/person-in-root-cause findings",
    ),
    (
        "days_to_publish",
        "days from resolution to publication (to today when not published)",
    ),
    (
        "actions_closed",
        "fraction of action items done, verified or won't-do with a reason",
    ),
    (
        "overdue_actions",
        "number of unfinished items past their due date",
    ),
    (
        "lesson_lists",
        "how many of went well, went wrong, got lucky have an entry",
    ),
    ("detection_words", "words in the Detection section"),
    ("response_words", "words in the Response section"),
    (
        "missing_sections",
        "number of structure/missing-section and structure/no-action-items findings",
    ),
    ("free_form", "1 for a free-form write-up"),
    ("secret_findings", "number of secret/* findings"),
];

/// A rubric file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RubricError {
    #[error("invalid rubric: {0}")]
    Toml(String),
    #[error("criterion `{criterion}` reads unknown fact `{fact}`; known facts: {known}")]
    UnknownFact {
        criterion: String,
        fact: String,
        known: String,
    },
    #[error("criterion `{0}` needs a positive weight")]
    Weight(String),
    #[error("the rubric has no criteria")]
    Empty,
    #[error("unknown severity `{0}` under [floors]; expected SEV1..SEV4")]
    Severity(String),
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub name: String,
    pub pass_threshold: f64,
    /// Minimum score of every criterion, by severity (`SEV1 = 4`).
    #[serde(default)]
    pub floors: BTreeMap<String, u8>,
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub weight: f64,
    #[serde(default)]
    pub description: String,
    pub base: f64,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Signal {
    pub fact: String,
    pub at_least: Option<f64>,
    pub at_most: Option<f64>,
    pub points: f64,
    pub label: String,
}

impl Rubric {
    /// Reads and checks a rubric file.
    pub fn parse(text: &str) -> Result<Rubric, RubricError> {
        let rubric: Rubric = toml::from_str(text)
            .map_err(|e| RubricError::Toml(e.to_string().trim_end().to_string()))?;
        if rubric.criteria.is_empty() {
            return Err(RubricError::Empty);
        }
        for c in &rubric.criteria {
            if c.weight.is_nan() || c.weight <= 0.0 {
                return Err(RubricError::Weight(c.id.clone()));
            }
            if let Some(s) = c
                .signals
                .iter()
                .find(|s| !FACTS.iter().any(|(f, _)| *f == s.fact))
            {
                return Err(RubricError::UnknownFact {
                    criterion: c.id.clone(),
                    fact: s.fact.clone(),
                    known: FACTS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "),
                });
            }
        }
        if let Some(bad) = rubric.floors.keys().find(|k| k.parse::<Sev>().is_err()) {
            return Err(RubricError::Severity(bad.clone()));
        }
        Ok(rubric)
    }

    /// The rubric that ships with Hindsight.
    pub fn default_rubric() -> Result<Rubric, RubricError> {
        Rubric::parse(DEFAULT)
    }
}

/// One signal's outcome: the evidence behind a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub label: String,
    pub fact: String,
    /// `None` when the fact cannot be known.
    pub value: Option<f64>,
    pub held: bool,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionScore {
    pub id: String,
    pub name: String,
    pub weight: f64,
    /// 1 to 5.
    pub score: u8,
    pub evidence: Vec<Evidence>,
}

/// The score of one postmortem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub rubric: String,
    pub criteria: Vec<CriterionScore>,
    pub weighted_average: f64,
    pub pass_threshold: f64,
    /// The floor for the postmortem's severity, if the rubric has one.
    pub floor: Option<u8>,
    pub passed: bool,
    /// Why it did not pass.
    pub failures: Vec<String>,
}

/// Scores `pm` with `rubric`, given its lint findings; `today` dates overdue items and lag.
pub fn score(
    pm: &Postmortem,
    findings: &[Finding],
    rubric: &Rubric,
    today: NaiveDate,
) -> Scorecard {
    let facts = facts(pm, findings, today);
    let criteria: Vec<CriterionScore> = rubric
        .criteria
        .iter()
        .map(|c| {
            let evidence: Vec<Evidence> = c
                .signals
                .iter()
                .map(|s| {
                    let value = facts.get(s.fact.as_str()).copied().flatten();
                    let held = value.is_some_and(|v| {
                        s.at_least.is_none_or(|min| v >= min)
                            && s.at_most.is_none_or(|max| v <= max)
                    });
                    Evidence {
                        label: s.label.clone(),
                        fact: s.fact.clone(),
                        value,
                        held,
                        points: s.points,
                    }
                })
                .collect();
            let raw = c.base
                + evidence
                    .iter()
                    .filter(|e| e.held)
                    .map(|e| e.points)
                    .sum::<f64>();
            CriterionScore {
                id: c.id.clone(),
                name: c.name.clone(),
                weight: c.weight,
                score: raw.round().clamp(1.0, 5.0) as u8,
                evidence,
            }
        })
        .collect();
    let total_weight: f64 = criteria.iter().map(|c| c.weight).sum();
    let weighted_average = if total_weight > 0.0 {
        criteria
            .iter()
            .map(|c| c.weight * f64::from(c.score))
            .sum::<f64>()
            / total_weight
    } else {
        0.0
    };
    let floor = pm.severity.and_then(|s| {
        rubric
            .floors
            .iter()
            .find(|(k, _)| k.parse::<Sev>().ok() == Some(s))
            .map(|(_, v)| *v)
    });
    let mut failures = Vec::new();
    if weighted_average < rubric.pass_threshold {
        failures.push(format!(
            "weighted average {weighted_average:.2} is below {:.2}",
            rubric.pass_threshold
        ));
    }
    if let (Some(floor), Some(sev)) = (floor, pm.severity) {
        for c in criteria.iter().filter(|c| c.score < floor) {
            failures.push(format!(
                "{} scores {} but a {sev} postmortem needs at least {floor} on every criterion",
                c.name, c.score
            ));
        }
    }
    Scorecard {
        rubric: rubric.name.clone(),
        passed: failures.is_empty(),
        criteria,
        weighted_average,
        pass_threshold: rubric.pass_threshold,
        floor,
        failures,
    }
}

fn words(text: &str) -> f64 {
    text.split_whitespace().count() as f64
}

fn fraction(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The value of every fact (`None` when it cannot be known).
fn facts(
    pm: &Postmortem,
    findings: &[Finding],
    today: NaiveDate,
) -> BTreeMap<&'static str, Option<f64>> {
    let count =
        |pred: &dyn Fn(&Finding) -> bool| findings.iter().filter(|f| pred(f)).count() as f64;
    let family = |fam: Family| count(&|f: &Finding| f.family == fam);
    let rule = |id: &'static str| count(&move |f: &Finding| f.rule == id);
    let m = &pm.milestones;
    let i = &pm.impact;
    let live: Vec<_> = pm
        .actions
        .iter()
        .filter(|a| a.status != ActionStatus::WontDo)
        .collect();
    let open: Vec<_> = live.iter().filter(|a| !a.status.is_finished()).collect();
    let owned = open
        .iter()
        .filter(|a| a.owner.as_deref().is_some_and(crate::rules::single_owner))
        .count();
    let mut categories: Vec<_> = pm.analysis.factors.iter().map(|f| f.category).collect();
    categories.sort();
    categories.dedup();
    let l = &pm.analysis.lessons;
    let resolved = m.resolved.map(|r| r.date_naive());
    let published = pm.published_at.map(|p| p.date_naive()).or(Some(today));
    let numbers = [
        i.users_affected.is_some(),
        i.users_percent.is_some(),
        i.revenue.is_some(),
        i.error_budget_consumed.is_some(),
        i.tickets.is_some(),
        i.escalations.is_some(),
    ];
    let b = |v: bool| if v { 1.0 } else { 0.0 };
    BTreeMap::from([
        ("timeline_events", Some(pm.timeline.len() as f64)),
        (
            "milestones",
            Some(
                hindsight_core::Milestone::ALL
                    .iter()
                    .filter(|x| m.get(**x).is_some())
                    .count() as f64,
            ),
        ),
        ("detection_milestone", Some(b(m.detected.is_some()))),
        (
            "duration_known",
            Some(b(m.started.is_some() && m.resolved.is_some())),
        ),
        ("timeline_findings", Some(family(Family::Timeline))),
        (
            "impact_numbers",
            Some(numbers.iter().filter(|x| **x).count() as f64),
        ),
        ("impact_text_words", Some(words(&i.text))),
        ("impact_findings", Some(family(Family::Impact))),
        ("root_cause_words", Some(words(&pm.analysis.root_cause))),
        ("whys", Some(pm.analysis.five_whys.len() as f64)),
        ("factors", Some(pm.analysis.factors.len() as f64)),
        ("factor_categories", Some(categories.len() as f64)),
        ("root_cause_findings", Some(family(Family::RootCause))),
        ("actions", Some(live.len() as f64)),
        ("actions_owned", Some(fraction(owned, open.len()))),
        (
            "actions_dated",
            Some(fraction(
                open.iter().filter(|a| a.due.is_some()).count(),
                open.len(),
            )),
        ),
        (
            "actions_linked",
            Some(fraction(
                live.iter()
                    .filter(|a| a.factor.as_deref().is_some_and(|f| pm.factor(f).is_some()))
                    .count(),
                live.len(),
            )),
        ),
        (
            "strong_controls",
            Some(
                live.iter()
                    .filter(|a| {
                        matches!(
                            a.control,
                            Some(
                                ControlLevel::Eliminate
                                    | ControlLevel::Substitute
                                    | ControlLevel::Engineering
                            )
                        )
                    })
                    .count() as f64,
            ),
        ),
        ("vague_actions", Some(rule("action/vague"))),
        ("blame_findings", Some(family(Family::Blame))),
        (
            "person_in_root_cause",
            Some(rule("blame/person-in-root-cause")),
        ),
        (
            "days_to_publish",
            resolved
                .zip(published)
                .map(|(r, p)| (p - r).num_days() as f64),
        ),
        (
            "actions_closed",
            Some(fraction(
                pm.actions.iter().filter(|a| a.is_closed_out()).count(),
                pm.actions.len(),
            )),
        ),
        (
            "overdue_actions",
            Some(pm.overdue_actions(today).count() as f64),
        ),
        (
            "lesson_lists",
            Some(
                [
                    !l.went_well.is_empty(),
                    !l.went_wrong.is_empty(),
                    !l.got_lucky.is_empty(),
                ]
                .iter()
                .filter(|x| **x)
                .count() as f64,
            ),
        ),
        ("detection_words", Some(words(&pm.analysis.detection))),
        ("response_words", Some(words(&pm.analysis.response))),
        (
            "missing_sections",
            Some(rule("structure/missing-section") + rule("structure/no-action-items")),
        ),
        ("free_form", Some(rule("structure/free-form"))),
        ("secret_findings", Some(family(Family::Secret))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rubric_reads_only_known_facts() {
        let rubric = Rubric::default_rubric().unwrap();
        assert_eq!(rubric.criteria.len(), 8);
        for c in &rubric.criteria {
            for s in &c.signals {
                assert!(FACTS.iter().any(|(f, _)| *f == s.fact), "{}", s.fact);
            }
        }
    }

    #[test]
    fn a_replaced_rubric_is_checked() {
        let bad = DEFAULT.replace("fact = \"whys\"", "fact = \"whyz\"");
        assert!(matches!(
            Rubric::parse(&bad),
            Err(RubricError::UnknownFact { .. })
        ));
        let one = "name = \"x\"\npass_threshold = 2.0\n[[criteria]]\nid = \"a\"\nname = \"A\"\nweight = 1\nbase = 3\nsignals = []\n";
        let r = Rubric::parse(one).unwrap();
        let pm = Postmortem::new(
            "t",
            hindsight_core::Kind::Incident,
            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        );
        let card = score(&pm, &[], &r, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(card.criteria[0].score, 3);
        assert!(card.passed);
    }
}
