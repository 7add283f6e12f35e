//! Insight at scale through the server, on SQLite and on PostgreSQL: metrics,
//! pattern review, similar postmortems, a chart and the report over 100,000
//! stored postmortems, each request through the real router (no network) with
//! an API token, as a caller sees them. Times the first answer after start
//! (every postmortem loaded and every published one linted and scored), the
//! answers after that (only the store's revision is read again), and the
//! answer after one postmortem changed (the id/version list read, the one
//! postmortem reloaded and judged). Prints a Markdown table
//! (docs/bench/insight.md keeps results).
//!
//!     scripts/with-postgres cargo bench -p hindsight-server --bench insight
//!
//! `HINDSIGHT_BENCH_N` changes the number of postmortems (default 100,000).
//! PostgreSQL is skipped with a note when HINDSIGHT_TEST_POSTGRES_URL is not set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, Utc};
use hindsight_auth::Token;
use hindsight_core::vocab::{Role, TokenScope};
use hindsight_core::{Postmortem, demo};
use hindsight_server::config::Config;
use hindsight_store::scratch::ScratchDatabase;
use hindsight_store::{ApiToken, AuditAction, Dump, PgStore, SqliteStore, Store, User};
use tower::ServiceExt;

/// The requests timed, as (label, path); `{key}` is a postmortem's key.
const REQUESTS: &[(&str, &str)] = &[
    (
        "metrics, one quarter vs the previous",
        "/api/v1/metrics?period=2026-Q3",
    ),
    (
        "metrics by service",
        "/api/v1/metrics?period=2026-Q3&by=service",
    ),
    (
        "metrics, one service",
        "/api/v1/metrics?period=2026-Q3&service=checkout",
    ),
    (
        "pattern review, one quarter",
        "/api/v1/patterns?period=2026-Q3",
    ),
    (
        "similar postmortems, top 5",
        "/api/v1/postmortems/{key}/similar?limit=5",
    ),
    (
        "chart: incidents per month",
        "/api/v1/charts/incidents?period=2026-Q3",
    ),
    (
        "quarterly report (Markdown)",
        "/api/v1/report?period=2026-Q3",
    ),
];

/// `n` postmortems keyed PM-1.. in storage order.
fn data_set(n: usize) -> Vec<Postmortem> {
    let last = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date");
    let mut pms = demo::at_scale(n, last);
    for (i, pm) in pms.iter_mut().enumerate() {
        pm.key = Some(format!("PM-{}", i + 1));
    }
    pms
}

/// A new API token of `scope` for a new account `name` of `role`.
async fn token(store: &dyn Store, name: &str, role: Role, scope: TokenScope) -> String {
    let user = User {
        name: name.into(),
        display_name: name.into(),
        role,
        groups: Vec::new(),
        disabled: false,
        created_at: Utc::now(),
    };
    store.create_user(&user, None, "bench").await.unwrap();
    let token = Token::generate().unwrap();
    let record = ApiToken::issued(name, "bench", scope, token.prefix(), Utc::now(), None);
    store
        .create_token(&record, &token.hash(), "bench")
        .await
        .unwrap();
    token.to_string()
}

/// One GET through the router; panics unless it answers 200.
async fn get(app: &Router, path: &str, token: &str) -> Duration {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let start = Instant::now();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    took
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn bench(name: &str, store: Arc<dyn Store>, data: &[Postmortem]) {
    let start = Instant::now();
    store
        .restore(&Dump {
            postmortems: data.to_vec(),
            ..Dump::default()
        })
        .await
        .unwrap();
    eprintln!(
        "{name}: stored {} postmortems in {:.1} s",
        data.len(),
        start.elapsed().as_secs_f64()
    );
    let viewer = token(&*store, "vic", Role::Viewer, TokenScope::Read).await;
    let key = format!("PM-{}", data.len() / 2);

    for (label, all) in [
        ("store: revision (read on each request)", false),
        (
            "store: id and version of every postmortem (read after a change)",
            true,
        ),
    ] {
        let mut samples = Vec::new();
        for _ in 0..10 {
            let start = Instant::now();
            if all {
                std::hint::black_box(store.stamps().await.unwrap());
            } else {
                std::hint::black_box(store.revision().await.unwrap());
            }
            samples.push(start.elapsed());
        }
        samples.sort();
        println!(
            "| {name} | {label} | {} | {} |",
            ms(samples[samples.len() / 2]),
            ms(samples[samples.len() - 1])
        );
    }

    // The server starts warming its snapshot at once; the first request waits
    // for it, so this is the time from start to the first answer.
    let start = Instant::now();
    let app = hindsight_server::app(Arc::clone(&store), &Config::default()).unwrap();
    get(&app, REQUESTS[0].1, &viewer).await;
    println!(
        "| {name} | first answer after start (load + lint/score every published one) | {} | |",
        ms(start.elapsed())
    );

    for (label, path) in REQUESTS {
        let path = path.replace("{key}", &key);
        get(&app, &path, &viewer).await;
        let mut samples = Vec::new();
        for _ in 0..10 {
            samples.push(get(&app, &path, &viewer).await);
        }
        samples.sort();
        println!(
            "| {name} | {label} | {} | {} |",
            ms(samples[samples.len() / 2]),
            ms(samples[samples.len() - 1])
        );
    }

    let mut pm = store.get(&key).await.unwrap().unwrap();
    pm.summary.push_str(" Updated for the benchmark.");
    store
        .update(&pm, "bench", AuditAction::Update)
        .await
        .unwrap();
    let after = get(&app, REQUESTS[0].1, &viewer).await;
    println!(
        "| {name} | metrics after one postmortem changed (reload it, judge it) | {} | |",
        ms(after)
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("HINDSIGHT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let data = data_set(n);
    println!("| backend | request ({n} postmortems, as a viewer) | median ms | max of 10 ms |");
    println!("|---|---|---:|---:|");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let sqlite = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    bench("SQLite", Arc::new(sqlite), &data).await;

    match ScratchDatabase::create().await {
        Ok(db) => {
            let pg = PgStore::open(&db.url()).await.unwrap();
            bench("PostgreSQL", Arc::new(pg), &data).await;
        }
        Err(e) => println!("\nPostgreSQL skipped: {e}"),
    }
}
