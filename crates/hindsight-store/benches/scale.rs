//! Store benchmark at scale: saves 10,000 postmortems one by one (as `import`
//! does), then times searches, filtered lists and action-item queries, on
//! SQLite and on PostgreSQL. Prints a Markdown table for docs/bench/store.md.
//!
//!     scripts/bench-store            (starts a throwaway PostgreSQL)
//!
//! `HINDSIGHT_BENCH_N` changes the number of postmortems. PostgreSQL is skipped
//! with a note when HINDSIGHT_TEST_POSTGRES_URL is not set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hindsight_core::{Postmortem, Severity, demo};
use hindsight_store::scratch::ScratchDatabase;
use hindsight_store::{ActionFilter, Filter, PgStore, SqliteStore, Store};

const QUERIES: &[&str] = &[
    "canary",
    "connection pool exhausted",
    "certificate",
    "rollback failed migration",
    "dns resolver",
    "kafka broker disk",
];

/// `n` postmortems: the demo set anchored on successive weeks, each with an id
/// of its own, so texts, services and milestones are realistic and varied in time.
fn data_set(n: usize) -> Vec<Postmortem> {
    let last = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date");
    demo::spread(n, last, 7, u64::MAX)
}

/// Median and 95th percentile of `runs` timings of `f`.
async fn time<F, Fut, T>(runs: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await);
        samples.push(start.elapsed());
    }
    samples.sort();
    let p95 = samples[(runs * 95 / 100).min(runs - 1)];
    (samples[runs / 2], p95)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

async fn bench(name: &str, store: &dyn Store, data: &[Postmortem]) {
    let start = Instant::now();
    for pm in data {
        store.create(pm, "bench").await.expect("create");
    }
    let import = start.elapsed();
    println!(
        "| {name} | import | {} postmortems | {:.1} s total, {:.0} per second |",
        data.len(),
        import.as_secs_f64(),
        data.len() as f64 / import.as_secs_f64()
    );

    let runs = 50;
    let all = Filter::default();
    for query in QUERIES {
        let hits = store.search(query, &all).await.expect("search");
        let (median, p95) = time(runs, || store.search(query, &all)).await;
        println!(
            "| {name} | search `{query}` | {} hits | median {} ms, p95 {} ms |",
            hits.len(),
            ms(median),
            ms(p95)
        );
    }
    let filters = [
        (
            "list, first 50",
            Filter {
                limit: Some(50),
                ..Default::default()
            },
        ),
        (
            "list service=checkout, first 50",
            Filter {
                service: Some("checkout".into()),
                limit: Some(50),
                ..Default::default()
            },
        ),
        (
            "list severity=SEV1 (all)",
            Filter {
                severity: Some(Severity::Sev1),
                ..Default::default()
            },
        ),
    ];
    for (label, filter) in filters {
        let rows = store.list(&filter).await.expect("list").len();
        let (median, p95) = time(runs, || store.list(&filter)).await;
        println!(
            "| {name} | {label} | {rows} rows | median {} ms, p95 {} ms |",
            ms(median),
            ms(p95)
        );
    }
    let overdue = ActionFilter {
        overdue_on: NaiveDate::from_ymd_opt(2026, 11, 1),
        ..Default::default()
    };
    let rows = store.actions(&overdue).await.expect("actions").len();
    let (median, p95) = time(runs, || store.actions(&overdue)).await;
    println!(
        "| {name} | overdue action items (all) | {rows} rows | median {} ms, p95 {} ms |",
        ms(median),
        ms(p95)
    );
    let (median, p95) = time(runs, || store.get("PM-5000")).await;
    println!(
        "| {name} | get one by key | 1 | median {} ms, p95 {} ms |",
        ms(median),
        ms(p95)
    );
}

#[tokio::main]
async fn main() {
    let n = std::env::var("HINDSIGHT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let data = data_set(n);
    println!("| backend | operation | size | time |\n|---|---|---|---|");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let sqlite = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("sqlite");
    bench("SQLite", &sqlite, &data).await;

    match ScratchDatabase::create().await {
        Ok(db) => {
            let pg = PgStore::open_with(db.options()).await.expect("postgres");
            bench("PostgreSQL", &pg, &data).await;
            pg.close().await;
        }
        Err(e) => eprintln!("PostgreSQL skipped: {e}"),
    }
}
