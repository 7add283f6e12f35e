//! Pattern review: the gaps that keep coming back.
//!
//! A pattern is a contributing-factor category (the release gates are
//! categories too) found in at least [`MIN_RECURRENCE`] postmortems of a
//! period, overall and per service. Release records add the gates that let a
//! change through. A fix "did not hold" when a postmortem in the period has a
//! factor of the same category on the same service as an earlier postmortem
//! whose action items for that category were all done before the later
//! incident started.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hindsight_core::{ActionItem, ActionStatus, FactorCategory, Gate, GateOutcome, Postmortem};
use serde::Serialize;
use uuid::Uuid;

use crate::metrics::incident_date;
use crate::period::Period;

/// A category seen fewer times than this in a period is not a pattern.
pub const MIN_RECURRENCE: usize = 2;

/// One postmortem behind a pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    pub id: Uuid,
    pub handle: String,
    pub title: String,
    /// The incident date (none without any milestone).
    pub started: Option<DateTime<Utc>>,
    /// Action items addressing those factors.
    pub actions: usize,
    /// Of those, closed out (done, verified, won't-do with a reason).
    pub actions_closed: usize,
}

impl Occurrence {
    /// Whether every action item for the pattern is closed out (false with none).
    pub fn all_closed(&self) -> bool {
        self.actions > 0 && self.actions == self.actions_closed
    }
}

/// A category that recurs, overall or on one service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    pub category: FactorCategory,
    pub release_gate: bool,
    /// `None` for the category across all services.
    pub service: Option<String>,
    pub occurrences: Vec<Occurrence>,
}

impl Pattern {
    pub fn actions(&self) -> (usize, usize) {
        self.occurrences
            .iter()
            .fold((0, 0), |(c, t), o| (c + o.actions_closed, t + o.actions))
    }
}

/// A release gate that let changes through in several release postmortems.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateMiss {
    pub gate: Gate,
    pub misses: Vec<Miss>,
}

/// One release the gate did not stop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub handle: String,
    /// Passed, skipped, failed (and overridden) or absent.
    pub outcome: GateOutcome,
    /// The gate's "why it did not catch this".
    pub why: String,
}

