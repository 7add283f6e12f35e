//! Learning across postmortems (`docs/insight.md`): `GET /api/v1/metrics`,
//! `/api/v1/patterns`, `/api/v1/report`, `/api/v1/charts/{chart}` and
//! `/api/v1/postmortems/{id}/similar`.
//!
//! Everything is computed over the postmortems the caller may read, loaded
//! with the caller's reader filter: a restricted postmortem the caller may not
//! see is in no count, no pattern, no chart, no report and is never similar
//! (nor are its words in a reason).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hindsight_core::access::Reader;
use hindsight_core::vocab::Role;
use hindsight_core::{Kind, Postmortem, Severity};
use hindsight_insight::Period;
use hindsight_insight::metrics::{GroupBy, Insight, Metrics, Options};
use hindsight_insight::patterns::{self, Review};
use hindsight_insight::report::{self, Figure};
use hindsight_insight::similar::Match;
use hindsight_store::Filter;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::openapi::{MetricsSchema, PatternReviewSchema, SimilarSchema};
use crate::routes::postmortems::{visible, word};
use crate::snapshot::{Entries, Entry, fingerprint, judge_all};
use crate::state::AppState;

/// Most similar postmortems one request may ask for.
pub const MAX_SIMILAR: u32 = 50;
/// Similar postmortems returned without a `limit`.
pub const DEFAULT_SIMILAR: u32 = 5;

/// The period to look at.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// A quarter (`2026-Q3`) or a month (`2026-07`), in UTC; compared with the
    /// one before. Default: the current quarter.
    pub period: Option<String>,
}

/// When "now" is.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfParams {
    /// Judge overdue action items and late postmortems as of the end of this
    /// day (`YYYY-MM-DD`, UTC), to reproduce an earlier answer. Default: now.
    pub as_of: Option<String>,
}

/// Which postmortems the numbers are computed over (always only those the
/// caller may read). The earlier postmortems that recurrence and fixes that
/// did not hold look back on are filtered the same way.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeParams {
    /// `incident`, `release`, `deploy`, `security`, `data`, `provider`, `process`.
    pub kind: Option<String>,
    /// `SEV1` .. `SEV4`.
    pub severity: Option<String>,
    pub service: Option<String>,
    pub tag: Option<String>,
    pub owner: Option<String>,
}

impl ScopeParams {
    /// The store filter ([`readable`] adds the caller's reader).
    pub fn to_filter(&self) -> Result<Filter, ApiError> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Ok(Filter {
            kind: word::<Kind>(&self.kind, "kind")?,
            severity: word::<Severity>(&self.severity, "severity")?,
            service: text(&self.service),
            tag: text(&self.tag),
            owner: text(&self.owner),
            ..Filter::default()
        })
    }
}

/// The period named in `text`, or the quarter containing `now`.
pub fn period(text: Option<&str>, now: DateTime<Utc>) -> Result<Period, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(Period::quarter_of(now)),
        Some(t) => t.parse().map_err(|e: hindsight_insight::InsightError| {
            ApiError::invalid("period", e.to_string())
        }),
    }
}

/// The end of the day named in `text` (its next midnight, UTC), or now.
fn as_of(text: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Utc::now());
    };
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.succ_opt())
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        .ok_or_else(|| ApiError::invalid("as_of", format!("`{t}` is not a day (YYYY-MM-DD)")))
}

/// The postmortems of `filter` that `caller` may read (whatever reader the
/// filter names, the caller's replaces it), from the server's snapshot.
pub async fn readable(
    state: &AppState,
    caller: &Caller,
    filter: Filter,
) -> Result<Entries, ApiError> {
    let filter = Filter {
        reader: Some(caller.reader()),
        ..filter
    };
    Ok(state.snapshot.load(&*state.store, &filter).await?)
}

