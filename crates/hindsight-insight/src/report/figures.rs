//! The report's charts.

use hindsight_core::Severity;

use super::Block;
use crate::charts::{Bars, Chart, Series};
use crate::metrics::{Group, GroupBy, Insight, Metrics};
use crate::period::Period;
use crate::stats::Rate;

/// How many months the trend charts cover, ending with the period's last month.
const TREND_MONTHS: u32 = 12;

/// The months of the trend: `TREND_MONTHS` ending with the period's last month.
pub(super) fn trend_months(period: Period) -> Vec<Period> {
    let last = period.month_list().last().copied().unwrap_or(period);
    let mut months = vec![last];
    while months.len() < TREND_MONTHS as usize {
        let earlier = months[months.len() - 1].previous();
        months.push(earlier);
    }
    months.reverse();
    months
}

/// One of the report's charts, by the name the API and the web UI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    /// MTTR, MTTM and MTTD monthly medians over twelve months (lines).
    Durations,
    /// Incidents per month by severity over twelve months (stacked bars).
    Incidents,
    /// Action items closed, by month of the incident (lines).
    Closure,
    /// Postmortem lag against the target, per severity, in the period (bars).
    Lag,
}

impl Figure {
    pub const ALL: [Figure; 4] = [
        Figure::Durations,
        Figure::Incidents,
        Figure::Closure,
        Figure::Lag,
    ];

    /// `mttr`, `incidents`, `closure`, `lag`.
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::Durations => "mttr",
            Figure::Incidents => "incidents",
            Figure::Closure => "closure",
            Figure::Lag => "lag",
        }
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Figure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Figure::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown chart `{s}`, expected one of: mttr, incidents, closure, lag")
            })
    }
}

/// The SVG of each chart in `which` for `period`, in the order asked; only
/// what those charts need is computed.
pub fn figures(insight: &Insight<'_>, period: Period, which: &[Figure]) -> Vec<(Figure, String)> {
    let months = trend_months(period);
    // The monthly metrics feed every chart but the lag one.
    let per_month: Vec<Metrics> = if which.iter().any(|f| *f != Figure::Lag) {
        months.iter().map(|m| insight.metrics(Some(*m))).collect()
    } else {
        Vec::new()
    };
    let groups = if which.contains(&Figure::Lag) {
        insight.grouped(Some(period), GroupBy::Severity)
    } else {
        Vec::new()
    };
    draw(insight, period, which, &months, &per_month, &groups)
}

pub(super) fn charts(insight: &Insight<'_>, period: Period) -> Vec<Block> {
    let mut out = vec![Block::Heading {
        level: 2,
        text: "Charts".into(),
    }];
    out.extend(
        figures(insight, period, &Figure::ALL)
            .into_iter()
            .map(|(_, svg)| Block::Chart { svg }),
    );
    out
}

/// The charts in `which`, from the trend's months and their metrics and the
/// period's severity groups.
fn draw(
    insight: &Insight<'_>,
    period: Period,
    which: &[Figure],
    months: &[Period],
    per_month: &[Metrics],
    groups: &[Group],
) -> Vec<(Figure, String)> {
    let labels: Vec<String> = months.iter().map(|m| m.to_string()).collect();
    let hours = |v: Option<f64>| v.map(|m| (m / 60.0 * 10.0).round() / 10.0);
    let trend = Chart {
        title: "MTTR, MTTM and MTTD, monthly median".into(),
        unit: "hours".into(),
        labels: labels.clone(),
        series: vec![
            Series::new(
                "MTTR",
                per_month
                    .iter()
                    .map(|m| hours(m.mttr.median_minutes))
                    .collect(),
            ),
            Series::new(
                "MTTM",
                per_month
                    .iter()
                    .map(|m| hours(m.mttm.median_minutes))
                    .collect(),
            ),
            Series::new(
                "MTTD",
                per_month
                    .iter()
                    .map(|m| hours(m.mttd.median_minutes))
                    .collect(),
            ),
        ],
    };
    let mut severities: Vec<String> = Severity::ALL.iter().map(|s| s.to_string()).collect();
    severities.push("(no severity)".into());
    let by_severity = Chart {
        title: "Incidents per month by severity".into(),
        unit: "postmortems".into(),
        labels: labels.clone(),
        series: severities
            .iter()
            .filter(|s| per_month.iter().any(|m| m.by_severity.contains_key(*s)))
            .map(|s| {
                Series::new(
                    s.clone(),
                    per_month
                        .iter()
                        .map(|m| Some(*m.by_severity.get(s).unwrap_or(&0) as f64))
                        .collect(),
                )
            })
            .collect(),
    };
    let percent = |r: &Rate| r.rate.map(|v| (v * 1000.0).round() / 10.0);
    let closure = Chart {
        title: "Action items closed, by month of the incident".into(),
        unit: "%".into(),
        labels,
        series: vec![
            Series::new(
                "closed",
                per_month
                    .iter()
                    .map(|m| percent(&m.action_closure))
                    .collect(),
            ),
            Series::new(
                "past due and closed",
                per_month
                    .iter()
                    .map(|m| percent(&m.action_on_time))
                    .collect(),
            ),
        ],
    };
    let policy = &insight.options().policy;
    let target_hours = |sev: &str| {
        let index = Severity::ALL.iter().position(|s| s.as_str() == sev);
        index
            .and_then(|i| {
                policy
                    .draft_due_hours
                    .get(i)
                    .or(policy.draft_due_hours.last())
            })
            .map(|h| *h as f64)
    };
    let mut sev_groups: Vec<_> = groups.iter().collect();
    sev_groups.sort_by(|a, b| a.key.cmp(&b.key));
    let lag = Chart {
        title: format!("Postmortem lag vs target by severity, {period}"),
        unit: "hours".into(),
        labels: sev_groups.iter().map(|g| g.key.clone()).collect(),
        series: vec![
            Series::new(
                "median lag",
                sev_groups
                    .iter()
                    .map(|g| hours(g.metrics.lag.median_minutes))
                    .collect(),
            ),
            Series::new(
                "p90 lag",
                sev_groups
                    .iter()
                    .map(|g| hours(g.metrics.lag.p90_minutes))
                    .collect(),
            ),
            Series::new(
                "target",
                sev_groups.iter().map(|g| target_hours(&g.key)).collect(),
            ),
        ],
    };
    which
        .iter()
        .map(|f| {
            let svg = match f {
                Figure::Durations => trend.lines(),
                Figure::Incidents => by_severity.bars(Bars::Stacked),
                Figure::Closure => closure.lines(),
                Figure::Lag => lag.bars(Bars::Grouped),
            };
            (*f, svg)
        })
        .collect()
}
