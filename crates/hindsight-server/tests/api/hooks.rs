//! `POST /hooks/...`: signed and token-authenticated deliveries, refusals,
//! duplicates, and the scenario deploy -> alerts -> page -> rollback ->
//! resolved giving one deploy postmortem, on both backends.
//!
//! The metrics these tests check (refusals, duplicates) are process-wide, so
//! each test re-runs this test binary for one ignored test: the counts are
//! that test's own. The webhook secrets are given in the server's config.

use std::process::Command;

use hindsight_core::vocab::{Role, TokenScope};
use hindsight_core::{EventKind, Kind, Milestone, Severity};
use hindsight_hooks::policy::PolicyConfig;
use hindsight_hooks::signature::{github_header, pagerduty_header};
use hindsight_server::intake::resume;
use hindsight_store::{DeliveryStatus, NewDelivery, Recorded};
use reqwest::{Method, StatusCode};

use crate::support::{Backend, Client, Reply, Server};

const CHILD: &str = "HINDSIGHT_HOOKS_TEST_CHILD";
/// The secrets the server accepts: two for GitHub, as while one is rotated.
const GITHUB_SECRETS: &[&str] = &["gh-new", "gh-old"];
const PAGERDUTY_SECRETS: &[&str] = &["pd-new"];

/// A server of `backend` that knows the webhook secrets.
async fn server(backend: Backend) -> Server {
    Server::start_with(backend, |c| {
        c.hooks.github_secrets = GITHUB_SECRETS.iter().map(|s| s.to_string()).collect();
        c.hooks.pagerduty_secrets = PAGERDUTY_SECRETS.iter().map(|s| s.to_string()).collect();
    })
    .await
}

/// Runs the ignored test `name` in a child process of its own.
fn in_child(name: &str) {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([name, "--exact", "--ignored", "--test-threads", "1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn require_child() {
    assert!(
        std::env::var(CHILD).is_ok(),
        "run through its parent test, in a process of its own"
    );
}

/// Declares `name::sqlite` and `name::postgres`, each running the ignored
/// `name::child_*` in a child process, which runs the function `name` on a
/// server of that backend.
macro_rules! in_children {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;

                #[test]
                fn sqlite() {
                    in_child(concat!("hooks::", stringify!($name), "::child_sqlite"));
                }

                #[test]
                fn postgres() {
                    in_child(concat!("hooks::", stringify!($name), "::child_postgres"));
                }

                #[tokio::test]
                #[ignore = "run by `sqlite` in a process of its own"]
                async fn child_sqlite() {
                    require_child();
                    super::$name(server(Backend::Sqlite).await).await;
                }

                #[tokio::test]
                #[ignore = "run by `postgres` in a process of its own"]
                async fn child_postgres() {
                    require_child();
                    super::$name(server(Backend::Postgres).await).await;
                }
            }
        )*
    };
}

in_children!(
    deploy_alerts_page_rollback_resolved,
    forged_duplicate_and_malformed_deliveries_change_nothing,
);

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../hindsight-hooks/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn github(client: &Client, event: &str, delivery: &str, body: &str, secret: &str) -> Reply {
    let signature = github_header(secret.as_bytes(), body.as_bytes());
    client
        .send(
            Method::POST,
            "/hooks/github",
            Some(("application/json", body.to_string())),
            &[
                ("X-GitHub-Event", event),
                ("X-GitHub-Delivery", delivery),
                ("X-Hub-Signature-256", &signature),
            ],
        )
        .await
}

async fn pagerduty(client: &Client, body: &str, secrets: &[&str]) -> Reply {
    let signature = pagerduty_header(secrets, body.as_bytes());
    client
        .send(
            Method::POST,
            "/hooks/pagerduty",
            Some(("application/json", body.to_string())),
            &[("X-PagerDuty-Signature", &signature)],
        )
        .await
}

async fn unsigned(client: &Client, source: &str, body: &str) -> Reply {
    client
        .send(
            Method::POST,
            &format!("/hooks/{source}"),
            Some(("application/json", body.to_string())),
            &[],
        )
        .await
}

fn accepted(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    assert_eq!(reply.json()["status"], "processed", "{}", reply.text);
}