/// Today's RCA verdict of a postmortem under this server's quality settings.
fn judge(state: &AppState, today: NaiveDate) -> Arc<dyn Fn(&Postmortem) -> bool + Send + Sync> {
    let quality = Arc::clone(&state.quality);
    Arc::new(move |pm: &Postmortem| quality.rca_passes(pm, today))
}

/// Keeps the snapshot warm: loads every postmortem and judges the published
/// ones at start, then again after each UTC midnight (verdicts are per day),
/// and builds the similarity index of what a reader of no restricted
/// postmortem sees; so the first insight request of the day does not wait.
pub async fn keep_warm(state: AppState) {
    loop {
        let started = std::time::Instant::now();
        let today = Utc::now().date_naive();
        match state.snapshot.load(&*state.store, &Filter::default()).await {
            Ok(all) => {
                judge_all(&all, today, judge(&state, today)).await;
                let common = Filter {
                    reader: Some(Reader {
                        name: String::new(),
                        role: Role::Viewer,
                        groups: Vec::new(),
                    }),
                    ..Filter::default()
                };
                if let Ok(entries) = state.snapshot.load(&*state.store, &common).await {
                    state.snapshot.similar_index(&entries);
                }
                tracing::info!(
                    postmortems = all.len(),
                    seconds = started.elapsed().as_secs_f64(),
                    "insight snapshot ready"
                );
            }
            Err(e) => tracing::warn!(error = %e, "cannot load the insight snapshot"),
        }
        let next = today
            .succ_opt()
            .map(|d| d.and_time(NaiveTime::MIN).and_utc())
            .unwrap_or_else(Utc::now);
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait + std::time::Duration::from_secs(60)).await;
    }
}

/// The postmortems of `entries`, in the same order.
pub fn postmortems(entries: &[Arc<Entry>]) -> Vec<&Postmortem> {
    entries.iter().map(|e| &e.pm).collect()
}

/// The metrics engine over `pms` (the postmortems of `entries`), with this
/// server's review policy (the lag targets) and quality settings (RCA
/// completeness, each verdict kept per day in the snapshot); the facts it
/// computes are kept for the next request over the same postmortems.
pub async fn insight<'a>(
    state: &AppState,
    entries: &[Arc<Entry>],
    pms: &'a [&'a Postmortem],
    now: DateTime<Utc>,
) -> Insight<'a> {
    let options = Options {
        policy: state.review.as_ref().clone(),
        ..Options::new(now)
    };
    let today = now.date_naive();
    let key = fingerprint(entries, Some(today));
    if let Some(kept) = state.snapshot.facts(key)
        && let Some(insight) = Insight::with_facts(pms, options.clone(), kept)
    {
        return insight;
    }
    let judge = judge(state, today);
    judge_all(entries, today, Arc::clone(&judge)).await;
    let insight = Insight::with_verdicts(pms, options, |i| {
        entries
            .get(i)
            .is_some_and(|e| e.verdict(today, |pm| judge(pm)))
    });
    state.snapshot.keep_facts(key, insight.facts());
    insight
}

/// The groupings a period comparison may be broken down by.
const GROUPINGS: [GroupBy; 4] = [
    GroupBy::Service,
    GroupBy::Team,
    GroupBy::Severity,
    GroupBy::Kind,
];

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupParams {
    /// Break the comparison down by `service`, `team`, `severity` or `kind`.
    /// A postmortem with several services counts in each of their groups.
    pub by: Option<String>,
}

/// One group's metrics in the period and in the one before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupComparison {
    pub key: String,
    pub current: Metrics,
    pub previous: Metrics,
}

/// A period's metrics next to the previous period's, and by group if asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsAnswer {
    pub period: Period,
    pub previous_period: Period,
    pub current: Metrics,
    pub previous: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<GroupBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupComparison>>,
}

