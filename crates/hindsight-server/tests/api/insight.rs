//! Metrics, pattern review, similar postmortems, reports and charts over the
//! API: the numbers on seeded data, and restricted postmortems counted only
//! for those who may read them.

use chrono::{DateTime, TimeZone, Utc};
use hindsight_core::vocab::{Role, TokenScope};
use hindsight_core::{
    ContributingFactor, FactorCategory, FishboneGroup, Kind, Postmortem, Severity, Visibility,
};
use reqwest::StatusCode;

use crate::support::{Server, both_backends};

fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
}

/// A postmortem on checkout with a config factor: `(started, detect,
/// resolve)` is the start and the minutes to detection and resolution.
async fn incident(
    server: &Server,
    (title, summary): (&str, &str),
    severity: Severity,
    (started, detect, resolve): (DateTime<Utc>, i64, i64),
    restricted: bool,
) -> Postmortem {
    let mut pm = Postmortem::new(title, Kind::Incident, started);
    pm.owner = Some("olivia".into());
    pm.severity = Some(severity);
    pm.summary = summary.into();
    pm.services = vec!["checkout".into()];
    pm.milestones.started = Some(started);
    pm.milestones.detected = Some(started + chrono::Duration::minutes(detect));
    pm.milestones.resolved = Some(started + chrono::Duration::minutes(resolve));
    pm.analysis.factors = vec![ContributingFactor {
        id: "F1".into(),
        category: FactorCategory::Config,
        group: FishboneGroup::Technology,
        text: summary.into(),
    }];
    if restricted {
        pm.visibility = Visibility::Restricted;
        pm.restricted_to = vec!["security-team".into()];
    }
    server.store.create(&pm, "test").await.unwrap()
}

struct Seeded {
    before: Postmortem,
    first: Postmortem,
    second: Postmortem,
    secret: Postmortem,
}

/// 2026-Q2: one incident (MTTR 120, MTTD 30). 2026-Q3: two readable ones
/// (MTTR 60 and 180, MTTD 10 and 20) and a restricted one (MTTR 600, MTTD 40)
/// that reads almost like the first.
async fn seed(server: &Server) -> Seeded {
    let text = "The connection pool of the checkout database was exhausted after a config push lowered its size";
    let before = incident(
        server,
        ("Checkout pool exhausted in May", text),
        Severity::Sev2,
        (at(5, 10, 10, 0), 30, 120),
        false,
    )
    .await;
    let first = incident(
        server,
        ("Checkout pool exhausted again", text),
        Severity::Sev2,
        (at(7, 5, 9, 0), 10, 60),
        false,
    )
    .await;
    let second = incident(
        server,
        (
            "Checkout timeouts after a config push",
            "A config push set a timeout too low; requests to the payment provider failed",
        ),
        Severity::Sev1,
        (at(8, 20, 0, 0), 20, 180),
        false,
    )
    .await;
    let secret = incident(
        server,
        (
            "ZEBRA checkout pool exhausted",
            &format!("{text}; zebrastripe credentials were exposed in the pool logs"),
        ),
        Severity::Sev1,
        (at(9, 1, 12, 0), 40, 600),
        true,
    )
    .await;
    Seeded {
        before,
        first,
        second,
        secret,
    }
}