async fn deploy_alerts_page_rollback_resolved(server: Server) {
    let anonymous = server.anonymous();
    let alerts = server
        .client_for("alertmanager", Role::Editor, TokenScope::Webhook)
        .await;
    let deliver = async |round: &str| {
        let g = |n: &str| format!("{round}{n}");
        let previous = fixture("github_deployment_previous.json");
        let replies = vec![
            github(&anonymous, "deployment", &g("g1"), &previous, "gh-new").await,
            github(
                &anonymous,
                "deployment",
                &g("g2"),
                &fixture("github_deployment.json"),
                "gh-new",
            )
            .await,
            github(
                &anonymous,
                "deployment_status",
                &g("g3"),
                &fixture("github_deployment_status_success.json"),
                "gh-old",
            )
            .await,
            unsigned(
                &alerts,
                "alertmanager",
                &fixture("alertmanager_firing.json"),
            )
            .await,
            pagerduty(
                &anonymous,
                &fixture("pagerduty_triggered.json"),
                &["pd-new"],
            )
            .await,
            pagerduty(
                &anonymous,
                &fixture("pagerduty_acknowledged.json"),
                &["pd-old", "pd-new"],
            )
            .await,
            github(
                &anonymous,
                "deployment",
                &g("g4"),
                &fixture("github_deployment_rollback.json"),
                "gh-new",
            )
            .await,
            unsigned(
                &alerts,
                "alertmanager",
                &fixture("alertmanager_resolved.json"),
            )
            .await,
            pagerduty(&anonymous, &fixture("pagerduty_resolved.json"), &["pd-new"]).await,
        ];
        replies
    };
    for reply in deliver("a-").await {
        accepted(&reply);
    }
    // The same deliveries again: duplicates, nothing done.
    let again = deliver("a-").await;
    assert!(
        again
            .iter()
            .all(|r| r.status == StatusCode::OK && r.json()["status"] == "duplicate")
    );
    // GitHub redelivering under new ids: processed, still one postmortem.
    for reply in deliver("b-")
        .await
        .iter()
        .filter(|r| r.status != StatusCode::OK)
    {
        accepted(reply);
    }

    let all = server.store.load_all(&Default::default()).await.unwrap();
    assert_eq!(
        all.len(),
        1,
        "{:#?}",
        all.iter().map(|p| &p.title).collect::<Vec<_>>()
    );
    let pm = &all[0];
    assert_eq!(pm.kind, Kind::Deploy);
    assert_eq!(pm.severity, Some(Severity::Sev2));
    assert_eq!(
        pm.title,
        "Deploy 1001 of checkout to production rolled back"
    );
    let release = pm.release.as_ref().unwrap();
    assert_eq!(release.deploy_id.as_deref(), Some("1001"));
    // Every release gate is listed for the author to fill in.
    assert_eq!(release.gates.len(), hindsight_core::Gate::ALL.len());
    assert!(
        release
            .gates
            .iter()
            .all(|g| g.outcome == hindsight_core::GateOutcome::Unknown)
    );
    assert_eq!(release.artifact.as_deref(), Some("acme/checkout@main"));
    assert_eq!(
        release.version.as_deref(),
        Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")
    );
    assert_eq!(
        release.rolled_back_at.unwrap().to_rfc3339(),
        "2026-03-10T14:22:00+00:00"
    );
    let m = &pm.milestones;
    let hm = |t: Option<chrono::DateTime<chrono::Utc>>| t.unwrap().format("%H:%M:%S").to_string();
    assert_eq!(
        [
            hm(m.started),
            hm(m.detected),
            hm(m.acknowledged),
            hm(m.mitigated),
            hm(m.resolved)
        ],
        ["14:00:00", "14:08:00", "14:15:31", "14:22:00", "14:29:00"]
    );
    let timeline: Vec<(EventKind, Option<Milestone>, &str)> = pm
        .timeline
        .iter()
        .map(|e| (e.kind, e.milestone, e.source.as_str()))
        .collect();
    assert_eq!(
        timeline,
        [
            (EventKind::Deploy, Some(Milestone::Started), "github"),
            (EventKind::Deploy, None, "github"),
            (EventKind::Alert, Some(Milestone::Detected), "alertmanager"),
            (EventKind::Page, None, "pagerduty"),
            (EventKind::Ack, Some(Milestone::Acknowledged), "pagerduty"),
            (EventKind::Rollback, Some(Milestone::Mitigated), "github"),
            (EventKind::Alert, Some(Milestone::Resolved), "alertmanager"),
            (EventKind::Resolution, None, "pagerduty"),
        ]
    );
    let failed = server
        .store
        .deliveries(Some(DeliveryStatus::Failed), 100)
        .await
        .unwrap();
    assert!(failed.is_empty(), "{failed:#?}");
    server.stop().await;
}

