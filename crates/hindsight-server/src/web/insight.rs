//! `GET /insights`: the numbers across postmortems for a period next to the
//! period before, the charts, the recurring patterns and the fixes that did
//! not hold; and the similar postmortems shown on a postmortem's page. Only
//! the postmortems the viewer may read count, as in the JSON API.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use hindsight_core::Postmortem;
use hindsight_insight::Period;
use hindsight_insight::metrics::{GroupBy, Metrics};
use hindsight_insight::patterns::{self, Pattern};
use hindsight_insight::report::{self, Figure, minutes};
use hindsight_insight::stats::{Distribution, Rate};
use hindsight_store::Filter;
use serde::Deserialize;

use crate::auth::Caller;
use crate::routes::insight::{DEFAULT_SIMILAR, insight, period, postmortems, readable, similar_to};
use crate::state::AppState;
use crate::web::form::encode;
use crate::web::view::render;
use crate::web::{Chrome, Viewer, WebError};

/// Patterns, fixes that did not hold and services shown.
const TOP: usize = 8;

/// The query of the page; every field optional.
#[derive(Debug, Default, Deserialize)]
pub struct InsightQuery {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub service: String,
}

/// One headline number with the previous period's and the trend.
pub struct Headline {
    pub label: &'static str,
    pub hint: &'static str,
    pub current: String,
    /// How it was measured: `n=12, 3 missing`, `5 of 8`.
    pub basis: String,
    pub previous: String,
    /// `▲ 12 min`, `▼ 5 pts`, `=`, or empty when either side is unknown.
    pub trend: String,
    /// `better`, `worse` or `same` (empty: not judged).
    pub verdict: &'static str,
}

/// Whether a larger value is better.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Better {
    Lower,
    Higher,
    Neither,
}

fn verdict(delta: f64, better: Better) -> &'static str {
    if delta.abs() < 1e-9 {
        return "same";
    }
    match (better, delta > 0.0) {
        (Better::Neither, _) => "",
        (Better::Lower, false) | (Better::Higher, true) => "better",
        _ => "worse",
    }
}

fn arrow(delta: f64) -> &'static str {
    if delta > 0.0 { "▲" } else { "▼" }
}

fn duration(
    label: &'static str,
    hint: &'static str,
    now: &Distribution,
    before: &Distribution,
) -> Headline {
    let show = |d: &Distribution| d.median_minutes.map_or_else(|| "—".to_string(), minutes);
    let (trend, verdict) = match (now.median_minutes, before.median_minutes) {
        (Some(a), Some(b)) if (a - b).abs() < 1e-9 => ("=".to_string(), "same"),
        (Some(a), Some(b)) => (
            format!("{} {}", arrow(a - b), minutes((a - b).abs())),
            verdict(a - b, Better::Lower),
        ),
        _ => (String::new(), ""),
    };
    Headline {
        label,
        hint,
        current: show(now),
        basis: format!(
            "median of {}, p90 {}, {} missing",
            now.count,
            now.p90_minutes.map_or_else(|| "—".to_string(), minutes),
            now.missing + now.inconsistent
        ),
        previous: show(before),
        trend,
        verdict,
    }
}

fn rate(
    label: &'static str,
    hint: &'static str,
    now: &Rate,
    before: &Rate,
    better: Better,
) -> Headline {
    let show = |r: &Rate| {
        r.rate
            .map_or_else(|| "—".to_string(), |v| format!("{:.0}%", v * 100.0))
    };
    let (trend, verdict) = match (now.rate, before.rate) {
        (Some(a), Some(b)) => {
            let points = ((a - b) * 100.0).round();
            if points == 0.0 {
                ("=".to_string(), "same")
            } else {
                (
                    format!("{} {} pts", arrow(points), points.abs()),
                    verdict(points, better),
                )
            }
        }
        _ => (String::new(), ""),
    };
    Headline {
        label,
        hint,
        current: show(now),
        basis: format!("{} of {}, {} not judged", now.hits, now.total, now.missing),
        previous: show(before),
        trend,
        verdict,
    }
}

