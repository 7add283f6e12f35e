//! The report's detail sections: patterns, relapses, services, action
//! items by owner and late postmortems.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::Status;

use super::Block;
use super::headline::{minutes, rate};
use crate::metrics::{GroupBy, Insight, incident_date};
use crate::patterns::{self, Pattern};
use crate::period::Period;

pub(super) fn pattern_row(p: &Pattern) -> Vec<String> {
    let name = match &p.service {
        Some(service) => format!("{} on {service}", p.category),
        None if p.release_gate => format!("{} (release gate)", p.category),
        None => p.category.to_string(),
    };
    let (closed, total) = p.actions();
    let behind: Vec<String> = p
        .occurrences
        .iter()
        .map(|o| {
            let mark = if o.all_closed() { "✓" } else { "open" };
            format!("{} ({mark})", o.handle)
        })
        .collect();
    vec![
        name,
        p.occurrences.len().to_string(),
        format!("{closed}/{total}"),
        behind.join(", "),
    ]
}

/// Gaps that came back after their fix, one line per service and category,
/// those that came back most often first.
pub(super) fn relapses(relapses: &[patterns::Relapse]) -> Vec<Block> {
    if relapses.is_empty() {
        return vec![Block::Paragraph {
            text: "No gap came back this period after its earlier fixes were done.".into(),
        }];
    }
    let mut gaps: BTreeMap<(String, &str), Vec<&patterns::Relapse>> = BTreeMap::new();
    for r in relapses {
        gaps.entry((r.category.to_string(), r.service.as_str()))
            .or_default()
            .push(r);
    }
    let mut gaps: Vec<_> = gaps.into_iter().collect();
    gaps.sort_by_key(|(_, list)| std::cmp::Reverse(list.len()));
    const SHOWN: usize = 10;
    let mut out = vec![Block::Paragraph {
        text: format!(
            "{} times this period a postmortem repeated a gap (same service, same factor category) whose earlier postmortem had closed with all its actions for that gap done, on {} service/category pairs:",
            relapses.len(),
            gaps.len()
        ),
    }];
    let mut items: Vec<String> = gaps
        .iter()
        .take(SHOWN)
        .map(|((category, service), list)| {
            let again: Vec<String> = list
                .iter()
                .map(|r| {
                    format!(
                        "{} ({}) after {} closed with its fix done on {}",
                        r.later,
                        r.later_started.format("%Y-%m-%d"),
                        r.earlier,
                        r.earlier_closed.format("%Y-%m-%d"),
                    )
                })
                .collect();
            format!("**{category} on {service}**: {}", again.join("; "))
        })
        .collect();
    if gaps.len() > SHOWN {
        items.push(format!("and {} more pairs", gaps.len() - SHOWN));
    }
    out.push(Block::List { items });
    out
}

pub(super) fn services(insight: &Insight<'_>, period: Period) -> Vec<Block> {
    let groups = insight.grouped(Some(period), GroupBy::Service);
    if groups.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading {
            level: 2,
            text: "Services".into(),
        },
        Block::Table {
            headers: vec![
                "Service".into(),
                "Postmortems".into(),
                "MTTR median".into(),
                "Recurrences".into(),
                "Actions closed".into(),
                "Error budget consumed".into(),
            ],
            rows: groups
                .iter()
                .take(10)
                .map(|g| {
                    let m = &g.metrics;
                    vec![
                        g.key.clone(),
                        m.postmortems.to_string(),
                        m.mttr.median_minutes.map_or_else(|| "–".into(), minutes),
                        format!("{}/{}", m.recurrence.hits, m.recurrence.total),
                        rate(&m.action_closure),
                        if m.error_budget.reported == 0 {
                            "–".into()
                        } else {
                            format!("{:.0}%", m.error_budget.consumed * 100.0)
                        },
                    ]
                })
                .collect(),
        },
    ]
}

