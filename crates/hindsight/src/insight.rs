//! `metrics`, `similar` and `report`: learning across the stored postmortems.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, ValueEnum};
use hindsight_core::{Postmortem, format};
use hindsight_insight::Period;
use hindsight_insight::metrics::{GroupBy, Insight, Metrics, Options};
use hindsight_insight::rca::RcaCheck;
use hindsight_insight::report::{self, minutes};
use hindsight_insight::similar::SimilarIndex;
use hindsight_insight::stats::{Distribution, Rate};
use hindsight_store::Filter;

use crate::database::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// A quarter (2026-Q3) or month (2026-07); compared with the one before.
    /// Default: every postmortem.
    #[arg(long, value_parser = parse_period)]
    pub period: Option<Period>,
    /// Break the metrics down by service, team, severity, kind, month or quarter.
    #[arg(long, value_parser = parse_group)]
    pub by: Option<GroupBy>,
    /// Judge overdue items and late postmortems as of this day (default: now).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// A stored postmortem (id or key), or a postmortem file (Markdown or JSON), e.g. a draft.
    pub target: String,
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The quarter (2026-Q3) or month (2026-07) to review.
    #[arg(long, value_parser = parse_period)]
    pub period: Period,
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// File to write; default: standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Judge overdue items and late postmortems as of this day (default: now).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse()
        .map_err(|e: hindsight_insight::InsightError| e.to_string())
}

fn parse_group(text: &str) -> Result<GroupBy, String> {
    text.parse()
}

