//! Webhook ingest benchmark: sustained deliveries through the whole intake
//! (store raw, normalise, store events, trigger policy, record the outcome)
//! from concurrent senders, on SQLite and on PostgreSQL, beside the ceiling:
//! the raw insert rate of the same rows (delivery, events, outcome) without
//! parsing or policy. Prints a Markdown table (docs/hooks.md keeps results).
//!
//!     scripts/with-postgres cargo bench -p hindsight-server --bench ingest
//!
//! `HINDSIGHT_BENCH_N` deliveries per run (default 4000), `HINDSIGHT_BENCH_SENDERS`
//! concurrent senders (default 8). PostgreSQL is skipped with a note when
//! HINDSIGHT_TEST_POSTGRES_URL is not set. The HTTP layer is not included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hindsight_hooks::policy::PolicyConfig;
use hindsight_hooks::{Source, parse};
use hindsight_server::intake::{Received, receive};
use hindsight_store::scratch::ScratchDatabase;
use hindsight_store::{
    DeliveryStatus, NewDelivery, Outcome, PgStore, Recorded, SqliteStore, Store, StoredEvent,
};

/// An Alertmanager v4 notification of one firing alert, different each time.
fn alert(n: usize) -> Vec<u8> {
    let service = format!("service-{}", n % 20);
    let minute = n % 60;
    serde_json::json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"HighLatency\",service=\"{service}\"}}"),
        "status": "firing",
        "receiver": "hindsight",
        "groupLabels": {"alertname": "HighLatency"},
        "commonLabels": {"alertname": "HighLatency", "service": service, "severity": "warning"},
        "commonAnnotations": {},
        "externalURL": "https://alertmanager.example.com",
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": "HighLatency", "service": service, "severity": "warning",
                       "instance": format!("10.0.{}.{}:8080", n / 250, n % 250)},
            "annotations": {"summary": "p99 latency above 500ms"},
            "startsAt": format!("2026-03-10T14:{minute:02}:00Z"),
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "https://prometheus.example.com/graph",
            "fingerprint": format!("{n:016x}")
        }]
    })
    .to_string()
    .into_bytes()
}

struct Run {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `n` deliveries from `senders` concurrent tasks, each timed.
async fn run<F, Fut>(n: usize, senders: usize, one: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let one = Arc::new(one);
    let start = Instant::now();
    let tasks: Vec<_> = (0..senders)
        .map(|s| {
            let one = one.clone();
            tokio::spawn(async move {
                let mut times = Vec::new();
                for i in (s..n).step_by(senders) {
                    let t = Instant::now();
                    one(i).await;
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times = Vec::with_capacity(n);
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let total = start.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Run {
        per_second: n as f64 / total.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// The whole intake.
async fn ingest(store: Arc<dyn Store>, n: usize, senders: usize) -> Run {
    let policy = Arc::new(PolicyConfig::default());
    let received = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
    run(n, senders, move |i| {
        let (store, policy) = (store.clone(), policy.clone());
        async move {
            let got = receive(
                &*store,
                &policy,
                Source::Alertmanager,
                &[],
                &alert(i),
                received,
            )
            .await
            .unwrap();
            assert!(matches!(got, Received::Accepted { .. }), "{got:?}");
        }
    })
    .await
}

/// A delivery's id, body and events, ready to write.
type RawRow = (String, Vec<u8>, Vec<StoredEvent>);

/// The same rows, written directly: the ceiling.
async fn raw(store: Arc<dyn Store>, n: usize, senders: usize) -> Run {
    let received = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
    // Parsed up front: only the writes are timed.
    let rows: Arc<Vec<RawRow>> = Arc::new(
        (0..n)
            .map(|i| {
                let body = alert(i);
                let parsed = parse(Source::Alertmanager, &[], &body, received).unwrap();
                let events = parsed
                    .events
                    .iter()
                    .map(|e| StoredEvent {
                        at: e.at,
                        service: e.service.clone(),
                        event: serde_json::to_value(e).unwrap(),
                    })
                    .collect();
                (format!("raw-{}", parsed.delivery_id), body, events)
            })
            .collect(),
    );
    run(n, senders, move |i| {
        let (store, rows) = (store.clone(), rows.clone());
        async move {
            let (id, body, events) = &rows[i];
            let Recorded::New(row) = store
                .record_delivery(&NewDelivery {
                    source: "alertmanager".into(),
                    delivery_id: id.clone(),
                    received_at: received,
                    headers: Vec::new(),
                    body: body.clone(),
                })
                .await
                .unwrap()
            else {
                panic!("duplicate");
            };
            store.save_hook_events(row, events).await.unwrap();
            let outcome = Outcome {
                status: DeliveryStatus::Processed,
                error: None,
                outcome: Some("recorded".into()),
                postmortem_id: None,
                at: received,
            };
            store.finish_delivery(row, &outcome).await.unwrap();
        }
    })
    .await
}

fn row(backend: &str, what: &str, r: &Run) {
    println!(
        "| {backend} | {what} | {:.0} | {:.1} | {:.1} |",
        r.per_second,
        r.p50.as_secs_f64() * 1000.0,
        r.p99.as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("HINDSIGHT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let senders: usize = std::env::var("HINDSIGHT_BENCH_SENDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    println!(
        "{n} Alertmanager deliveries (one firing alert each, 20 services), {senders} concurrent senders\n"
    );
    println!("| backend | path | deliveries/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    for (what, path) in [("raw insert (ceiling)", "raw.db"), ("intake", "intake.db")] {
        let path = dir.path().join(path);
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
        let r = if what == "intake" {
            ingest(store, n, senders).await
        } else {
            raw(store, n, senders).await
        };
        row("SQLite", what, &r);
    }
    if std::env::var(hindsight_store::scratch::TEST_SERVER_VAR).is_err() {
        println!(
            "\nPostgreSQL skipped: {} is not set.",
            hindsight_store::scratch::TEST_SERVER_VAR
        );
        return;
    }
    for what in ["raw insert (ceiling)", "intake"] {
        let db = ScratchDatabase::create().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(PgStore::open_with(db.options()).await.unwrap());
        let r = if what == "intake" {
            ingest(store, n, senders).await
        } else {
            raw(store, n, senders).await
        };
        row("PostgreSQL", what, &r);
    }
}
