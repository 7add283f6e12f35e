//! Maps the front matter's keys onto a [`Postmortem`]; keys the format does
//! not know are kept in `extra_fields`.

use std::ops::Range;

use chrono::{DateTime, Utc};

use super::fields::{Field, Fields};
use super::free_form;
use super::source::Source;
use super::yaml::Yaml;
use super::{Given, ParseError};
use crate::model::*;

/// What the front matter gave.
pub(super) struct FrontMatter {
    /// Every front-matter field filled in; title and sections still empty.
    pub postmortem: Postmortem,
    pub given: Given,
    pub title: Option<String>,
    /// A free-form file's `summary`, to put before the body.
    pub summary_lead: Option<String>,
    /// A free-form file's title made from its company, product and date.
    pub fallback_title: Option<String>,
}

/// The keys, in the order they are written.
pub(super) const KEYS: &[&str] = &[
    "id",
    "key",
    "title",
    "kind",
    "severity",
    "status",
    "visibility",
    "restricted_to",
    "services",
    "tags",
    "owner",
    "authors",
    "reviewers",
    "version",
    "created_at",
    "updated_at",
    "published_at",
    "closed_at",
    "milestones",
    "impact",
    "release",
    "reviews",
];

pub(super) fn read(
    src: &Source,
    range: Option<Range<usize>>,
    free_form: bool,
    now: DateTime<Utc>,
) -> Result<FrontMatter, ParseError> {
    let yaml = match range {
        Some(range) => Some(Yaml::parse(
            src.slice(range.clone()),
            src.line(range.start),
        )?),
        None => None,
    };
    let mut fields = match &yaml {
        Some(yaml) => Fields::new(yaml)?,
        None => Fields::empty(),
    };
    let mut pm = Postmortem::new(String::new(), Kind::Incident, now);
    let mut given = Given::default();
    let mut title = None;
    for key in KEYS {
        if let Some(field) = fields.take(key) {
            read_key(&field, &mut pm, &mut given, &mut title)?;
        }
    }
    let lead = if free_form {
        free_form::read(&mut fields, &mut pm, &mut given)?
    } else {
        free_form::Lead::default()
    };
    pm.extra_fields = fields.into_json();
    Ok(FrontMatter {
        postmortem: pm,
        given,
        title,
        summary_lead: lead.summary,
        fallback_title: lead.title,
    })
}

fn read_key(
    field: &Field,
    pm: &mut Postmortem,
    given: &mut Given,
    title: &mut Option<String>,
) -> Result<(), ParseError> {
    match field.path.as_str() {
        "id" => {
            if let Some(id) = field.uuid()? {
                pm.id = id;
                given.id = true;
            }
        }
        "key" => {
            pm.key = field.text()?.map(|k| k.trim().to_string());
            given.key = pm.key.is_some();
        }
        "title" => *title = field.text()?.map(|t| t.trim().to_string()),
        "kind" => pm.kind = field.word()?.unwrap_or(pm.kind),
        "severity" => pm.severity = field.word()?,
        "status" => pm.status = field.word()?.unwrap_or(pm.status),
        "visibility" => pm.visibility = field.word()?.unwrap_or(pm.visibility),
        "restricted_to" => pm.restricted_to = field.texts()?,
        "services" => pm.services = field.texts()?,
        "tags" => pm.tags = field.texts()?,
        "owner" => pm.owner = field.text()?,
        "authors" => pm.authors = field.texts()?,
        "reviewers" => pm.reviewers = field.texts()?,
        "version" => {
            if let Some(version) = field.whole()? {
                pm.version =
                    i64::try_from(version).map_err(|_| field.error("`version` is too large"))?;
                given.version = true;
            }
        }
        "created_at" => {
            if let Some(at) = field.time()? {
                pm.created_at = at;
                given.created_at = true;
            }
        }
        "updated_at" => {
            if let Some(at) = field.time()? {
                pm.updated_at = at;
                given.updated_at = true;
            }
        }
        "published_at" => pm.published_at = field.time()?,
        "closed_at" => pm.closed_at = field.time()?,
        "milestones" => read_milestones(field, &mut pm.milestones)?,
        "impact" => read_impact(field, &mut pm.impact)?,
        "release" => pm.release = Some(read_release(field)?),
        "reviews" => {
            pm.reviews = field
                .items()?
                .iter()
                .map(read_review)
                .collect::<Result<_, _>>()?;
        }
        _ => {}
    }
    Ok(())
}