both_backends! {
    async fn metrics_compare_a_period_with_the_one_before_and_count_only_what_the_caller_reads(server: Server) {
        seed(&server).await;
        let viewer = server.client_for("vic", Role::Viewer, TokenScope::Read).await;
        let admin = server.admin().await;

        let r = viewer.get("/api/v1/metrics?period=2026-Q3").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let m = r.json();
        assert_eq!(m["period"], "2026-Q3");
        assert_eq!(m["previous_period"], "2026-Q2");
        assert_eq!(m["current"]["postmortems"], 2);
        assert_eq!(m["current"]["mttr"]["median_minutes"], 120.0);
        assert_eq!(m["current"]["mttd"]["median_minutes"], 15.0);
        assert_eq!(m["current"]["mttr"]["count"], 2);
        assert_eq!(m["current"]["by_severity"]["SEV1"], 1);
        assert_eq!(m["previous"]["postmortems"], 1);
        assert_eq!(m["previous"]["mttr"]["median_minutes"], 120.0);
        // The first recurs (same service and category as May's, 56 days earlier); so does the second.
        assert_eq!(m["current"]["recurrence"]["hits"], 2);
        assert!(!r.text.contains("ZEBRA"));

        let r = admin.get("/api/v1/metrics?period=2026-Q3").await;
        let m = r.json();
        assert_eq!(m["current"]["postmortems"], 3, "{}", r.text);
        assert_eq!(m["current"]["mttr"]["median_minutes"], 180.0);
        assert_eq!(m["current"]["by_severity"]["SEV1"], 2);

        // Grouped, with the previous period's group beside each.
        let m = viewer.get("/api/v1/metrics?period=2026-Q3&by=severity").await.json();
        assert_eq!(m["by"], "severity");
        let groups = m["groups"].as_array().unwrap();
        let sev2 = groups.iter().find(|g| g["key"] == "SEV2").unwrap();
        assert_eq!(sev2["current"]["postmortems"], 1);
        assert_eq!(sev2["previous"]["postmortems"], 1);
        let sev1 = groups.iter().find(|g| g["key"] == "SEV1").unwrap();
        assert_eq!(sev1["current"]["postmortems"], 1);
        assert_eq!(sev1["previous"]["postmortems"], 0);

        // List filters narrow the scope.
        let m = admin.get("/api/v1/metrics?period=2026-Q3&severity=SEV1").await.json();
        assert_eq!(m["current"]["postmortems"], 2);
        assert_eq!(m["previous"]["postmortems"], 0);
        let m = admin.get("/api/v1/metrics?period=2026-07").await.json();
        assert_eq!(m["current"]["postmortems"], 1);
        assert_eq!(m["previous_period"], "2026-06");

        // A member of the group it is restricted to counts it too.
        server.user("sam", Role::Viewer, &["security-team"]).await;
        let sam = server.client_for("sam", Role::Viewer, TokenScope::Read).await;
        let m = sam.get("/api/v1/metrics?period=2026-Q3").await.json();
        assert_eq!(m["current"]["postmortems"], 3);
    }

    async fn patterns_list_the_postmortems_behind_a_recurring_gap(server: Server) {
        let s = seed(&server).await;
        let viewer = server.client_for("vic", Role::Viewer, TokenScope::Read).await;
        let admin = server.admin().await;
        let r = viewer.get("/api/v1/patterns?period=2026-Q3").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let review = r.json();
        assert_eq!(review["period"], "2026-Q3");
        let config = &review["categories"][0];
        assert_eq!(config["category"], "config");
        let handles: Vec<&str> = config["occurrences"].as_array().unwrap().iter()
            .map(|o| o["handle"].as_str().unwrap()).collect();
        let mut expected = vec![s.first.handle(), s.second.handle()];
        expected.sort();
        let mut got: Vec<String> = handles.iter().map(|h| h.to_string()).collect();
        got.sort();
        assert_eq!(got, expected);
        assert!(!r.text.contains("ZEBRA") && !r.text.contains(&s.secret.id.to_string()));

        let review = admin.get("/api/v1/patterns?period=2026-Q3").await.json();
        assert_eq!(review["categories"][0]["occurrences"].as_array().unwrap().len(), 3);
        assert_eq!(review["by_service"][0]["service"], "checkout");
    }

    async fn similar_postmortems_come_with_reasons_and_never_a_restricted_one(server: Server) {
        let s = seed(&server).await;
        let viewer = server.client_for("vic", Role::Viewer, TokenScope::Read).await;
        let admin = server.admin().await;
        let path = format!("/api/v1/postmortems/{}/similar", s.first.handle());

        let r = viewer.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let hits = r.json();
        let hits = hits.as_array().unwrap();
        assert_eq!(hits.len(), 2, "{}", r.text);
        assert_eq!(hits[0]["handle"], s.before.handle().as_str(), "the same text ranks first");
        assert!(hits[0]["reason"].as_str().unwrap().contains("same service (checkout)"), "{}", r.text);
        assert!(hits[0]["shared_factors"].as_array().unwrap().contains(&serde_json::json!("config")));
        assert!(hits.iter().all(|h| h["id"] != s.first.id.to_string().as_str()), "never itself");
        assert!(!r.text.contains(&s.secret.id.to_string()));
        assert!(!r.text.to_lowercase().contains("zebra"), "{}", r.text);

        // The admin reads the restricted one: there it is, with its own words.
        let r = admin.get(&path).await;
        let hits = r.json();
        assert!(hits.as_array().unwrap().iter().any(|h| h["id"] == s.secret.id.to_string().as_str()), "{}", r.text);

        let r = admin.get(&format!("{path}?limit=1")).await;
        assert_eq!(r.json().as_array().unwrap().len(), 1);
        let r = viewer.get(&format!("{path}?limit=0")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["field"], "limit");
        let r = viewer.get(&format!("/api/v1/postmortems/{}/similar", s.secret.handle())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    async fn reports_and_charts_are_documents_over_readable_postmortems(server: Server) {
        seed(&server).await;
        let viewer = server.client_for("vic", Role::Viewer, TokenScope::Read).await;
        let admin = server.admin().await;

        let r = viewer.get("/api/v1/report?period=2026-Q3").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/markdown"));
        assert!(r.text.starts_with("# Reliability review 2026-Q3"), "{}", r.text);
        assert!(r.text.contains("2 postmortems with an incident"), "{}", r.text);
        assert!(r.text.contains("<svg"));
        assert!(!r.text.contains("ZEBRA"));
        let r = admin.get("/api/v1/report?period=2026-Q3&format=html").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(r.text.starts_with("<!DOCTYPE html>"));
        assert!(r.text.contains("3 postmortems with an incident"), "{}", r.text);
        let r = viewer.get("/api/v1/report?period=2026-Q3&format=pdf").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["field"], "format");

        for name in ["mttr", "incidents.svg", "closure", "lag.svg"] {
            let r = viewer.get(&format!("/api/v1/charts/{name}?period=2026-Q3")).await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text);
            assert_eq!(r.headers["content-type"], "image/svg+xml");
            assert!(r.text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{name}");
            assert!(r.text.ends_with("</svg>"));
            assert!(!r.text.contains("<script"));
        }
        // Incidents per month by severity: one SEV1 month (August) for the
        // viewer; September's restricted SEV1 adds one for the admin.
        let one_sev1 = "<title>SEV1: 1 postmortems</title>";
        let viewer_bars = viewer.get("/api/v1/charts/incidents?period=2026-Q3").await.text;
        let admin_bars = admin.get("/api/v1/charts/incidents?period=2026-Q3").await.text;
        assert_eq!(viewer_bars.matches(one_sev1).count(), 1, "{viewer_bars}");
        assert_eq!(admin_bars.matches(one_sev1).count(), 2, "{admin_bars}");
        let r = viewer.get("/api/v1/charts/pie?period=2026-Q3").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.error_code(), "not-found");
    }

    // The server keeps postmortems in memory between insight requests: a
    // change written by anyone (here straight into the database, as another
    // replica would) shows in the next answer.
    async fn insight_answers_follow_every_stored_change(server: Server) {
        let s = seed(&server).await;
        let viewer = server.client_for("vic", Role::Viewer, TokenScope::Read).await;
        let q3 = |v: &serde_json::Value| (v["current"]["postmortems"].clone(), v["current"]["by_severity"]["SEV1"].clone());
        let metrics = "/api/v1/metrics?period=2026-Q3";
        assert_eq!(q3(&viewer.get(metrics).await.json()), (2.into(), 1.into()));

        incident(&server, ("Checkout pool exhausted in September", "pool"), Severity::Sev2,
            (at(9, 9, 9, 0), 5, 30), false).await;
        assert_eq!(q3(&viewer.get(metrics).await.json()), (3.into(), 1.into()));

        let mut second = s.second.clone();
        second.severity = Some(Severity::Sev3);
        server.store.update(&second, "test", hindsight_store::AuditAction::Update).await.unwrap();
        let m = viewer.get(metrics).await.json();
        assert_eq!(q3(&m), (3.into(), serde_json::Value::Null), "{m}");

        let mut secret = s.secret.clone();
        secret.visibility = Visibility::Internal;
        server.store.update(&secret, "test", hindsight_store::AuditAction::Update).await.unwrap();
        assert_eq!(q3(&viewer.get(metrics).await.json()), (4.into(), 1.into()));

        let similar = format!("/api/v1/postmortems/{}/similar", s.first.handle());
        let hits = viewer.get(&similar).await.json();
        assert!(hits.as_array().unwrap().iter().any(|h| h["handle"] == s.before.handle().as_str()), "{hits}");
        server.store.delete(&s.before.id.to_string(), s.before.version, "test").await.unwrap();
        let hits = viewer.get(&similar).await.json();
        assert!(hits.as_array().unwrap().iter().all(|h| h["handle"] != s.before.handle().as_str()), "{hits}");
        let m = viewer.get("/api/v1/metrics?period=2026-Q2").await.json();
        assert_eq!(m["current"]["postmortems"], 0, "{m}");
    }

    async fn a_bad_period_is_refused_naming_the_parameter(server: Server) {
        let viewer = server.client_for("vic", Role::Viewer, TokenScope::Read).await;
        for path in [
            "/api/v1/metrics?period=2026-Q5",
            "/api/v1/patterns?period=Q3-2026",
            "/api/v1/report?period=2026-13",
            "/api/v1/charts/mttr?period=last%20quarter",
        ] {
            let r = viewer.get(path).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
            assert_eq!(r.error_code(), "invalid-input");
            let error = &r.json()["error"];
            assert_eq!(error["field"], "period", "{path}");
            assert!(error["message"].as_str().unwrap().contains("2026-Q3"), "{path}: {}", r.text);
        }
        let r = viewer.get("/api/v1/metrics?period=2026-Q3&by=colour").await;
        assert_eq!(r.json()["error"]["field"], "by");
        let r = viewer.get("/api/v1/metrics?period=2026-Q3&as_of=yesterday").await;
        assert_eq!(r.json()["error"]["field"], "as_of");
        // A misspelt parameter is refused, not ignored.
        let r = viewer.get("/api/v1/metrics?perod=2026-Q3").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Without a period: the current quarter.
        let r = viewer.get("/api/v1/metrics").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["period"], hindsight_insight::Period::quarter_of(Utc::now()).to_string());
    }
}
