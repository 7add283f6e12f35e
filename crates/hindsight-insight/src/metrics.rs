//! The numbers across postmortems: how fast incidents are detected and fixed,
//! how often they recur, and whether the follow-up happens.
//!
//! Every metric is defined in `docs/insight.md`. A postmortem is placed in
//! time by its incident date ([`incident_date`]); it is counted in a period
//! when that date falls in it. Values that need a milestone the postmortem
//! does not have are counted as missing, never estimated.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hindsight_core::review::ReviewPolicy;
use hindsight_core::{FactorCategory, Milestone, Postmortem, Status};
use serde::Serialize;

use crate::period::Period;
use crate::rca::RcaCheck;
use crate::stats::{Distribution, Rate};

/// What the metrics are computed against.
#[derive(Debug, Clone)]
pub struct Options {
    /// "Now": decides overdue action items and postmortems late to publish.
    pub now: DateTime<Utc>,
    /// The per-severity draft deadlines, used as the publication-lag targets.
    pub policy: ReviewPolicy,
    /// How far back a same-service, same-category postmortem makes a recurrence.
    pub recurrence_window: Duration,
}

impl Options {
    /// The default review policy and a 90-day recurrence window.
    pub fn new(now: DateTime<Utc>) -> Self {
        Options {
            now,
            policy: ReviewPolicy::default(),
            recurrence_window: Duration::days(90),
        }
    }
}

/// When the incident happened: its first known milestone (`started`, else
/// `detected`, ... `resolved`). `None` without any: such a postmortem is in
/// no period (it only counts when no period is asked for) and cannot be
/// judged for recurrence.
pub fn incident_date(pm: &Postmortem) -> Option<DateTime<Utc>> {
    Milestone::ALL.iter().find_map(|m| pm.milestones.get(*m))
}

/// The month or quarter key of a postmortem, `(undated)` without a date.
fn period_key(pm: &Postmortem, of: fn(DateTime<Utc>) -> Period) -> String {
    incident_date(pm).map_or_else(|| "(undated)".to_string(), |d| of(d).to_string())
}

/// The team a postmortem belongs to: a `team` front-matter field, else a
/// `team:NAME` tag. The model has no team of its own, so none is inferred.
pub fn team_of(pm: &Postmortem) -> Option<String> {
    if let Some(team) = pm.extra_fields.get("team").and_then(|v| v.as_str()) {
        return Some(team.to_string());
    }
    pm.tags
        .iter()
        .find_map(|t| t.strip_prefix("team:"))
        .map(str::to_string)
}

/// The distinct factor categories of a postmortem, as a bit set.
pub fn category_mask(pm: &Postmortem) -> u32 {
    pm.analysis
        .factors
        .iter()
        .fold(0, |mask, f| mask | category_bit(f.category))
}

pub fn category_bit(c: FactorCategory) -> u32 {
    let index = FactorCategory::ALL
        .iter()
        .position(|x| *x == c)
        .unwrap_or(0);
    1 << index
}

/// The categories in a bit set, in vocabulary order.
pub fn categories_in(mask: u32) -> impl Iterator<Item = FactorCategory> {
    FactorCategory::ALL
        .iter()
        .copied()
        .filter(move |c| mask & category_bit(*c) != 0)
}

/// What postmortems are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// A postmortem with two services counts in both groups.
    Service,
    Team,
    Severity,
    Kind,
    Month,
    Quarter,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::Service,
        GroupBy::Team,
        GroupBy::Severity,
        GroupBy::Kind,
        GroupBy::Month,
        GroupBy::Quarter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Service => "service",
            GroupBy::Team => "team",
            GroupBy::Severity => "severity",
            GroupBy::Kind => "kind",
            GroupBy::Month => "month",
            GroupBy::Quarter => "quarter",
        }
    }

    /// The groups a postmortem falls in.
    fn keys(self, pm: &Postmortem) -> Vec<String> {
        match self {
            GroupBy::Service if pm.services.is_empty() => vec!["(no service)".into()],
            GroupBy::Service => {
                let mut services = pm.services.clone();
                services.sort();
                services.dedup();
                services
            }
            GroupBy::Team => vec![team_of(pm).unwrap_or_else(|| "(no team)".into())],
            GroupBy::Severity => vec![
                pm.severity
                    .map_or_else(|| "(no severity)".into(), |s| s.to_string()),
            ],
            GroupBy::Kind => vec![pm.kind.to_string()],
            GroupBy::Month => vec![period_key(pm, Period::month_of)],
            GroupBy::Quarter => vec![period_key(pm, Period::quarter_of)],
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown grouping `{s}`, expected one of: service, team, severity, kind, month, quarter")
            })
    }
}

