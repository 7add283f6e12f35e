//! `timeline/*`: times without a zone, events out of order, unexplained
//! quiet stretches, no detection milestone, milestones out of order.

use std::sync::LazyLock;

use hindsight_core::{Milestone, Status};
use regex::Regex;
use serde_json::Value;

use super::Ctx;
use crate::fields::Role;
use crate::finding::{Family, Rule, Severity};
use crate::text::clock;
use crate::text::tokens::Kind;

pub const NO_TIMEZONE: Rule = Rule {
    id: "timeline/no-timezone",
    family: Family::Timeline,
    severity: Severity::Error,
    summary: "A time without a timezone: nobody can tell which 14:32 it was",
    example: "At 14:32 the error rate doubled.",
};
pub const OUT_OF_ORDER: Rule = Rule {
    id: "timeline/out-of-order",
    family: Family::Timeline,
    severity: Severity::Error,
    summary: "A timeline event is earlier than the event before it",
    example: "| 10:14 | Alert fires |\n| 10:02 | Deploy starts |",
};
pub const GAP: Rule = Rule {
    id: "timeline/gap",
    family: Family::Timeline,
    severity: Severity::Warning,
    summary: "An unexplained quiet stretch during the incident (default over 60 minutes)",
    example: "| 10:14 | Alert fires |\n| 11:40 | Rollback starts |",
};
pub const NO_DETECTION: Rule = Rule {
    id: "timeline/no-detection",
    family: Family::Timeline,
    severity: Severity::Warning,
    summary: "No detection milestone, so time to detect cannot be known",
    example: "a timeline with no event tagged `detected` and no `milestones.detected`",
};
pub const MILESTONE_ORDER: Rule = Rule {
    id: "timeline/milestone-order",
    family: Family::Timeline,
    severity: Severity::Error,
    summary: "Milestones out of order (started, detected, acknowledged, mitigated, resolved)",
    example: "milestones: { detected: 10:14, started: 10:20 }",
};

/// Events that say why nothing happened for a while.
static EXPLAINED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:wait|waited|waiting|monitor|monitored|monitoring|watch|watched|watching|observ\w*|soak\w*|stable|no change|no further|quiet|overnight|paused|pause|holding|held|queued|pending|await\w*|backfill\w*|restor\w*|rebuild\w*|reindex\w*|replay\w*|drain\w*|until)\b")
        .unwrap_or_else(|e| unreachable!("explained pattern: {e}"))
});

/// A front-matter text that is a date and time with no zone.
static ZONELESS_STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
        .unwrap_or_else(|e| unreachable!("timestamp pattern: {e}"))
});

pub fn check(ctx: &mut Ctx) {
    prose_times(ctx);
    stamps(ctx);
    order_and_gaps(ctx);
    milestones(ctx);
}

/// Clock times in prose, unless the document says once which zone it uses.
fn prose_times(ctx: &mut Ctx) {
    let narrative = |r: Role| {
        matches!(
            r,
            Role::Narrative | Role::RootCause | Role::Trigger | Role::Why | Role::Lesson
        )
    };
    let declared = ctx
        .fields
        .iter()
        .any(|f| narrative(f.role) && clock::declares_zone(f.text));
    if declared {
        return;
    }
    let mut found = Vec::new();
    for (field, analysed) in ctx.fields.iter().zip(&ctx.analysed) {
        let Some(a) = analysed.as_ref().filter(|_| narrative(field.role)) else {
            continue;
        };
        let code: Vec<_> = a
            .tokens
            .iter()
            .filter(|t| t.kind == Kind::Code)
            .map(|t| t.start..t.end)
            .collect();
        for c in clock::clock_times(field.text, &code)
            .into_iter()
            .filter(|c| !c.zoned)
        {
            found.push((field.path.clone(), field.text, c.range));
        }
    }
    for (path, text, range) in found {
        let time = text[range.clone()].to_string();
        ctx.report(
            &NO_TIMEZONE,
            &path,
            text,
            Some(range),
            format!("`{time}` has no timezone"),
            Some(format!("write `{time} UTC`, or say once which zone all times are in (\"All times are UTC.\")")),
        );
    }
}