/// The end of `day` (its next midnight), or now.
fn as_of(day: Option<NaiveDate>) -> DateTime<Utc> {
    day.and_then(|d| d.succ_opt())
        .map_or_else(Utc::now, |d| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

async fn load(ctx: &Context) -> Result<Vec<Postmortem>> {
    let store = ctx.store().await?;
    // The command line reads the database directly: everything is visible.
    Ok(store.load_all(&Filter::default()).await?)
}

pub async fn metrics(ctx: &Context, args: &MetricsArgs) -> Result<ExitCode> {
    let owned = load(ctx).await?;
    let pms: Vec<&Postmortem> = owned.iter().collect();
    let check = RcaCheck::standard()?;
    let insight = Insight::new(&pms, Options::new(as_of(args.as_of)), Some(&check));
    match (args.by, args.period) {
        (Some(by), period) => {
            let groups = insight.grouped(period, by);
            if args.json {
                return json(&groups);
            }
            let rows: Vec<Vec<String>> = groups
                .iter()
                .map(|g| {
                    let m = &g.metrics;
                    vec![
                        g.key.clone(),
                        m.postmortems.to_string(),
                        median(&m.mttd),
                        median(&m.mttr),
                        m.mttr.p90_minutes.map_or_else(|| "-".into(), minutes),
                        percent(&m.recurrence),
                        percent(&m.action_closure),
                        median(&m.lag),
                        percent(&m.lag_on_target),
                    ]
                })
                .collect();
            output::table(
                &[
                    by.as_str(),
                    "PMS",
                    "MTTD",
                    "MTTR",
                    "MTTR P90",
                    "RECUR",
                    "CLOSED",
                    "LAG",
                    "ON TIME",
                ],
                &rows,
            );
        }
        (None, Some(period)) => {
            let cmp = insight.compare(period);
            if args.json {
                return json(&cmp);
            }
            print_metrics(&[
                (cmp.period.to_string(), &cmp.current),
                (cmp.previous_period.to_string(), &cmp.previous),
            ]);
        }
        (None, None) => {
            let all = insight.metrics(None);
            if args.json {
                return json(&all);
            }
            print_metrics(&[("all".to_string(), &all)]);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn json(value: &impl serde::Serialize) -> Result<ExitCode> {
    output::json(value)?;
    Ok(ExitCode::SUCCESS)
}

fn median(d: &Distribution) -> String {
    d.median_minutes.map_or_else(|| "-".into(), minutes)
}

fn percent(r: &Rate) -> String {
    r.rate
        .map_or_else(|| "-".into(), |v| format!("{:.0}%", v * 100.0))
}

fn distribution(d: &Distribution) -> String {
    match (d.median_minutes, d.p90_minutes) {
        (Some(m), Some(p)) => format!(
            "{} (p90 {}, n={}, missing {})",
            minutes(m),
            minutes(p),
            d.count,
            d.missing + d.inconsistent
        ),
        _ => format!("- (missing {})", d.missing + d.inconsistent),
    }
}

fn rate(r: &Rate) -> String {
    match r.rate {
        Some(v) => format!("{:.0}% ({}/{})", v * 100.0, r.hits, r.total),
        None => "-".into(),
    }
}

/// One column per (label, metrics).
fn print_metrics(columns: &[(String, &Metrics)]) {
    type Cell = fn(&Metrics) -> String;
    let lines: [(&str, Cell); 12] = [
        ("postmortems", |m| m.postmortems.to_string()),
        ("per month", |m| {
            m.per_month
                .map_or_else(|| "-".into(), |v| format!("{v:.1}"))
        }),
        ("MTTD", |m| distribution(&m.mttd)),
        ("MTTA", |m| distribution(&m.mtta)),
        ("MTTM", |m| distribution(&m.mttm)),
        ("MTTR", |m| distribution(&m.mttr)),
        ("recurrence", |m| rate(&m.recurrence)),
        ("RCA complete", |m| rate(&m.rca_completeness)),
        ("actions closed", |m| rate(&m.action_closure)),
        ("past due, closed", |m| rate(&m.action_on_time)),
        ("lag", |m| distribution(&m.lag)),
        ("lag on target", |m| rate(&m.lag_on_target)),
    ];
    let mut headers = vec!["METRIC"];
    headers.extend(columns.iter().map(|(label, _)| label.as_str()));
    let mut rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(name, cell)| {
            let mut row = vec![(*name).to_string()];
            row.extend(columns.iter().map(|(_, m)| cell(m)));
            row
        })
        .collect();
    let mut budget = vec!["error budget".to_string()];
    budget.extend(columns.iter().map(|(_, m)| {
        let b = &m.error_budget;
        if b.reported == 0 {
            format!("- (not reported by {})", b.missing)
        } else {
            format!(
                "{:.0}% summed over {} (not reported by {})",
                b.consumed * 100.0,
                b.reported,
                b.missing
            )
        }
    }));
    rows.push(budget);
    output::table(&headers, &rows);
}

pub async fn similar(ctx: &Context, args: &SimilarArgs) -> Result<ExitCode> {
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    let pms = load(ctx).await?;
    let path = Path::new(&args.target);
    let query = if path.is_file() {
        read_postmortem(path)?
    } else {
        let store = ctx.store().await?;
        crate::postmortems::get(store.as_ref(), &args.target).await?
    };
    let pms: Vec<&Postmortem> = pms.iter().collect();
    let index = SimilarIndex::build(&pms);
    let hits = index.similar(&query, args.limit);
    if args.json {
        return json(&hits);
    }
    if hits.is_empty() {
        println!("no similar postmortem found for {}", query.handle());
    }
    for hit in &hits {
        println!("{}  {:.1}  {}", hit.handle, hit.score, hit.title);
        if !hit.reason.is_empty() {
            println!("    {}", hit.reason);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A postmortem file: Markdown, or JSON holding one postmortem.
fn read_postmortem(path: &Path) -> Result<Postmortem> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a postmortem in JSON", path.display()))
    } else {
        format::parse(&text, Utc::now())
            .map(|p| p.postmortem)
            .map_err(|e| anyhow::anyhow!("{}:{}: {}", path.display(), e.line, e.message))
    }
}

pub async fn report(ctx: &Context, args: &ReportArgs) -> Result<ExitCode> {
    let owned = load(ctx).await?;
    let pms: Vec<&Postmortem> = owned.iter().collect();
    let check = RcaCheck::standard()?;
    let insight = Insight::new(&pms, Options::new(as_of(args.as_of)), Some(&check));
    let blocks = report::build(&insight, args.period);
    let text = match args.format {
        ReportFormat::Md => report::markdown(&blocks),
        ReportFormat::Html => report::html(&blocks),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("report for {} written to {}", args.period, path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