/// Error budget consumed, as reported in the postmortems' impact.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Budget {
    /// Sum of the fractions of the SLO windows' budgets consumed. Only
    /// meaningful within one service (one SLO): see `docs/insight.md`.
    pub consumed: f64,
    /// The largest single fraction.
    pub largest: Option<f64>,
    pub reported: usize,
    /// Postmortems that do not state the budget consumed.
    pub missing: usize,
}

/// Every metric over one set of postmortems.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub postmortems: usize,
    /// Postmortems per calendar month of the period.
    pub per_month: Option<f64>,
    /// Postmortems by severity (`(no severity)` for unknown).
    pub by_severity: BTreeMap<String, usize>,
    /// Started -> detected.
    pub mttd: Distribution,
    /// Detected -> acknowledged.
    pub mtta: Distribution,
    /// Started -> mitigated.
    pub mttm: Distribution,
    /// Started -> resolved.
    pub mttr: Distribution,
    /// Same service and factor category as an earlier postmortem within the window.
    pub recurrence: Rate,
    /// Published postmortems that pass lint and rubric.
    pub rca_completeness: Rate,
    /// Action items done, verified or won't-do with a reason.
    pub action_closure: Rate,
    /// Action items past their due date that are closed out.
    pub action_on_time: Rate,
    /// Resolved -> published (`final`).
    pub lag: Distribution,
    /// Postmortems published within their severity's target, of those
    /// published or already past the target.
    pub lag_on_target: Rate,
    pub error_budget: Budget,
}

/// One group's metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    pub metrics: Metrics,
}

/// A period's metrics next to the period before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub period: Period,
    pub current: Metrics,
    pub previous_period: Period,
    pub previous: Metrics,
}

/// What is known about one postmortem before any grouping.
#[derive(Debug, Clone, Copy)]
struct Facts {
    date: Option<DateTime<Utc>>,
    /// `None`: no service or no factor category, so it cannot be judged.
    recurrence: Option<bool>,
    /// `None`: not published, or no check was run.
    rca: Option<bool>,
}

/// The per-postmortem facts of an [`Insight`] (incident dates, recurrence,
/// RCA verdicts), to be kept by a caller that asks again about the very same
/// postmortems (e.g. a server between requests) and given back to
/// [`Insight::with_facts`].
#[derive(Debug, Clone)]
pub struct SharedFacts {
    facts: Arc<Vec<Facts>>,
    rca_checked: bool,
}

/// Postmortems with the facts computed once, ready to be cut many ways.
#[derive(Debug)]
pub struct Insight<'a> {
    pms: &'a [&'a Postmortem],
    facts: Arc<Vec<Facts>>,
    options: Options,
    /// Whether RCA completeness was assessed.
    rca_checked: bool,
}

