//! The opening of the report: highlights, the headline table, and how
//! durations, rates and trends are written.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::metrics::{Insight, Metrics};
use crate::patterns;
use crate::period::Period;
use crate::stats::{Distribution, Rate};

/// The few sentences to open the review with.
pub(super) fn highlights(
    insight: &Insight<'_>,
    period: Period,
    review: &patterns::Review,
) -> Vec<String> {
    let comparison = insight.compare(period);
    let (c, p) = (&comparison.current, &comparison.previous);
    let prev = comparison.previous_period;
    let mut out = Vec::new();
    let change = match c.postmortems.cmp(&p.postmortems) {
        std::cmp::Ordering::Greater => format!("up from {} in {prev}", p.postmortems),
        std::cmp::Ordering::Less => format!("down from {} in {prev}", p.postmortems),
        std::cmp::Ordering::Equal => format!("as many as in {prev}"),
    };
    let severities: Vec<String> = c
        .by_severity
        .iter()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    out.push(format!(
        "**{} postmortems**, {change}{}.",
        c.postmortems,
        if severities.is_empty() {
            String::new()
        } else {
            format!(": {}", severities.join(", "))
        }
    ));
    let speed = |name: &str, now: Option<f64>, before: Option<f64>| match (now, before) {
        (Some(now), Some(before)) => Some(format!(
            "{name} median {} ({prev}: {})",
            minutes(now),
            minutes(before)
        )),
        (Some(now), None) => Some(format!("{name} median {}", minutes(now))),
        _ => None,
    };
    let speeds: Vec<String> = [
        speed(
            "time to detect",
            c.mttd.median_minutes,
            p.mttd.median_minutes,
        ),
        speed("to mitigate", c.mttm.median_minutes, p.mttm.median_minutes),
        speed("to resolve", c.mttr.median_minutes, p.mttr.median_minutes),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !speeds.is_empty() {
        out.push(format!("**Speed**: {}.", speeds.join("; ")));
    }
    if let Some(top) = review.categories.first() {
        let (closed, total) = top.actions();
        let mut line = format!(
            "**Top recurring gap**: {} in {} postmortems ({closed} of {total} of their actions for it closed)",
            top.category,
            top.occurrences.len()
        );
        if let Some(local) = review.by_service.first() {
            line.push_str(&format!(
                "; on one service, {} on {} ({} times)",
                local.category,
                local.service.as_deref().unwrap_or("-"),
                local.occurrences.len()
            ));
        }
        line.push('.');
        out.push(line);
    }
    if !review.relapses.is_empty() {
        out.push(format!(
            "**Fixes that did not hold**: {} times a gap came back after its earlier postmortem closed with the fix done.",
            review.relapses.len()
        ));
    }
    let today = insight.options().now.date_naive();
    let overdue: Vec<(NaiveDate, String)> = insight
        .postmortems()
        .iter()
        .flat_map(|pm| {
            pm.overdue_actions(today).filter_map(move |a| {
                a.due.map(|due| {
                    (
                        due,
                        format!(
                            "{} {} ({}, due {due})",
                            pm.handle(),
                            a.id,
                            a.owner.as_deref().unwrap_or("no owner")
                        ),
                    )
                })
            })
        })
        .collect();
    let mut line = format!(
        "**Follow-through**: {} of this period's action items closed",
        rate(&c.action_closure)
    );
    match overdue.iter().min() {
        Some((_, oldest)) => line.push_str(&format!(
            "; {} action items overdue across all postmortems, the oldest {oldest}.",
            overdue.len()
        )),
        None => line.push_str("; no action item is overdue."),
    }
    out.push(line);
    if let Some(on_time) = c.lag_on_target.rate {
        out.push(format!(
            "**Publishing**: {:.0}% published within the severity's target ({} of {}), median {} from resolution to publication.",
            on_time * 100.0,
            c.lag_on_target.hits,
            c.lag_on_target.total,
            c.lag.median_minutes.map_or_else(|| "unknown".into(), minutes)
        ));
    }
    out
}

/// Minutes as `45m`, `3h 20m`, `2d 4h`.
pub fn minutes(m: f64) -> String {
    let total = m.round() as i64;
    let (d, h, min) = (total / 1440, total % 1440 / 60, total % 60);
    match (d, h) {
        (0, 0) => format!("{min}m"),
        (0, h) => format!("{h}h {min}m"),
        (d, h) => format!("{d}d {h}h"),
    }
}

pub(super) fn distribution(d: &Distribution) -> String {
    match (d.median_minutes, d.p90_minutes) {
        (Some(median), Some(p90)) => {
            let mut s = format!("{} (p90 {}, n={})", minutes(median), minutes(p90), d.count);
            if d.missing > 0 {
                let _ = write!(s, ", {} missing", d.missing);
            }
            s
        }
        _ => format!("no data ({} missing)", d.missing),
    }
}

pub(super) fn rate(r: &Rate) -> String {
    match r.rate {
        Some(v) => format!("{:.0}% ({}/{})", v * 100.0, r.hits, r.total),
        None => "no data".into(),
    }
}

/// A trend cell: the change and whether it is better or worse.
pub(super) fn trend(
    now: Option<f64>,
    before: Option<f64>,
    lower_is_better: bool,
    as_minutes: bool,
) -> String {
    let (Some(now), Some(before)) = (now, before) else {
        return "–".into();
    };
    let change = now - before;
    if change.abs() < 1e-9 {
        return "= unchanged".into();
    }
    let arrow = if change > 0.0 { "▲" } else { "▼" };
    let verdict = if (change < 0.0) == lower_is_better {
        "better"
    } else {
        "worse"
    };
    let amount = if as_minutes {
        format!(
            "{}{}",
            if change > 0.0 { "+" } else { "−" },
            minutes(change.abs())
        )
    } else {
        format!("{:+.0} pts", change * 100.0).replace('-', "−")
    };
    format!("{arrow} {amount} ({verdict})")
}

pub(super) fn headline_rows(c: &Metrics, p: &Metrics) -> Vec<Vec<String>> {
    let count = |m: &Metrics| match m.per_month {
        Some(per) => format!("{} ({per:.1}/month)", m.postmortems),
        None => m.postmortems.to_string(),
    };
    let count_trend = {
        let change = c.postmortems as i64 - p.postmortems as i64;
        match change {
            0 => "= unchanged".to_string(),
            d if d > 0 => format!("▲ +{d} (worse)"),
            d => format!("▼ {d} (better)"),
        }
    };
    let duration_row = |name: &str, a: &Distribution, b: &Distribution| {
        vec![
            name.to_string(),
            distribution(a),
            distribution(b),
            trend(a.median_minutes, b.median_minutes, true, true),
        ]
    };
    let rate_row = |name: &str, a: &Rate, b: &Rate, lower_is_better: bool| {
        vec![
            name.to_string(),
            rate(a),
            rate(b),
            trend(a.rate, b.rate, lower_is_better, false),
        ]
    };
    let budget = |m: &Metrics| {
        if m.error_budget.reported == 0 {
            "not reported".to_string()
        } else {
            format!(
                "{:.0}% summed over {} postmortems (largest {:.0}%)",
                m.error_budget.consumed * 100.0,
                m.error_budget.reported,
                m.error_budget.largest.unwrap_or(0.0) * 100.0
            )
        }
    };
    vec![
        vec!["Postmortems".into(), count(c), count(p), count_trend],
        duration_row("MTTD (start → detected), median", &c.mttd, &p.mttd),
        duration_row("MTTA (detected → acknowledged), median", &c.mtta, &p.mtta),
        duration_row("MTTM (start → mitigated), median", &c.mttm, &p.mttm),
        duration_row("MTTR (start → resolved), median", &c.mttr, &p.mttr),
        rate_row(
            "Recurrence (same service + factor within 90 days)",
            &c.recurrence,
            &p.recurrence,
            true,
        ),
        rate_row(
            "RCA completeness (published, lint + rubric pass)",
            &c.rca_completeness,
            &p.rca_completeness,
            false,
        ),
        rate_row(
            "Action items closed",
            &c.action_closure,
            &p.action_closure,
            false,
        ),
        rate_row(
            "Action items past due that are closed",
            &c.action_on_time,
            &p.action_on_time,
            false,
        ),
        duration_row(
            "Postmortem lag (resolved → published), median",
            &c.lag,
            &p.lag,
        ),
        rate_row(
            "Published within the severity's target",
            &c.lag_on_target,
            &p.lag_on_target,
            false,
        ),
        vec![
            "Error budget consumed (sum over postmortems)".into(),
            budget(c),
            budget(p),
            "–".into(),
        ],
    ]
}

pub(super) fn severity_line(m: &Metrics) -> String {
    if m.by_severity.is_empty() {
        return "No postmortems this period.".into();
    }
    let parts: Vec<String> = m
        .by_severity
        .iter()
        .map(|(sev, n)| format!("{sev}: {n}"))
        .collect();
    format!("By severity: {}.", parts.join(", "))
}