fn headlines(now: &Metrics, before: &Metrics) -> Vec<Headline> {
    let count = {
        let delta = now.postmortems as f64 - before.postmortems as f64;
        Headline {
            label: "Postmortems",
            hint: "Incidents that started in the period",
            current: now.postmortems.to_string(),
            basis: now
                .per_month
                .map(|m| format!("{m:.1} per month"))
                .unwrap_or_default(),
            previous: before.postmortems.to_string(),
            trend: if delta == 0.0 {
                "=".to_string()
            } else {
                format!("{} {}", arrow(delta), delta.abs())
            },
            verdict: verdict(delta, Better::Neither),
        }
    };
    vec![
        count,
        duration(
            "MTTD",
            "Time to detect: started to detected",
            &now.mttd,
            &before.mttd,
        ),
        duration(
            "MTTM",
            "Time to mitigate: started to mitigated",
            &now.mttm,
            &before.mttm,
        ),
        duration(
            "MTTR",
            "Time to resolve: started to resolved",
            &now.mttr,
            &before.mttr,
        ),
        rate(
            "Recurrence",
            "Same service and factor category as a postmortem in the 90 days before",
            &now.recurrence,
            &before.recurrence,
            Better::Lower,
        ),
        rate(
            "RCA complete",
            "Published postmortems that pass lint and the rubric",
            &now.rca_completeness,
            &before.rca_completeness,
            Better::Higher,
        ),
        rate(
            "Actions closed",
            "Action items done, verified or won't-do with a reason",
            &now.action_closure,
            &before.action_closure,
            Better::Higher,
        ),
        rate(
            "Published on time",
            "Postmortems published within their severity's target after resolution",
            &now.lag_on_target,
            &before.lag_on_target,
            Better::Higher,
        ),
    ]
}

/// A recurring pattern.
pub struct PatternView {
    pub category: String,
    pub service: String,
    pub release_gate: bool,
    pub count: usize,
    pub closed: usize,
    pub actions: usize,
    /// (handle, title) of the postmortems behind it.
    pub postmortems: Vec<(String, String)>,
}

impl PatternView {
    fn new(p: &Pattern) -> PatternView {
        let (closed, actions) = p.actions();
        PatternView {
            category: p.category.to_string(),
            service: p.service.clone().unwrap_or_default(),
            release_gate: p.release_gate,
            count: p.occurrences.len(),
            closed,
            actions,
            postmortems: p
                .occurrences
                .iter()
                .map(|o| (o.handle.clone(), o.title.clone()))
                .collect(),
        }
    }
}

/// A fix that did not hold.
pub struct RelapseView {
    pub category: String,
    pub service: String,
    pub earlier: String,
    pub earlier_title: String,
    pub later: String,
    pub later_title: String,
}

/// One service's row.
pub struct ServiceRow {
    pub service: String,
    pub postmortems: usize,
    pub mttr: String,
    pub recurrence: String,
    pub closed: String,
}

/// A period the picker offers.
pub struct PeriodOption {
    pub value: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    chrome: Chrome,
    period: String,
    previous: String,
    service: String,
    quarters: Vec<PeriodOption>,
    months: Vec<PeriodOption>,
    headlines: Vec<Headline>,
    by_severity: Vec<(String, usize)>,
    charts: Vec<String>,
    patterns: Vec<PatternView>,
    service_patterns: Vec<PatternView>,
    relapses: Vec<RelapseView>,
    services: Vec<ServiceRow>,
    /// The query string of the API's report for this page (`period=...`).
    report_query: String,
}