impl<'a> Insight<'a> {
    /// Computes the per-postmortem facts. With `rca`, every published
    /// postmortem is linted and scored (the expensive part).
    pub fn new(pms: &'a [&'a Postmortem], options: Options, rca: Option<&RcaCheck>) -> Self {
        let today = options.now.date_naive();
        match rca {
            Some(check) => Insight::build(pms, options, Some(&|i| check.passes(pms[i], today))),
            None => Insight::build(pms, options, None),
        }
    }

    /// Like [`Insight::new`], with the RCA verdict of each published
    /// postmortem from `passes`, given its index in `pms`: for verdicts
    /// computed once and kept, instead of linting everything again.
    pub fn with_verdicts(
        pms: &'a [&'a Postmortem],
        options: Options,
        passes: impl Fn(usize) -> bool,
    ) -> Self {
        Insight::build(pms, options, Some(&passes))
    }

    fn build(
        pms: &'a [&'a Postmortem],
        options: Options,
        passes: Option<&dyn Fn(usize) -> bool>,
    ) -> Self {
        let dates: Vec<Option<DateTime<Utc>>> = pms.iter().map(|pm| incident_date(pm)).collect();
        let recurrence = recurrences(pms, &dates, options.recurrence_window);
        let facts = pms
            .iter()
            .zip(dates)
            .zip(recurrence)
            .enumerate()
            .map(|(i, ((pm, date), recurrence))| Facts {
                date,
                recurrence,
                rca: passes
                    .filter(|_| matches!(pm.status, Status::Final | Status::Closed))
                    .map(|passes| passes(i)),
            })
            .collect();
        Insight {
            pms,
            facts: Arc::new(facts),
            options,
            rca_checked: passes.is_some(),
        }
    }

    /// The facts computed for these postmortems, to keep.
    pub fn facts(&self) -> SharedFacts {
        SharedFacts {
            facts: Arc::clone(&self.facts),
            rca_checked: self.rca_checked,
        }
    }

    /// The engine over `pms` with facts kept from an earlier [`Insight`] over
    /// the same postmortems in the same order, with the same recurrence
    /// window and verdicts of the same day; `None` when their counts differ.
    pub fn with_facts(
        pms: &'a [&'a Postmortem],
        options: Options,
        kept: SharedFacts,
    ) -> Option<Self> {
        (kept.facts.len() == pms.len()).then_some(Insight {
            pms,
            facts: kept.facts,
            options,
            rca_checked: kept.rca_checked,
        })
    }

    pub fn postmortems(&self) -> &'a [&'a Postmortem] {
        self.pms
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether the postmortem at `index` recurs (see [`Metrics::recurrence`]).
    pub fn is_recurrence(&self, index: usize) -> Option<bool> {
        self.facts.get(index).and_then(|f| f.recurrence)
    }

    /// Indices of the postmortems whose incident date is in `period` (all without one).
    pub fn in_period(&self, period: Option<Period>) -> Vec<usize> {
        (0..self.pms.len())
            .filter(|&i| period.is_none_or(|p| self.facts[i].date.is_some_and(|d| p.contains(d))))
            .collect()
    }

    /// The metrics of every postmortem in `period` (all of them without one).
    pub fn metrics(&self, period: Option<Period>) -> Metrics {
        let scope = self.in_period(period);
        self.metrics_of(&scope, self.months(period, &scope))
    }

    /// The metrics of `period` and of the period before.
    pub fn compare(&self, period: Period) -> Comparison {
        Comparison {
            period,
            current: self.metrics(Some(period)),
            previous_period: period.previous(),
            previous: self.metrics(Some(period.previous())),
        }
    }

    /// The metrics of each group of the postmortems in `period`, largest first.
    pub fn grouped(&self, period: Option<Period>, by: GroupBy) -> Vec<Group> {
        let scope = self.in_period(period);
        let months = self.months(period, &scope);
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in &scope {
            for key in by.keys(self.pms[i]) {
                groups.entry(key).or_default().push(i);
            }
        }
        let mut out: Vec<Group> = groups
            .into_iter()
            .map(|(key, members)| {
                // A month or quarter group spans its own months, not the whole scope's.
                let months = match key.parse::<Period>() {
                    Ok(p) if matches!(by, GroupBy::Month | GroupBy::Quarter) => {
                        Some(f64::from(p.months()))
                    }
                    _ => months,
                };
                Group {
                    key,
                    metrics: self.metrics_of(&members, months),
                }
            })
            .collect();
        out.sort_by(|a, b| match by {
            GroupBy::Month | GroupBy::Quarter => a.key.cmp(&b.key),
            _ => b
                .metrics
                .postmortems
                .cmp(&a.metrics.postmortems)
                .then_with(|| a.key.cmp(&b.key)),
        });
        out
    }

    /// Months the scope spans: the period's, else first to last incident month.
    fn months(&self, period: Option<Period>, scope: &[usize]) -> Option<f64> {
        if let Some(p) = period {
            return Some(f64::from(p.months()));
        }
        let dates = scope.iter().filter_map(|&i| self.facts[i].date);
        let (first, last) = (dates.clone().min()?, dates.max()?);
        let (a, b) = (Period::month_of(first), Period::month_of(last));
        let index = |p: Period| match p {
            Period::Month { year, month } => i64::from(year) * 12 + i64::from(month),
            Period::Quarter { .. } => 0,
        };
        Some((index(b) - index(a) + 1) as f64)
    }

    /// The metrics of the postmortems at `indices`, over `months` months.
    pub fn metrics_of(&self, indices: &[usize], months: Option<f64>) -> Metrics {
        let now = self.options.now;
        let today = now.date_naive();
        let mut durations: [(Vec<f64>, usize, usize); 4] = Default::default();
        let mut lag = (Vec::new(), 0, 0);
        let (mut on_target, mut lag_judged) = (0, 0);
        let (mut recurring, mut recurrence_judged, mut recurrence_missing) = (0, 0, 0);
        let (mut rca_pass, mut rca_judged, mut rca_missing) = (0, 0, 0);
        let (mut closed, mut actions) = (0, 0);
        let (mut closed_by_due, mut past_due, mut no_due) = (0, 0, 0);
        let mut budget = Budget::default();
        let mut by_severity = BTreeMap::new();

        for &i in indices {
            let pm = &self.pms[i];
            let facts = self.facts[i];
            *by_severity
                .entry(
                    pm.severity
                        .map_or_else(|| "(no severity)".to_string(), |s| s.to_string()),
                )
                .or_insert(0) += 1;
            let m = &pm.milestones;
            let spans = [
                m.time_to_detect(),
                m.time_to_acknowledge(),
                m.time_to_mitigate(),
                m.time_to_resolve(),
            ];
            for (slot, span) in durations.iter_mut().zip(spans) {
                record(slot, span);
            }

            match facts.recurrence {
                Some(true) => {
                    (recurring, recurrence_judged) = (recurring + 1, recurrence_judged + 1)
                }
                Some(false) => recurrence_judged += 1,
                None => recurrence_missing += 1,
            }
            match facts.rca {
                Some(pass) => {
                    rca_judged += 1;
                    rca_pass += usize::from(pass);
                }
                None if self.rca_checked => {}
                // Published but never assessed: say so rather than guess.
                None if matches!(pm.status, Status::Final | Status::Closed) => rca_missing += 1,
                None => {}
            }

            for a in &pm.actions {
                actions += 1;
                closed += usize::from(a.is_closed_out());
                match a.due {
                    Some(due) if due < today => {
                        past_due += 1;
                        closed_by_due += usize::from(a.is_closed_out());
                    }
                    Some(_) => {}
                    None => no_due += 1,
                }
            }

            let target = self
                .options
                .policy
                .deadlines(pm, None, now)
                .draft_due
                .zip(m.resolved)
                .map(|(due, resolved)| due - resolved);
            match (m.resolved, pm.published_at, target) {
                (Some(resolved), Some(published), target) => {
                    let span = published - resolved;
                    record(&mut lag, Some(span));
                    if let Some(target) = target
                        && span >= Duration::zero()
                    {
                        lag_judged += 1;
                        on_target += usize::from(span <= target);
                    }
                }
                // Not published yet and already past its target: late, lag unknown.
                (Some(resolved), None, Some(target)) if now - resolved > target => {
                    lag_judged += 1;
                }
                (Some(_), None, _) => {}
                (None, _, _) => lag.1 += 1,
            }

            match pm.impact.error_budget_consumed {
                Some(fraction) => {
                    budget.reported += 1;
                    budget.consumed += fraction;
                    budget.largest =
                        Some(budget.largest.map_or(fraction, |l: f64| l.max(fraction)));
                }
                None => budget.missing += 1,
            }
        }

        let [mttd, mtta, mttm, mttr] = durations
            .map(|(values, missing, bad)| Distribution::from_minutes(values, missing, bad));
        Metrics {
            postmortems: indices.len(),
            per_month: months
                .filter(|m| *m > 0.0)
                .map(|m| indices.len() as f64 / m),
            by_severity,
            mttd,
            mtta,
            mttm,
            mttr,
            recurrence: Rate::new(recurring, recurrence_judged, recurrence_missing),
            rca_completeness: Rate::new(rca_pass, rca_judged, rca_missing),
            action_closure: Rate::new(closed, actions, 0),
            action_on_time: Rate::new(closed_by_due, past_due, no_due),
            lag: Distribution::from_minutes(lag.0, lag.1, lag.2),
            lag_on_target: Rate::new(on_target, lag_judged, 0),
            error_budget: budget,
        }
    }
}