/// The groups of `period` and of the period before, matched by key: groups
/// of the period first (largest first), then those only found before it.
pub fn compare_groups(insight: &Insight<'_>, period: Period, by: GroupBy) -> Vec<GroupComparison> {
    let previous_period = period.previous();
    let empty = |p: Period| insight.metrics_of(&[], Some(f64::from(p.months())));
    let mut before = insight.grouped(Some(previous_period), by);
    let mut out = Vec::new();
    for group in insight.grouped(Some(period), by) {
        let previous = match before.iter().position(|g| g.key == group.key) {
            Some(i) => before.remove(i).metrics,
            None => empty(previous_period),
        };
        out.push(GroupComparison {
            key: group.key,
            current: group.metrics,
            previous,
        });
    }
    out.extend(before.into_iter().map(|g| GroupComparison {
        key: g.key,
        current: empty(period),
        previous: g.metrics,
    }));
    out
}

/// The metrics of a period (MTTD, MTTA, MTTM, MTTR as median, p90 and mean
/// with what was missing; recurrence, RCA completeness, action closure and
/// on-time rates; postmortem lag and lag on target; error budget) next to the
/// period before, over the postmortems the caller may read. Definitions:
/// `docs/insight.md`.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "insight",
    params(PeriodParams, GroupParams, AsOfParams, ScopeParams),
    responses((status = 200, body = MetricsSchema), (status = 400, body = ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PeriodParams>,
    Query(g): Query<GroupParams>,
    Query(a): Query<AsOfParams>,
    Query(scope): Query<ScopeParams>,
) -> Result<Json<MetricsAnswer>, ApiError> {
    caller.require(Need::Read)?;
    let now = as_of(a.as_of.as_deref())?;
    let period = period(p.period.as_deref(), now)?;
    let by = match g.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => None,
        Some(text) => Some(
            GROUPINGS
                .into_iter()
                .find(|b| b.as_str().eq_ignore_ascii_case(text))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "by",
                        format!("unknown grouping `{text}`, expected one of: service, team, severity, kind"),
                    )
                })?,
        ),
    };
    let entries = readable(&state, &caller, scope.to_filter()?).await?;
    let pms = postmortems(&entries);
    let insight = insight(&state, &entries, &pms, now).await;
    let comparison = insight.compare(period);
    Ok(Json(MetricsAnswer {
        period,
        previous_period: comparison.previous_period,
        current: comparison.current,
        previous: comparison.previous,
        by,
        groups: by.map(|by| compare_groups(&insight, period, by)),
    }))
}

/// The pattern review of a period: contributing-factor categories (release
/// gates included) found in at least two postmortems, overall and per
/// service, with the postmortems behind each and their action items closed;
/// release gates that let changes through more than once; fixes that did not
/// hold. Over the postmortems the caller may read.
#[utoipa::path(get, path = "/api/v1/patterns", tag = "insight",
    params(PeriodParams, ScopeParams),
    responses((status = 200, body = PatternReviewSchema), (status = 400, body = ErrorBody)))]
pub async fn patterns(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PeriodParams>,
    Query(scope): Query<ScopeParams>,
) -> Result<Json<Review>, ApiError> {
    caller.require(Need::Read)?;
    let period = period(p.period.as_deref(), Utc::now())?;
    let entries = readable(&state, &caller, scope.to_filter()?).await?;
    Ok(Json(patterns::review(&postmortems(&entries), Some(period))))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// How many to return (default 5, at most 50).
    pub limit: Option<u32>,
}

/// The `limit` postmortems `caller` may read most similar to `pm`, best first.
pub async fn similar_to(
    state: &AppState,
    caller: &Caller,
    pm: &Postmortem,
    limit: usize,
) -> Result<Vec<Match>, ApiError> {
    let entries = readable(state, caller, Filter::default()).await?;
    Ok(state.snapshot.similar_index(&entries).similar(pm, limit))
}

