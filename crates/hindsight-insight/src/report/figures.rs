//! The report's charts.

use hindsight_core::Severity;

use super::Block;
use crate::charts::{Bars, Chart, Series};
use crate::metrics::{GroupBy, Insight, Metrics};
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

pub(super) fn charts(insight: &Insight<'_>, period: Period) -> Vec<Block> {
    let months = trend_months(period);
    let per_month: Vec<Metrics> = months.iter().map(|m| insight.metrics(Some(*m))).collect();
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
    let groups = insight.grouped(Some(period), GroupBy::Severity);
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
    vec![
        Block::Heading {
            level: 2,
            text: "Charts".into(),
        },
        Block::Chart { svg: trend.lines() },
        Block::Chart {
            svg: by_severity.bars(Bars::Stacked),
        },
        Block::Chart {
            svg: closure.lines(),
        },
        Block::Chart {
            svg: lag.bars(Bars::Grouped),
        },
    ]
}