/// Adds a measured span (minutes) or counts it as missing or inconsistent.
fn record(slot: &mut (Vec<f64>, usize, usize), span: Option<Duration>) {
    match span {
        Some(d) if d >= Duration::zero() => slot.0.push(d.num_seconds() as f64 / 60.0),
        Some(_) => slot.2 += 1,
        None => slot.1 += 1,
    }
}

/// For each postmortem: whether an earlier one (strictly earlier incident
/// date, at most `window` before) shares a service and a factor category.
fn recurrences(
    pms: &[&Postmortem],
    dates: &[Option<DateTime<Utc>>],
    window: Duration,
) -> Vec<Option<bool>> {
    let mut seen: HashMap<(&str, FactorCategory), Vec<DateTime<Utc>>> = HashMap::new();
    for (pm, date) in pms.iter().zip(dates) {
        let Some(date) = date else { continue };
        let mask = category_mask(pm);
        for service in &pm.services {
            for c in categories_in(mask) {
                seen.entry((service.as_str(), c)).or_default().push(*date);
            }
        }
    }
    for list in seen.values_mut() {
        list.sort_unstable();
    }
    pms.iter()
        .zip(dates)
        .map(|(pm, &date)| {
            let mask = category_mask(pm);
            let date = date?;
            if pm.services.is_empty() || mask == 0 {
                return None;
            }
            Some(pm.services.iter().any(|service| {
                categories_in(mask).any(|c| {
                    seen.get(&(service.as_str(), c)).is_some_and(|list| {
                        let before = list.partition_point(|t| *t < date);
                        before > 0 && list[before - 1] >= date - window
                    })
                })
            }))
        })
        .collect()
}
