//! Writes the front matter: known keys in the order of `docs/format.md`,
//! then the kept unknown keys.

use super::front_matter::KEYS;
use super::time;
use super::yaml_out::{Out, to_yaml};
use crate::model::*;

/// The YAML between the `---` lines. `template` also writes the empty lists
/// an author is likely to fill in.
pub(super) fn write(pm: &Postmortem, template: bool) -> String {
    let mut entries = Vec::new();
    for key in KEYS {
        if let Some(value) = value(pm, key, template) {
            entries.push((key.to_string(), value));
        }
    }
    // A kept key never has a known name when it came from a file; one set by
    // hand would be written twice and make the file unreadable.
    for (key, value) in pm
        .extra_fields
        .iter()
        .filter(|(k, _)| !KEYS.contains(&k.as_str()))
    {
        entries.push((key.clone(), Out::Json(value)));
    }
    to_yaml(entries)
}

fn value<'a>(pm: &'a Postmortem, key: &str, template: bool) -> Option<Out<'a>> {
    let text = |t: &Option<String>| t.as_ref().map(Out::text);
    let list = |l: &[String]| (template || !l.is_empty()).then(|| Out::texts(l));
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| Out::text(time::write(t)));
    match key {
        "id" => Some(Out::text(pm.id.to_string())),
        "key" => text(&pm.key),
        "title" => Some(Out::text(pm.title.clone())),
        "kind" => Some(Out::text(pm.kind.as_str())),
        "severity" => pm.severity.map(|s| Out::text(s.as_str())),
        "status" => Some(Out::text(pm.status.as_str())),
        "visibility" => Some(Out::text(pm.visibility.as_str())),
        "restricted_to" => (!pm.restricted_to.is_empty()).then(|| Out::texts(&pm.restricted_to)),
        "services" => list(&pm.services),
        "tags" => list(&pm.tags),
        "owner" => text(&pm.owner),
        "authors" => list(&pm.authors),
        "reviewers" => list(&pm.reviewers),
        "version" => Some(Out::Int(pm.version)),
        "created_at" => at(Some(pm.created_at)),
        "updated_at" => at(Some(pm.updated_at)),
        "published_at" => at(pm.published_at),
        "closed_at" => at(pm.closed_at),
        "milestones" => (!pm.milestones.is_empty()).then(|| milestones(&pm.milestones)),
        "impact" => (!pm.impact.numbers_are_empty()).then(|| impact(&pm.impact)),
        "release" => pm.release.as_ref().map(release),
        "reviews" => (!pm.reviews.is_empty()).then(|| reviews(&pm.reviews)),
        _ => None,
    }
}

fn milestones(m: &Milestones) -> Out<'static> {
    Out::Map(
        Milestone::ALL
            .iter()
            .filter_map(|k| Some((k.to_string(), Out::text(time::write(m.get(*k)?)))))
            .collect(),
    )
}

fn impact(i: &Impact) -> Out<'static> {
    let entries = [
        ("users_affected", i.users_affected.map(Out::Whole)),
        ("users_percent", i.users_percent.map(Out::Number)),
        ("revenue", i.revenue.map(Out::Number)),
        ("currency", i.currency.clone().map(Out::Text)),
        ("sla_breached", i.sla_breached.map(Out::Bool)),
        (
            "error_budget_consumed",
            i.error_budget_consumed.map(Out::Number),
        ),
        ("tickets", i.tickets.map(Out::Whole)),
        ("escalations", i.escalations.map(Out::Whole)),
    ];
    map(entries)
}

fn release(r: &ReleaseRecord) -> Out<'static> {
    let steps = r
        .canary_steps
        .iter()
        .map(|s| Out::Whole(u64::from(*s)))
        .collect();
    let entries = [
        ("deploy_id", r.deploy_id.clone().map(Out::Text)),
        ("artifact", r.artifact.clone().map(Out::Text)),
        ("version", r.version.clone().map(Out::Text)),
        ("environment", r.environment.clone().map(Out::Text)),
        (
            "rolled_back_at",
            r.rolled_back_at.map(|t| Out::text(time::write(t))),
        ),
        (
            "canary_steps",
            (!r.canary_steps.is_empty()).then_some(Out::Flow(steps)),
        ),
    ];
    map(entries)
}

fn reviews(reviews: &[Review]) -> Out<'static> {
    Out::Block(
        reviews
            .iter()
            .map(|r| {
                map([
                    ("reviewer", Some(Out::text(r.reviewer.clone()))),
                    ("verdict", Some(Out::text(r.verdict.as_str()))),
                    ("at", Some(Out::text(time::write(r.at)))),
                    (
                        "comment",
                        (!r.comment.is_empty()).then(|| Out::text(r.comment.clone())),
                    ),
                    ("section", r.section.clone().map(Out::text)),
                ])
            })
            .collect(),
    )
}

fn map<const N: usize>(entries: [(&str, Option<Out<'static>>); N]) -> Out<'static> {
    Out::Map(
        entries
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?)))
            .collect(),
    )
}