impl GateMiss {
    /// How many misses had each outcome, in vocabulary order.
    pub fn outcomes(&self) -> Vec<(GateOutcome, usize)> {
        GateOutcome::ALL
            .iter()
            .map(|o| (*o, self.misses.iter().filter(|m| m.outcome == *o).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// The same gap again after its earlier fix was done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relapse {
    pub category: FactorCategory,
    pub service: String,
    pub earlier: String,
    pub earlier_title: String,
    /// When the earlier postmortem was closed: its fixes were done by then.
    pub earlier_closed: DateTime<Utc>,
    pub later: String,
    pub later_title: String,
    pub later_started: DateTime<Utc>,
}

/// The pattern review of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub period: Option<Period>,
    /// Categories in at least [`MIN_RECURRENCE`] postmortems, most frequent first.
    pub categories: Vec<Pattern>,
    /// The same per service.
    pub by_service: Vec<Pattern>,
    pub gates: Vec<GateMiss>,
    pub relapses: Vec<Relapse>,
}

/// The pattern review of the postmortems whose incident date is in `period`
/// (all without one). Relapses look back over all of `pms`.
pub fn review(pms: &[&Postmortem], period: Option<Period>) -> Review {
    let in_scope =
        |pm: &Postmortem| period.is_none_or(|p| incident_date(pm).is_some_and(|d| p.contains(d)));
    let mut overall: BTreeMap<FactorCategory, Vec<Occurrence>> = BTreeMap::new();
    let mut per_service: BTreeMap<(FactorCategory, &str), Vec<Occurrence>> = BTreeMap::new();
    let mut gates: BTreeMap<Gate, Vec<Miss>> = BTreeMap::new();
    for pm in pms.iter().filter(|pm| in_scope(pm)) {
        for category in categories(pm) {
            let occurrence = occurrence(pm, category);
            for service in dedup(&pm.services) {
                per_service
                    .entry((category, service))
                    .or_default()
                    .push(occurrence.clone());
            }
            overall.entry(category).or_default().push(occurrence);
        }
        for g in pm.release.iter().flat_map(|r| &r.gates) {
            if !g.why_missed.trim().is_empty() {
                gates.entry(g.gate).or_default().push(Miss {
                    handle: pm.handle(),
                    outcome: g.outcome,
                    why: g.why_missed.clone(),
                });
            }
        }
    }
    let pattern = |category: FactorCategory, service: Option<&str>, occurrences| Pattern {
        category,
        release_gate: category.is_release_gate(),
        service: service.map(str::to_string),
        occurrences,
    };
    let mut categories: Vec<Pattern> = overall
        .into_iter()
        .filter(|(_, o)| o.len() >= MIN_RECURRENCE)
        .map(|(c, o)| pattern(c, None, o))
        .collect();
    let mut by_service: Vec<Pattern> = per_service
        .into_iter()
        .filter(|(_, o)| o.len() >= MIN_RECURRENCE)
        .map(|((c, s), o)| pattern(c, Some(s), o))
        .collect();
    for list in [&mut categories, &mut by_service] {
        list.sort_by_key(|p| std::cmp::Reverse(p.occurrences.len()));
    }
    let mut gates: Vec<GateMiss> = gates
        .into_iter()
        .filter(|(_, m)| m.len() >= MIN_RECURRENCE)
        .map(|(gate, misses)| GateMiss { gate, misses })
        .collect();
    gates.sort_by_key(|g| std::cmp::Reverse(g.misses.len()));
    Review {
        period,
        categories,
        by_service,
        gates,
        relapses: relapses(pms, period),
    }
}

fn dedup(items: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = items.iter().map(String::as_str).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The distinct factor categories of a postmortem, in vocabulary order.
fn categories(pm: &Postmortem) -> Vec<FactorCategory> {
    let mut out: Vec<FactorCategory> = pm.analysis.factors.iter().map(|f| f.category).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The action items addressing a factor of `category`.
fn actions_for(pm: &Postmortem, category: FactorCategory) -> impl Iterator<Item = &ActionItem> {
    pm.actions.iter().filter(move |a| {
        a.factor
            .as_deref()
            .and_then(|id| pm.factor(id))
            .is_some_and(|f| f.category == category)
    })
}

fn occurrence(pm: &Postmortem, category: FactorCategory) -> Occurrence {
    let actions: Vec<&ActionItem> = actions_for(pm, category).collect();
    Occurrence {
        id: pm.id,
        handle: pm.handle(),
        title: pm.title.clone(),
        started: incident_date(pm),
        actions: actions.len(),
        actions_closed: actions.iter().filter(|a| a.is_closed_out()).count(),
    }
}

/// An earlier postmortem whose fix for a gap was done, and when it closed.
type Fix<'a> = (DateTime<Utc>, &'a Postmortem);

/// Postmortems in `period` that repeat a service + category whose earlier
/// fixes were all done (done or verified, not won't-do) and whose earlier
/// postmortem was closed before the later incident started. The model keeps
/// no completion time per action item, so the earlier postmortem's closing
/// time is the evidence that the fix was in place.
fn relapses(pms: &[&Postmortem], period: Option<Period>) -> Vec<Relapse> {
    // (service, category) -> earlier postmortems whose fix was done, with the closing time.
    let mut fixed: BTreeMap<(&str, FactorCategory), Vec<Fix<'_>>> = BTreeMap::new();
    for pm in pms {
        let Some(closed) = pm.closed_at else { continue };
        for category in categories(pm) {
            let actions: Vec<&ActionItem> = actions_for(pm, category).collect();
            let done = !actions.is_empty()
                && actions
                    .iter()
                    .all(|a| matches!(a.status, ActionStatus::Done | ActionStatus::Verified));
            if done {
                for service in dedup(&pm.services) {
                    fixed
                        .entry((service, category))
                        .or_default()
                        .push((closed, pm));
                }
            }
        }
    }
    for list in fixed.values_mut() {
        list.sort_by_key(|(closed, _)| *closed);
    }
    let mut out = Vec::new();
    for later in pms {
        let Some(started) = incident_date(later) else {
            continue;
        };
        if !period.is_none_or(|p| p.contains(started)) {
            continue;
        }
        for category in categories(later) {
            for service in dedup(&later.services) {
                // The most recent earlier fix that was in place when this one began.
                let earlier = fixed.get(&(service, category)).and_then(|list| {
                    let before = list.partition_point(|(closed, _)| *closed <= started);
                    list[..before].iter().rev().find(|(_, e)| e.id != later.id)
                });
                if let Some((closed, e)) = earlier {
                    out.push(Relapse {
                        category,
                        service: service.to_string(),
                        earlier: e.handle(),
                        earlier_title: e.title.clone(),
                        earlier_closed: *closed,
                        later: later.handle(),
                        later_title: later.title.clone(),
                        later_started: started,
                    });
                }
            }
        }
    }
    out.sort_by_key(|r| r.later_started);
    out
}
