//! `hindsight hooks list|replay` and `hindsight timeline import-slack`, run as
//! real processes on a real SQLite file.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

use chrono::{DateTime, TimeZone, Utc};
use hindsight_core::{EventKind, Kind, Postmortem};
use hindsight_hooks::Source;
use hindsight_hooks::policy::PolicyConfig;
use hindsight_server::intake::{Received, receive};
use hindsight_store::{Deliveries, DeliveryStatus, NewDelivery, Recorded, SqliteStore, Store};
use serde_json::json;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> String {
        self.path("hindsight.db").display().to_string()
    }

    async fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.db()).await.unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env("HINDSIGHT_ACTOR", "tester")
            .env_remove("HINDSIGHT_DB")
            .env_remove("HINDSIGHT_HOOKS_POLICY")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "hindsight {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, h, m, s).single().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../hindsight-hooks/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn github(event: &str, delivery: &str) -> Vec<(String, String)> {
    vec![
        ("X-GitHub-Event".into(), event.into()),
        ("X-GitHub-Delivery".into(), delivery.into()),
    ]
}

/// One Slack message as the export writes it.
fn message(ts: f64, user: &str, text: &str) -> serde_json::Value {
    json!({"type": "message", "user": user, "text": text, "ts": format!("{ts:.6}")})
}