/// The postmortems most similar to this one among those the caller may read,
/// best first, each with the reason: shared services, shared factor
/// categories and the most distinctive shared words (BM25 over the text).
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/similar", tag = "insight",
    params(("id" = String, Path, description = "Id or key"), SimilarParams),
    responses((status = 200, body = Vec<SimilarSchema>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<SimilarParams>,
) -> Result<Json<Vec<Match>>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_SIMILAR);
    if !(1..=MAX_SIMILAR).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("the limit must be from 1 to {MAX_SIMILAR}"),
        ));
    }
    let pm = visible(&state, &caller, &id).await?;
    Ok(Json(
        similar_to(&state, &caller, &pm, limit as usize).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `md` (Markdown, the default) or `html` (one self-contained page).
    pub format: Option<String>,
}

/// A document's answer: its media type and the header that keeps a browser
/// from running anything in it.
fn document(content_type: &'static str, body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The quarterly (or monthly) review of a period over the postmortems the
/// caller may read: highlights, headline metrics with their trend, charts,
/// recurring patterns, fixes that did not hold, services, open and overdue
/// action items by owner, and postmortems late to publish. Markdown (with
/// inline SVG charts) or one self-contained HTML page.
#[utoipa::path(get, path = "/api/v1/report", tag = "insight",
    params(PeriodParams, ReportParams, AsOfParams, ScopeParams),
    responses(
        (status = 200, description = "The report", content(
            (String = "text/markdown"),
            (String = "text/html"))),
        (status = 400, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PeriodParams>,
    Query(r): Query<ReportParams>,
    Query(a): Query<AsOfParams>,
    Query(scope): Query<ScopeParams>,
) -> Result<Response, ApiError> {
    caller.require(Need::Read)?;
    let html = match r.format.as_deref().map(str::trim) {
        None | Some("" | "md" | "markdown") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!("unknown format `{other}`, expected md or html"),
            ));
        }
    };
    let now = as_of(a.as_of.as_deref())?;
    let period = period(p.period.as_deref(), now)?;
    let entries = readable(&state, &caller, scope.to_filter()?).await?;
    let pms = postmortems(&entries);
    let blocks = report::build(&insight(&state, &entries, &pms, now).await, period);
    Ok(if html {
        document("text/html; charset=utf-8", report::html(&blocks))
    } else {
        document("text/markdown; charset=utf-8", report::markdown(&blocks))
    })
}

/// One chart as SVG over the postmortems the caller may read: `mttr` (MTTR,
/// MTTM and MTTD monthly medians over the twelve months ending with the
/// period), `incidents` (incidents per month by severity, same months),
/// `closure` (action items closed by month of the incident) or `lag`
/// (postmortem lag against the target per severity in the period). The name
/// may end in `.svg`.
#[utoipa::path(get, path = "/api/v1/charts/{chart}", tag = "insight",
    params(("chart" = String, Path, description = "`mttr`, `incidents`, `closure` or `lag`, optionally with `.svg`"),
        PeriodParams, AsOfParams, ScopeParams),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn chart(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(p): Query<PeriodParams>,
    Query(a): Query<AsOfParams>,
    Query(scope): Query<ScopeParams>,
) -> Result<Response, ApiError> {
    caller.require(Need::Read)?;
    let figure: Figure = name
        .strip_suffix(".svg")
        .unwrap_or(&name)
        .parse()
        .map_err(|e: String| ApiError::new(StatusCode::NOT_FOUND, "not-found", e))?;
    let now = as_of(a.as_of.as_deref())?;
    let period = period(p.period.as_deref(), now)?;
    let entries = readable(&state, &caller, scope.to_filter()?).await?;
    let pms = postmortems(&entries);
    let svg = report::figures(
        &insight(&state, &entries, &pms, now).await,
        period,
        &[figure],
    )
    .into_iter()
    .next()
    .map(|(_, svg)| svg)
    .ok_or_else(|| ApiError::internal(format!("chart {figure} was not drawn")))?;
    Ok(document("image/svg+xml", svg))
}
