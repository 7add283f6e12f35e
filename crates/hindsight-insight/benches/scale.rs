//! Insight at scale: metrics, pattern review and similar-postmortem queries
//! over 100,000 postmortems. Prints a Markdown table for docs/bench/insight.md.
//!
//!     cargo bench -p hindsight-insight --bench scale
//!
//! `HINDSIGHT_BENCH_N` changes the number of postmortems.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use hindsight_core::{Postmortem, demo};
use hindsight_insight::Period;
use hindsight_insight::metrics::{GroupBy, Insight, Options};
use hindsight_insight::patterns;
use hindsight_insight::rca::RcaCheck;
use hindsight_insight::similar::{Params, SimilarIndex};

/// Median and 95th percentile of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut(usize) -> T) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f(i));
        samples.push(start.elapsed());
    }
    samples.sort();
    (samples[runs / 2], samples[(runs * 95 / 100).min(runs - 1)])
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn row(what: &str, (median, p95): (Duration, Duration), note: &str) {
    println!("| {what} | {} | {} | {note} |", ms(median), ms(p95));
}

fn main() {
    let n: usize = std::env::var("HINDSIGHT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let start = Instant::now();
    let owned = demo::at_scale(n, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let pms: Vec<&Postmortem> = owned.iter().collect();
    eprintln!(
        "generated {n} postmortems in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let quarter: Period = "2026-Q3".parse().unwrap();

    println!("| operation ({n} postmortems) | median ms | p95 ms | note |");
    println!("|---|---:|---:|---|");
    row(
        "facts: incident dates + recurrence index",
        time(5, |_| Insight::new(&pms, Options::new(now), None)),
        "once per data set",
    );
    let insight = Insight::new(&pms, Options::new(now), None);
    let in_quarter = insight.in_period(Some(quarter)).len();
    row(
        "metrics, all postmortems",
        time(10, |_| insight.metrics(None)),
        "",
    );
    row(
        "metrics, one quarter vs the previous",
        time(10, |_| insight.compare(quarter)),
        &format!("{in_quarter} postmortems in {quarter}"),
    );
    row(
        "metrics by service, all",
        time(10, |_| insight.grouped(None, GroupBy::Service)),
        "",
    );
    row(
        "metrics by month, all",
        time(10, |_| insight.grouped(None, GroupBy::Month)),
        "",
    );
    row(
        "pattern review, one quarter (relapses over all)",
        time(10, |_| patterns::review(&pms, Some(quarter))),
        "",
    );
    row(
        "pattern review, all postmortems",
        time(5, |_| patterns::review(&pms, None)),
        "",
    );
    let check = RcaCheck::standard().unwrap();
    let sample = &pms[..2_000.min(n)];
    let (median, p95) = time(3, |_| Insight::new(sample, Options::new(now), Some(&check)));
    row(
        &format!(
            "RCA completeness: lint + rubric of {} postmortems",
            sample.len()
        ),
        (median, p95),
        &format!(
            "about {:.1} s for all {n} (linear)",
            median.as_secs_f64() * n as f64 / sample.len() as f64
        ),
    );

    for query_words in [32, Params::default().query_words] {
        let params = Params {
            query_words,
            ..Params::default()
        };
        let start = Instant::now();
        let index = SimilarIndex::with_params(&pms, params);
        let build = start.elapsed();
        row(
            &format!("similar: build the index (query words {query_words})"),
            (build, build),
            "once",
        );
        // Queries spread over the data set.
        let step = (n / 200).max(1);
        row(
            &format!("similar: top-5 (query words {query_words})"),
            time(200, |i| index.similar(pms[(i * step) % n], 5)),
            "200 queries",
        );
    }
}