/// Open action items of every postmortem, by owner, overdue ones listed.
pub(super) fn actions_by_owner(insight: &Insight<'_>, now: DateTime<Utc>) -> Vec<Block> {
    let today = now.date_naive();
    #[derive(Default)]
    struct Owner {
        open: usize,
        overdue: Vec<(NaiveDate, String)>,
    }
    let mut owners: BTreeMap<String, Owner> = BTreeMap::new();
    for pm in insight.postmortems() {
        for a in pm.actions.iter().filter(|a| !a.status.is_finished()) {
            let owner = owners
                .entry(a.owner.clone().unwrap_or_else(|| "(no owner)".into()))
                .or_default();
            owner.open += 1;
            if let Some(due) = a.due.filter(|_| a.is_overdue(today)) {
                owner.overdue.push((
                    due,
                    format!("{} {}: {} (due {due})", pm.handle(), a.id, a.title),
                ));
            }
        }
    }
    let mut rows: Vec<(&String, &Owner)> = owners.iter().collect();
    rows.sort_by(|a, b| {
        b.1.overdue
            .len()
            .cmp(&a.1.overdue.len())
            .then(b.1.open.cmp(&a.1.open))
            .then(a.0.cmp(b.0))
    });
    let mut out = vec![Block::Heading {
        level: 2,
        text: "Open and overdue action items by owner".into(),
    }];
    if rows.is_empty() {
        out.push(Block::Paragraph {
            text: "Every action item is closed.".into(),
        });
        return out;
    }
    out.push(Block::Table {
        headers: vec![
            "Owner".into(),
            "Open".into(),
            "Overdue".into(),
            "Most overdue".into(),
        ],
        rows: rows
            .iter()
            .map(|(name, o)| {
                let mut overdue = o.overdue.clone();
                overdue.sort();
                vec![
                    (*name).clone(),
                    o.open.to_string(),
                    o.overdue.len().to_string(),
                    overdue
                        .iter()
                        .take(2)
                        .map(|(_, text)| text.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
            .collect(),
    });
    out
}

/// Postmortems of the period published after their target, and any not yet
/// published that are already past it.
pub(super) fn late_postmortems(
    insight: &Insight<'_>,
    period: Period,
    now: DateTime<Utc>,
) -> Vec<Block> {
    let policy = &insight.options().policy;
    let mut rows = Vec::new();
    for pm in insight.postmortems() {
        let Some(resolved) = pm.milestones.resolved else {
            continue;
        };
        let Some(due) = policy.deadlines(pm, None, now).draft_due else {
            continue;
        };
        let target = due - resolved;
        let severity = pm.severity.map_or_else(|| "–".into(), |s| s.to_string());
        match pm.published_at {
            Some(published)
                if published > due && incident_date(pm).is_some_and(|d| period.contains(d)) =>
            {
                rows.push((
                    published - due,
                    vec![
                        pm.handle(),
                        severity,
                        pm.title.clone(),
                        format!(
                            "published after {}",
                            minutes((published - resolved).num_minutes() as f64)
                        ),
                        format!(
                            "{} late (target {})",
                            minutes((published - due).num_minutes() as f64),
                            minutes(target.num_minutes() as f64)
                        ),
                    ],
                ))
            }
            None if now > due && matches!(pm.status, Status::Draft | Status::InReview) => rows
                .push((
                    now - due,
                    vec![
                        pm.handle(),
                        severity,
                        pm.title.clone(),
                        format!("still {}", pm.status),
                        format!(
                            "{} past target (target {})",
                            minutes((now - due).num_minutes() as f64),
                            minutes(target.num_minutes() as f64)
                        ),
                    ],
                )),
            _ => {}
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = vec![
        Block::Heading {
            level: 2,
            text: "Postmortems late to publish".into(),
        },
        Block::Paragraph {
            text: "Postmortems of the period published after their severity's target, and every postmortem not yet published that is already past its target (whatever its period).".into(),
        },
    ];
    if rows.is_empty() {
        out.push(Block::Paragraph {
            text: "Every postmortem of the period was published within its target.".into(),
        });
    } else {
        out.push(Block::Table {
            headers: vec![
                "Postmortem".into(),
                "Severity".into(),
                "Title".into(),
                "State".into(),
                "Late by".into(),
            ],
            rows: rows.into_iter().map(|(_, row)| row).collect(),
        });
    }
    out
}