/// The periods offered: the last eight quarters and twelve months, and the
/// one shown if it is older.
fn choices(now: DateTime<Utc>, shown: Period) -> (Vec<PeriodOption>, Vec<PeriodOption>) {
    let list = |first: Period, n: usize| {
        let mut out = vec![first];
        while out.len() < n {
            let earlier = out[out.len() - 1].previous();
            out.push(earlier);
        }
        if matches!(
            (first, shown),
            (Period::Quarter { .. }, Period::Quarter { .. })
                | (Period::Month { .. }, Period::Month { .. })
        ) && !out.contains(&shown)
        {
            out.push(shown);
        }
        out.into_iter()
            .map(|p| PeriodOption {
                value: p.to_string(),
                selected: p == shown,
            })
            .collect()
    };
    (
        list(Period::quarter_of(now), 8),
        list(Period::month_of(now), 12),
    )
}

fn percent(r: &Rate) -> String {
    r.rate
        .map_or_else(|| "—".to_string(), |v| format!("{:.0}%", v * 100.0))
}

/// `GET /insights`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<InsightQuery>,
) -> Result<Response, WebError> {
    let now = Utc::now();
    let shown = period(Some(&q.period), now)?;
    let service = q.service.trim().to_string();
    let entries = readable(
        &state,
        &viewer.caller,
        Filter {
            service: (!service.is_empty()).then(|| service.clone()),
            ..Filter::default()
        },
    )
    .await?;
    let pms = postmortems(&entries);
    let insight = insight(&state, &entries, &pms, now).await;
    let comparison = insight.compare(shown);
    let review = patterns::review(&pms, Some(shown));
    let charts = report::figures(&insight, shown, &Figure::ALL)
        .into_iter()
        .map(|(_, svg)| svg)
        .collect();
    let services = insight
        .grouped(Some(shown), GroupBy::Service)
        .into_iter()
        .take(TOP)
        .map(|g| ServiceRow {
            service: g.key,
            postmortems: g.metrics.postmortems,
            mttr: g
                .metrics
                .mttr
                .median_minutes
                .map_or_else(|| "—".to_string(), minutes),
            recurrence: percent(&g.metrics.recurrence),
            closed: percent(&g.metrics.action_closure),
        })
        .collect();
    let (quarters, months) = choices(now, shown);
    let mut report_query = format!("period={shown}");
    if !service.is_empty() {
        report_query.push_str(&format!("&service={}", encode(&service)));
    }
    Ok(render(&InsightsPage {
        chrome: Chrome::new(&viewer, "insights", format!("Insights {shown}")),
        period: shown.to_string(),
        previous: comparison.previous_period.to_string(),
        service,
        quarters,
        months,
        headlines: headlines(&comparison.current, &comparison.previous),
        by_severity: comparison
            .current
            .by_severity
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        charts,
        patterns: review
            .categories
            .iter()
            .take(TOP)
            .map(PatternView::new)
            .collect(),
        service_patterns: review
            .by_service
            .iter()
            .take(TOP)
            .map(PatternView::new)
            .collect(),
        relapses: review
            .relapses
            .iter()
            .rev()
            .take(TOP)
            .map(|r| RelapseView {
                category: r.category.to_string(),
                service: r.service.clone(),
                earlier: r.earlier.clone(),
                earlier_title: r.earlier_title.clone(),
                later: r.later.clone(),
                later_title: r.later_title.clone(),
            })
            .collect(),
        services,
        report_query,
    }))
}

/// A similar postmortem on a postmortem's page.
pub struct SimilarView {
    pub handle: String,
    pub title: String,
    pub reason: String,
}

/// The postmortems most similar to `pm` among those `caller` may read.
pub async fn similar(
    state: &AppState,
    caller: &Caller,
    pm: &Postmortem,
) -> Result<Vec<SimilarView>, WebError> {
    Ok(similar_to(state, caller, pm, DEFAULT_SIMILAR as usize)
        .await?
        .into_iter()
        .map(|m| SimilarView {
            handle: m.handle,
            title: m.title,
            reason: m.reason,
        })
        .collect())
}