async fn forged_duplicate_and_malformed_deliveries_change_nothing(server: Server) {
    let anonymous = server.anonymous();
    let body = fixture("github_deployment_status_failure.json");
    // 1,000 forged and duplicate deliveries, all refused or reported.
    let first = github(&anonymous, "deployment_status", "d-1", &body, "gh-new").await;
    accepted(&first);
    let mut forged = 0;
    let mut duplicates = 0;
    for n in 0..500 {
        let reply = github(
            &anonymous,
            "deployment_status",
            &format!("f-{n}"),
            &body,
            "wrong",
        )
        .await;
        forged += usize::from(reply.status == StatusCode::UNAUTHORIZED);
        let reply = github(&anonymous, "deployment_status", "d-1", &body, "gh-new").await;
        duplicates +=
            usize::from(reply.status == StatusCode::OK && reply.json()["status"] == "duplicate");
    }
    assert_eq!((forged, duplicates), (500, 500));
    assert_eq!(server.store.count().await.unwrap(), 1);
    assert_eq!(server.store.deliveries(None, 2000).await.unwrap().len(), 1);

    let unsigned_github = anonymous
        .send(
            Method::POST,
            "/hooks/github",
            Some(("application/json", body.clone())),
            &[
                ("X-GitHub-Event", "deployment_status"),
                ("X-GitHub-Delivery", "d-2"),
            ],
        )
        .await;
    assert_eq!(unsigned_github.status, StatusCode::UNAUTHORIZED);
    assert!(
        unsigned_github.text.contains("X-Hub-Signature-256"),
        "{}",
        unsigned_github.text
    );
    let tampered = pagerduty(
        &anonymous,
        &fixture("pagerduty_triggered.json"),
        &["pd-old"],
    )
    .await;
    assert_eq!(tampered.status, StatusCode::UNAUTHORIZED);
    // Unsigned senders need a token, and of scope webhook.
    let events = fixture("events_deploy_rolled_back.json");
    assert_eq!(
        unsigned(&anonymous, "events", &events).await.status,
        StatusCode::UNAUTHORIZED
    );
    let writer = server.editor().await;
    assert_eq!(
        unsigned(&writer, "events", &events).await.status,
        StatusCode::UNAUTHORIZED
    );
    let hooks = server
        .client_for("ci", Role::Editor, TokenScope::Webhook)
        .await;
    let malformed = unsigned(
        &hooks,
        "events",
        r#"{"type":"deploy.failed","at":"2026-03-10T14:00:00Z","title":"x"}"#,
    )
    .await;
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.text
    );
    assert_eq!(malformed.json()["error"]["field"], "deploy");
    let unknown = unsigned(&hooks, "jenkins", &events).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    accepted(&unsigned(&hooks, "events", &events).await);
    // Flagger cannot send headers: the token may come in the URL.
    let path = format!("/hooks/flagger?token={}", hooks.token().unwrap());
    let flagger = anonymous
        .send(
            Method::POST,
            &path,
            Some(("application/json", fixture("flagger_failed.json"))),
            &[],
        )
        .await;
    accepted(&flagger);

    assert_eq!(
        server.store.count().await.unwrap(),
        3,
        "the GitHub failure, the Jenkins rollback and the Flagger rollback"
    );
    let failed = server
        .store
        .deliveries(Some(DeliveryStatus::Failed), 10)
        .await
        .unwrap();
    assert_eq!(
        failed.len(),
        1,
        "the malformed delivery is kept for the operator"
    );
    assert!(failed[0].error.as_deref().unwrap().contains("`deploy`"));
    let stored = server
        .store
        .deliveries(Some(DeliveryStatus::Processed), 10)
        .await
        .unwrap();
    let headers = &stored[0].headers;
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "authorization" && v == "[redacted]"),
        "{headers:?}"
    );

    // Every refusal and duplicate is counted (this child process ran only this test).
    let metrics = anonymous.get("/metrics").await.text;
    let count = |name: &str, labels: &[&str]| -> f64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) && labels.iter().all(|x| l.contains(x)))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    let rejected = "hindsight_webhook_rejected_total";
    let github = r#"source="github""#;
    assert_eq!(
        count(rejected, &[github, r#"reason="signature""#]),
        501.0,
        "{metrics}"
    );
    assert_eq!(count(rejected, &[r#"source="events""#]), 2.0, "{metrics}");
    let deliveries = "hindsight_webhook_deliveries_total";
    assert_eq!(
        count(deliveries, &[github, r#"status="duplicate""#]),
        500.0,
        "{metrics}"
    );

    // Operators: admins list and replay deliveries.
    let admin = server.admin().await;
    let listed = admin.get("/hooks/deliveries?status=failed").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let listed = listed.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("body").is_none());
    assert_eq!(
        writer.get("/hooks/deliveries").await.status,
        StatusCode::FORBIDDEN
    );
    let bad = admin.get("/hooks/deliveries?status=lost").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let path = format!("/hooks/deliveries/{}/replay", failed[0].id);
    let replayed = admin.post(&path, &serde_json::json!({})).await;
    assert_eq!(replayed.json()["status"], "failed", "{}", replayed.text);
    let path = format!("/hooks/deliveries/{}/replay", stored[0].id);
    let replayed = admin.post(&path, &serde_json::json!({})).await;
    assert_eq!(replayed.json()["status"], "processed", "{}", replayed.text);
    assert_eq!(
        admin
            .post("/hooks/deliveries/999999/replay", &serde_json::json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Acknowledged but not processed (the server stopped): resumed.
    let Recorded::New(pending) = server
        .store
        .record_delivery(&NewDelivery {
            source: "events".into(),
            delivery_id: "pending-1".into(),
            received_at: chrono::Utc::now(),
            headers: Vec::new(),
            body: fixture("events_deploy_rolled_back.json")
                .replace("jenkins-4411", "jenkins-4412")
                .replace("billing-4411", "billing-4412")
                .into_bytes(),
        })
        .await
        .unwrap()
    else {
        panic!("not recorded");
    };
    let resumed = resume(&*server.store, &PolicyConfig::default(), chrono::Utc::now()).await;
    assert_eq!(resumed.unwrap(), 1);
    let pending = server.store.delivery(pending).await.unwrap().unwrap();
    assert_eq!(pending.status, DeliveryStatus::Processed, "{pending:?}");
    server.stop().await;
}