/// A Slack export of two days of #inc-checkout (and an unrelated channel).
fn slack_export(path: &PathBuf) {
    let base = t(14, 0, 0).timestamp() as f64;
    let mut pinned = message(
        base + 60.0,
        "U01",
        "Rolling back to 2.13.0 now, <@U02> watch the error rate",
    );
    pinned["pinned_to"] = json!(["C01"]);
    pinned["thread_ts"] = json!(format!("{:.6}", base + 60.0));
    pinned["reply_count"] = json!(1);
    let mut reply = message(base + 400.0, "U02", "Error rate back under 0.1%");
    reply["thread_ts"] = json!(format!("{:.6}", base + 60.0));
    let mut reacted = message(
        base + 200.0,
        "U02",
        "Customers report failed payments\nsince 14:00",
    );
    reacted["reactions"] = json!([{"name": "timeline", "users": ["U01"], "count": 1}]);
    let chatter = message(base + 300.0, "U01", "coffee?");
    let mut join = message(base + 10.0, "U03", "<@U03> has joined the channel");
    join["subtype"] = json!("channel_join");
    let day1 = json!([join, pinned, reacted, chatter, reply]);
    let day2 = json!([message(base + 86_400.0, "U01", "Postmortem draft is up")]);
    let users = json!([
        {"id": "U01", "name": "priya", "real_name": "Priya Raman", "profile": {"real_name": "Priya Raman", "display_name": ""}},
        {"id": "U02", "name": "tom", "profile": {"display_name": "Tom B."}}
    ]);
    let channels = json!([{"id": "C01", "name": "inc-checkout"}, {"id": "C02", "name": "random"}]);
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, value) in [
        ("channels.json", channels),
        ("users.json", users),
        ("inc-checkout/2026-03-10.json", day1),
        ("inc-checkout/2026-03-11.json", day2),
        (
            "random/2026-03-10.json",
            json!([message(base, "U01", "hello")]),
        ),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(value.to_string().as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[tokio::test]
async fn slack_pins_reactions_and_threads_go_into_the_timeline_once() {
    let sb = Sandbox::new();
    let pm = Postmortem::new("Checkout errors", Kind::Deploy, t(15, 0, 0));
    let pm = sb.store().await.create(&pm, "tester").await.unwrap();
    let export = sb.path("export.zip");
    slack_export(&export);
    let export = export.display().to_string();
    let args = [
        "timeline",
        "import-slack",
        &export,
        "--channel",
        "#inc-checkout",
        "--postmortem",
        "PM-1",
        "--reaction",
        "timeline",
    ];
    let out = sb.ok(&args);
    assert!(
        out.contains("added 2 Slack message(s) from #inc-checkout to PM-1, updated 0"),
        "{out}"
    );
    let stored = sb
        .store()
        .await
        .get(&pm.id.to_string())
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<(DateTime<Utc>, &str)> = stored
        .timeline
        .iter()
        .map(|e| (e.at, e.text.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (
                t(14, 1, 0),
                "Priya Raman in #inc-checkout: Rolling back to 2.13.0 now, @Tom B. watch the error rate \
                 | ↳ Tom B. 14:06: Error rate back under 0.1%"
            ),
            (
                t(14, 3, 20),
                "Tom B. in #inc-checkout: Customers report failed payments since 14:00"
            ),
        ],
        "the pinned thread is one entry, its reply folded in; times are the post times"
    );
    assert!(
        stored
            .timeline
            .iter()
            .all(|e| e.kind == EventKind::Communication && e.source == "slack")
    );
    assert_eq!(stored.version, 2);
    // Importing again adds nothing and saves nothing.
    let out = sb.ok(&args);
    assert!(
        out.contains("added 0 Slack message(s)") && out.contains("(2 already there)"),
        "{out}"
    );
    assert_eq!(
        sb.store().await.get("PM-1").await.unwrap().unwrap().version,
        2
    );
}

#[tokio::test]
async fn slack_time_windows_and_mistakes() {
    let sb = Sandbox::new();
    let pm = Postmortem::new("Checkout errors", Kind::Deploy, t(15, 0, 0));
    sb.store().await.create(&pm, "tester").await.unwrap();
    let export = sb.path("export.zip");
    slack_export(&export);
    let export = export.display().to_string();
    let out = sb.ok(&[
        "timeline",
        "import-slack",
        &export,
        "--channel",
        "inc-checkout",
        "--postmortem",
        "PM-1",
        "--since",
        "2026-03-10T15:02:00+01:00",
        "--until",
        "2026-03-10T14:04:59Z",
    ]);
    // 14:02-14:05 UTC: the reacted message (14:03:20) only; the join is bookkeeping.
    assert!(out.contains("added 1 Slack message(s)"), "{out}");
    let out = sb.run(&[
        "timeline",
        "import-slack",
        &export,
        "--channel",
        "incidents",
        "--postmortem",
        "PM-1",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("inc-checkout, random"),
        "{err}"
    );
    let out = sb.run(&[
        "timeline",
        "import-slack",
        &export,
        "--channel",
        "inc-checkout",
        "--postmortem",
        "PM-1",
        "--since",
        "2026-03-10T14:00:00",
    ]);
    assert!(!out.status.success());
    let out = sb.run(&[
        "timeline",
        "import-slack",
        "missing.zip",
        "--channel",
        "x",
        "--postmortem",
        "PM-1",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open missing.zip"));
}

#[tokio::test]
async fn deliveries_are_listed_and_replayed_without_a_second_postmortem() {
    let sb = Sandbox::new();
    let store = sb.store().await;
    let policy = PolicyConfig::default();
    let deliver = |event: &'static str, delivery: &'static str, file: &'static str| {
        let store = store.clone();
        let policy = policy.clone();
        async move {
            receive(
                &store,
                &policy,
                Source::Github,
                &github(event, delivery),
                &fixture(file),
                t(15, 0, 0),
            )
            .await
            .unwrap()
        }
    };
    deliver("deployment", "g-1", "github_deployment_previous.json").await;
    deliver("deployment", "g-2", "github_deployment.json").await;
    let failed = deliver(
        "deployment_status",
        "g-3",
        "github_deployment_status_failure.json",
    )
    .await;
    let Received::Accepted {
        id: failed_id,
        outcome,
    } = failed
    else {
        panic!("{failed:?}")
    };
    assert!(outcome.outcome.unwrap().contains("opened PM-1"));
    let malformed = deliver("deployment", "g-4", "alertmanager_firing.json").await;
    assert!(
        matches!(malformed, Received::Malformed { .. }),
        "{malformed:?}"
    );
    // Acknowledged, then the server died before processing: left `received`.
    let Recorded::New(pending) = store
        .record_delivery(&NewDelivery {
            source: "github".into(),
            delivery_id: "g-5".into(),
            received_at: t(15, 0, 0),
            headers: github("deployment", "g-5"),
            body: fixture("github_deployment_rollback.json"),
        })
        .await
        .unwrap()
    else {
        panic!()
    };

    let out = sb.ok(&["hooks", "list", "--status", "failed"]);
    assert!(
        out.contains("g-4") && out.contains("missing field `deployment`"),
        "{out}"
    );
    assert!(!out.contains("g-3"), "{out}");
    let listed: serde_json::Value =
        serde_json::from_str(&sb.ok(&["hooks", "list", "--json"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 5);
    assert_eq!(listed[0]["status"], "received");

    let out = sb.ok(&["hooks", "replay", "--pending"]);
    assert_eq!(out, "processed 1 pending deliveries\n");
    let replayed = store.delivery(pending).await.unwrap().unwrap();
    assert_eq!(replayed.status, DeliveryStatus::Processed);
    assert!(replayed.outcome.unwrap().contains("appended"));
    let out = sb.ok(&["hooks", "replay", &pending.to_string()]);
    assert!(
        out.contains("processed") && out.contains("already there"),
        "{out}"
    );
    let out = sb.ok(&["hooks", "replay", &failed_id.to_string()]);
    assert!(out.contains("already there"), "{out}");
    let out = sb.run(&["hooks", "replay", "999"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no delivery 999"));

    assert_eq!(store.count().await.unwrap(), 1, "one deploy postmortem");
    let pm = store.get("PM-1").await.unwrap().unwrap();
    let release = pm.release.unwrap();
    assert_eq!(release.rolled_back_at, Some(t(14, 22, 0)));
    assert_eq!(pm.milestones.mitigated, Some(t(14, 22, 0)));
    let replayed = store.delivery(failed_id).await.unwrap().unwrap();
    assert_eq!(
        (replayed.status, replayed.attempts),
        (DeliveryStatus::Processed, 2)
    );
}