/// Front-matter values kept from imports (`start_time: 2019-03-04T10:02:00`).
fn stamps(ctx: &mut Ctx) {
    let pm = ctx.pm;
    for (key, value) in &pm.extra_fields {
        if let Value::String(s) = value
            && ZONELESS_STAMP.is_match(s.trim())
        {
            let path = format!("extra_fields.{key}");
            ctx.report(
                &NO_TIMEZONE,
                &path,
                s,
                Some(0..s.len()),
                format!("`{key}: {s}` has no timezone, so it sets no milestone"),
                Some(format!(
                    "write `{}Z` if it is UTC, or add its offset (`+02:00`)",
                    s.trim()
                )),
            );
        }
    }
}

fn order_and_gaps(ctx: &mut Ctx) {
    let pm = ctx.pm;
    let m = &pm.milestones;
    // Quiet stretches matter while people are responding: before detection
    // nobody knew (that is time to detect), after mitigation waiting is normal.
    let live_from = m.detected.or(m.started);
    let live_until = m.mitigated.or(m.resolved);
    let max_gap = ctx.config.thresholds.max_gap_minutes;
    for (i, pair) in pm.timeline.windows(2).enumerate() {
        let (before, after) = (&pair[0], &pair[1]);
        let path = format!("timeline[{}].time", i + 1);
        if after.at < before.at {
            ctx.report_field(
                &OUT_OF_ORDER,
                &path,
                format!(
                    "event at {} comes after an event at {}; the timeline must read in order",
                    after.at.format("%Y-%m-%d %H:%M"),
                    before.at.format("%Y-%m-%d %H:%M")
                ),
                Some("move the row to its place, or fix its time".to_string()),
            );
            continue;
        }
        let gap = (after.at - before.at).num_minutes();
        let live =
            live_from.is_none_or(|s| before.at >= s) && live_until.is_none_or(|u| after.at <= u);
        if live
            && gap > max_gap
            && !EXPLAINED.is_match(&before.text)
            && !EXPLAINED.is_match(&after.text)
        {
            ctx.report_field(
                &GAP,
                &path,
                format!("{gap} minutes pass between two events during the incident with nothing said about them"),
                Some("add what happened in between (investigation steps, waiting on a vendor, monitoring a fix), or say it was quiet and why".to_string()),
            );
        }
    }
}

fn milestones(ctx: &mut Ctx) {
    let pm = ctx.pm;
    let m = &pm.milestones;
    let has_incident = !pm.timeline.is_empty() || !m.is_empty() || pm.status != Status::Draft;
    if !ctx.origin.free_form && has_incident && m.detected.is_none() {
        ctx.report_field(
            &NO_DETECTION,
            "milestones.detected",
            "no detection milestone: time to detect (MTTD) cannot be computed".to_string(),
            Some("tag the event that first showed the problem with `detected` in the Milestone column, or set `milestones.detected`".to_string()),
        );
    }
    let set: Vec<(Milestone, _)> = Milestone::ALL
        .iter()
        .filter_map(|x| m.get(*x).map(|at| (*x, at)))
        .collect();
    for pair in set.windows(2) {
        let ((earlier, at_earlier), (later, at_later)) = (pair[0], pair[1]);
        if at_later < at_earlier {
            ctx.report_field(
                &MILESTONE_ORDER,
                &format!("milestones.{later}"),
                format!(
                    "`{later}` ({}) is before `{earlier}` ({})",
                    at_later.format("%Y-%m-%d %H:%M"),
                    at_earlier.format("%Y-%m-%d %H:%M")
                ),
                Some("milestones go in the order started, detected, acknowledged, mitigated, resolved".to_string()),
            );
        }
    }
}