fn read_milestones(field: &Field, milestones: &mut Milestones) -> Result<(), ParseError> {
    for (key, value) in field.entries()? {
        let milestone: Milestone = key
            .parse()
            .map_err(|e: UnknownWord| value.error(e.to_string()))?;
        milestones.set(milestone, value.time()?);
    }
    Ok(())
}

const IMPACT_KEYS: &[&str] = &[
    "users_affected",
    "users_percent",
    "revenue",
    "currency",
    "sla_breached",
    "error_budget_consumed",
    "tickets",
    "escalations",
];

fn read_impact(field: &Field, impact: &mut Impact) -> Result<(), ParseError> {
    for (key, value) in field.entries()? {
        match key.as_str() {
            "users_affected" => impact.users_affected = value.whole()?,
            "users_percent" => impact.users_percent = in_range(&value, 0.0, 100.0)?,
            "revenue" => impact.revenue = in_range(&value, 0.0, f64::MAX)?,
            "currency" => impact.currency = value.text()?,
            "sla_breached" => impact.sla_breached = value.flag()?,
            "error_budget_consumed" => {
                impact.error_budget_consumed = in_range(&value, 0.0, f64::MAX)?;
            }
            "tickets" => impact.tickets = value.whole()?,
            "escalations" => impact.escalations = value.whole()?,
            _ => return Err(field.unknown_key(&key, IMPACT_KEYS)),
        }
    }
    Ok(())
}

fn in_range(field: &Field, low: f64, high: f64) -> Result<Option<f64>, ParseError> {
    match field.number()? {
        Some(n) if n < low || n > high => Err(field.error(if high == f64::MAX {
            format!("`{}` must be {low} or more, not {n}", field.path)
        } else {
            format!("`{}` must be between {low} and {high}, not {n}", field.path)
        })),
        n => Ok(n),
    }
}

const RELEASE_KEYS: &[&str] = &[
    "deploy_id",
    "artifact",
    "version",
    "environment",
    "rolled_back_at",
    "canary_steps",
];

fn read_release(field: &Field) -> Result<ReleaseRecord, ParseError> {
    let mut release = ReleaseRecord::default();
    for (key, value) in field.entries()? {
        match key.as_str() {
            "deploy_id" => release.deploy_id = value.text()?,
            "artifact" => release.artifact = value.text()?,
            "version" => release.version = value.text()?,
            "environment" => release.environment = value.text()?,
            "rolled_back_at" => release.rolled_back_at = value.time()?,
            "canary_steps" => {
                for step in value.items()? {
                    let percent = step.whole()?.and_then(|p| u32::try_from(p).ok());
                    match percent {
                        Some(p) if p <= 100 => release.canary_steps.push(p),
                        None if step.is_null() => {}
                        _ => {
                            return Err(step.error(
                                "`release.canary_steps` must be percentages from 0 to 100",
                            ));
                        }
                    }
                }
            }
            _ => return Err(field.unknown_key(&key, RELEASE_KEYS)),
        }
    }
    Ok(release)
}

const REVIEW_KEYS: &[&str] = &["reviewer", "verdict", "at", "comment", "section"];

fn read_review(field: &Field) -> Result<Review, ParseError> {
    let (mut reviewer, mut verdict, mut at, mut comment) = (None, None, None, String::new());
    let mut section = None;
    for (key, value) in field.entries()? {
        match key.as_str() {
            "reviewer" => reviewer = value.text()?,
            "verdict" => verdict = value.word()?,
            "at" => at = value.time()?,
            "comment" => comment = value.text()?.unwrap_or_default(),
            "section" => section = value.text()?,
            _ => return Err(field.unknown_key(&key, REVIEW_KEYS)),
        }
    }
    let missing = |what: &str| field.error(format!("a review needs `{what}`"));
    Ok(Review {
        reviewer: reviewer.ok_or_else(|| missing("reviewer"))?,
        verdict: verdict.ok_or_else(|| missing("verdict"))?,
        at: at.ok_or_else(|| missing("at"))?,
        comment,
        section,
    })
}
