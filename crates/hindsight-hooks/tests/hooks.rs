//! Parsers on fixtures built from each sender's documented payloads, the
//! trigger policy on the scenario deploy -> alerts -> page -> rollback ->
//! resolved, and property tests: no parser panics, signatures round-trip.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use hindsight_core::{EventKind, Kind, Milestone, Postmortem, Severity};
use hindsight_hooks::policy::{
    Context, Decision, Opened, PolicyConfig, apply, decide, needs_history, needs_related,
    trigger_key,
};
use hindsight_hooks::signature::{
    github_header, pagerduty_header, verify_github, verify_pagerduty,
};
use hindsight_hooks::{Event, EventType, ParseError, Parsed, Source, parse};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, h, m, s).single().unwrap()
}

fn received() -> DateTime<Utc> {
    t(23, 59, 0)
}

fn github_headers(event: &str, delivery: &str) -> Vec<(String, String)> {
    vec![
        ("X-GitHub-Event".into(), event.into()),
        ("X-GitHub-Delivery".into(), delivery.into()),
    ]
}

fn parse_fixture(source: Source, name: &str) -> Parsed {
    let headers = match name {
        n if n.starts_with("github_deployment_status") => github_headers("deployment_status", n),
        n if n.starts_with("github_") => github_headers("deployment", n),
        _ => Vec::new(),
    };
    parse(source, &headers, &fixture(name), received()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn one(source: Source, name: &str) -> Event {
    let mut parsed = parse_fixture(source, name);
    assert_eq!(parsed.events.len(), 1, "{name}");
    parsed.events.remove(0)
}

#[test]
fn alertmanager_alerts_fire_and_resolve_with_one_subject() {
    let firing = one(Source::Alertmanager, "alertmanager_firing.json");
    assert_eq!(firing.event_type, EventType::AlertFiring);
    assert_eq!(firing.at, t(14, 8, 0));
    assert_eq!(firing.service.as_deref(), Some("checkout"));
    assert_eq!(firing.environment.as_deref(), Some("production"));
    assert_eq!(firing.severity.as_deref(), Some("critical"));
    assert_eq!(
        firing.title,
        "Alert CheckoutHighErrorRate firing: 5xx ratio above 5% for 2 minutes"
    );
    let resolved = one(Source::Alertmanager, "alertmanager_resolved.json");
    assert_eq!(resolved.event_type, EventType::AlertResolved);
    assert_eq!(resolved.at, t(14, 29, 0));
    assert_eq!(resolved.subject, firing.subject);
    // No delivery id from Alertmanager: the body's hash stands in.
    let again = parse_fixture(Source::Alertmanager, "alertmanager_firing.json");
    assert!(again.delivery_id.starts_with("sha256:"));
    assert_ne!(
        again.delivery_id,
        parse_fixture(Source::Alertmanager, "alertmanager_resolved.json").delivery_id
    );
}

#[test]
fn pagerduty_incident_events_share_the_incident_as_subject() {
    let parsed = parse_fixture(Source::Pagerduty, "pagerduty_triggered.json");
    assert_eq!(parsed.delivery_id, "01GXK7R2TRIG0000000000001");
    let e = &parsed.events[0];
    assert_eq!(e.event_type, EventType::PageTriggered);
    assert_eq!(e.subject, "Q2ZCP3WL1XA9OK");
    assert_eq!(e.severity.as_deref(), Some("P2"));
    assert_eq!(e.service.as_deref(), Some("checkout"));
    assert_eq!(
        e.at,
        Utc.with_ymd_and_hms(2026, 3, 10, 14, 12, 4).unwrap() + chrono::Duration::milliseconds(220)
    );
    let ack = one(Source::Pagerduty, "pagerduty_acknowledged.json");
    assert_eq!(ack.event_type, EventType::PageAcknowledged);
    assert!(ack.title.ends_with("(by Priya Raman)"), "{}", ack.title);
    assert_eq!(
        one(Source::Pagerduty, "pagerduty_resolved.json").event_type,
        EventType::PageResolved
    );
}

#[test]
fn github_deployments_and_statuses() {
    let d = one(Source::Github, "github_deployment.json");
    assert_eq!(d.event_type, EventType::DeployStarted);
    assert_eq!(d.subject, "1001");
    let info = d.deploy.as_ref().unwrap();
    assert_eq!(
        info.version.as_deref(),
        Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")
    );
    assert_eq!(info.artifact.as_deref(), Some("acme/checkout@main"));
    assert_eq!(d.environment.as_deref(), Some("production"));
    let failed = one(Source::Github, "github_deployment_status_failure.json");
    assert_eq!(failed.event_type, EventType::DeployFailed);
    assert_eq!(failed.subject, "1001");
    assert_eq!(
        failed.url.as_deref(),
        Some("https://github.com/acme/checkout/actions/runs/5002")
    );
    // A ping, or an event we do not use, is accepted with nothing in it.
    let ping = parse(
        Source::Github,
        &github_headers("ping", "p-1"),
        b"{\"zen\":\"Keep it logically awesome.\"}",
        received(),
    )
    .unwrap();
    assert_eq!(
        ping,
        Parsed {
            delivery_id: "p-1".into(),
            events: vec![]
        }
    );
    let missing = parse(
        Source::Github,
        &[],
        &fixture("github_deployment.json"),
        received(),
    )
    .unwrap_err();
    assert_eq!(missing.field, "X-GitHub-Delivery");
}

#[test]
fn argo_flagger_and_generic_events() {
    let aborted = one(Source::ArgoRollouts, "argo_rollout_aborted.json");
    assert_eq!(aborted.event_type, EventType::DeployRolledBack);
    assert_eq!(aborted.at, t(14, 21, 30));
    assert_eq!(
        aborted.deploy.as_ref().unwrap().version.as_deref(),
        Some("2.14.0")
    );
    let failed = one(Source::ArgoRollouts, "argo_analysis_failed.json");
    assert_eq!(failed.event_type, EventType::DeployFailed);
    // Its template gives no time: the time it was received stands in.
    assert_eq!(failed.at, received());
    let flagger = one(Source::Flagger, "flagger_failed.json");
    assert_eq!(flagger.event_type, EventType::DeployRolledBack);
    assert_eq!(flagger.at, t(14, 15, 0));
    assert_eq!(
        one(Source::Flagger, "flagger_new_revision.json").event_type,
        EventType::DeployStarted
    );
    let parsed = parse_fixture(Source::Events, "events_deploy_rolled_back.json");
    assert_eq!(parsed.delivery_id, "jenkins-4411-rollback");
    let e = &parsed.events[0];
    assert_eq!(e.event_type, EventType::DeployRolledBack);
    assert_eq!(e.at, t(13, 22, 0), "offsets are converted to UTC");
    assert_eq!(e.category.as_deref(), Some("config"));
    assert_eq!(
        one(Source::Events, "events_incident_started.json").subject,
        "billing"
    );
}

fn malformed(source: Source, body: &str) -> ParseError {
    parse(
        source,
        &github_headers("deployment", "d-1"),
        body.as_bytes(),
        received(),
    )
    .unwrap_err()
}

#[test]
fn malformed_bodies_name_the_field() {
    let e = malformed(
        Source::Alertmanager,
        r#"{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"X"},"startsAt":"yesterday"}]}"#,
    );
    assert_eq!(e.field, "alerts[0].startsAt");
    let e = malformed(Source::Alertmanager, r#"{"version":"3","alerts":[]}"#);
    assert_eq!(e.field, "version");
    let e = malformed(
        Source::Alertmanager,
        r#"{"version":"4","alerts":[{"status":"firing","labels":{},"startsAt":"2026-03-10T14:08:00Z"}]}"#,
    );
    assert_eq!(e.field, "alerts[0].labels.alertname");
    let e = malformed(
        Source::Pagerduty,
        r#"{"event":{"id":"x","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-03-10T14:08:00Z","data":{"title":"t"}}}"#,
    );
    assert_eq!(e.field, "event.data.id");
    let e = malformed(Source::Github, r#"{"deployment":{"id":1},"repository":{}}"#);
    assert_eq!(e.field, "deployment.sha");
    let e = malformed(
        Source::Flagger,
        r#"{"name":"a","namespace":"b","phase":"Failed","metadata":{"timestamp":"soon"}}"#,
    );
    assert_eq!(e.field, "metadata.timestamp");
    let e = malformed(
        Source::Events,
        r#"{"type":"deploy.exploded","at":"2026-03-10T14:08:00Z","title":"x"}"#,
    );
    assert_eq!(e.field, "type");
    assert!(e.reason.contains("deploy.rolled_back"), "{e}");
    // A time without a zone is never assumed to be UTC.
    let e = malformed(
        Source::Events,
        r#"{"type":"custom","at":"2026-03-10T14:08:00","title":"x","service":"s"}"#,
    );
    assert_eq!(e.field, "at");
    let e = malformed(
        Source::Events,
        r#"{"type":"custom","at":"2026-03-10T14:08:00Z","title":"x","service":"s","sevrity":"SEV1"}"#,
    );
    assert!(e.reason.contains("sevrity"), "{e}");
    let e = malformed(Source::ArgoRollouts, "not json");
    assert_eq!(e.field, ".");
    assert!(e.to_string().contains("argo-rollouts"), "{e}");
}

#[test]
fn fixture_signatures_verify_and_forgeries_do_not() {
    let body = fixture("github_deployment.json");
    let header = github_header(b"gh-secret", &body);
    assert!(verify_github(&["gh-secret"], &body, Some(&header)).is_ok());
    let mut forged = body.clone();
    forged[10] ^= 1;
    assert!(verify_github(&["gh-secret"], &forged, Some(&header)).is_err());
    let body = fixture("pagerduty_resolved.json");
    let header = pagerduty_header(&["pd-old", "pd-new"], &body);
    assert!(verify_pagerduty(&["pd-new"], &body, Some(&header)).is_ok());
    assert!(verify_pagerduty(&["pd-other"], &body, Some(&header)).is_err());
}

/// A store in memory: what the server does with each decision.
struct World {
    config: PolicyConfig,
    events: Vec<Event>,
    opened: Vec<Opened>,
    postmortems: Vec<Postmortem>,
    decisions: Vec<String>,
}

impl World {
    fn new() -> Self {
        World {
            config: PolicyConfig::default(),
            events: Vec::new(),
            opened: Vec::new(),
            postmortems: Vec::new(),
            decisions: Vec::new(),
        }
    }

    fn deliver(&mut self, source: Source, name: &str) {
        for event in parse_fixture(source, name).events {
            let ctx = Context {
                related: &self.events,
                opened: &self.opened,
                history: &[],
                now: t(15, 0, 0),
            };
            let decision = decide(&event, ctx, &self.config);
            self.decisions
                .push(format!("{name}: {}", decision.reason()));
            match decision {
                Decision::Open(o) => {
                    assert!(
                        !self.opened.iter().any(|x| x.key == o.key),
                        "opened {} twice",
                        o.key
                    );
                    self.opened.push(Opened {
                        key: o.key,
                        postmortem_id: o.postmortem.id,
                        service: o.service,
                        window_start: o.window_start,
                        window_end: o.window_end,
                    });
                    self.postmortems.push(o.postmortem);
                }
                Decision::Append(a) => {
                    let pm = self
                        .postmortems
                        .iter_mut()
                        .find(|p| p.id == a.postmortem_id)
                        .unwrap();
                    apply(pm, &a);
                }
                Decision::Nothing { .. } => {}
            }
            self.events.push(event);
        }
    }
}

const SCENARIO: &[(Source, &str)] = &[
    (Source::Github, "github_deployment_previous.json"),
    (Source::Github, "github_deployment.json"),
    (Source::Github, "github_deployment_status_success.json"),
    (Source::Alertmanager, "alertmanager_firing.json"),
    (Source::Pagerduty, "pagerduty_triggered.json"),
    (Source::Pagerduty, "pagerduty_acknowledged.json"),
    (Source::Github, "github_deployment_rollback.json"),
    (Source::Alertmanager, "alertmanager_resolved.json"),
    (Source::Pagerduty, "pagerduty_resolved.json"),
];

#[test]
fn deploy_alerts_page_rollback_resolved_gives_one_deploy_postmortem() {
    let mut w = World::new();
    for (source, name) in SCENARIO {
        w.deliver(*source, name);
    }
    // Replays change nothing.
    for (source, name) in SCENARIO {
        w.deliver(*source, name);
    }
    assert_eq!(w.postmortems.len(), 1, "{:#?}", w.decisions);
    let pm = &w.postmortems[0];
    assert_eq!(pm.kind, Kind::Deploy);
    assert_eq!(
        pm.severity,
        Some(Severity::Sev2),
        "from the critical alert and the P2 page"
    );
    assert_eq!(pm.services, ["checkout"]);
    let release = pm.release.as_ref().unwrap();
    assert_eq!(release.deploy_id.as_deref(), Some("1001"));
    assert_eq!(
        release.version.as_deref(),
        Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")
    );
    assert_eq!(release.environment.as_deref(), Some("production"));
    assert_eq!(release.rolled_back_at, Some(t(14, 22, 0)));
    let m = &pm.milestones;
    assert_eq!(m.started, Some(t(14, 0, 0)));
    assert_eq!(m.detected, Some(t(14, 8, 0)));
    assert_eq!(
        m.acknowledged.map(|a| a.timestamp()),
        Some(t(14, 15, 31).timestamp())
    );
    assert_eq!(m.mitigated, Some(t(14, 22, 0)));
    assert_eq!(
        m.resolved.map(|a| a.timestamp()),
        Some(t(14, 29, 0).timestamp())
    );
    let kinds: Vec<(EventKind, Option<Milestone>, &str)> = pm
        .timeline
        .iter()
        .map(|e| (e.kind, e.milestone, e.source.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Deploy, Some(Milestone::Started), "github"),
            (EventKind::Deploy, None, "github"),
            (EventKind::Alert, Some(Milestone::Detected), "alertmanager"),
            (EventKind::Page, None, "pagerduty"),
            (EventKind::Ack, Some(Milestone::Acknowledged), "pagerduty"),
            (EventKind::Rollback, Some(Milestone::Mitigated), "github"),
            (EventKind::Alert, Some(Milestone::Resolved), "alertmanager"),
            (EventKind::Resolution, None, "pagerduty"),
        ],
        "{:#?}",
        pm.timeline
    );
    assert!(
        pm.timeline[5].text.starts_with("Rollback: Deployment 1002"),
        "{}",
        pm.timeline[5].text
    );
}

#[test]
fn events_that_need_no_window_decide_alike_without_it() {
    let mut all = Vec::new();
    for (source, name) in SCENARIO {
        all.extend(parse_fixture(*source, name).events);
    }
    for e in all.iter().filter(|e| !needs_related(e)) {
        assert!(!needs_history(e));
        let full = Context {
            related: &all,
            opened: &[],
            history: &[],
            now: t(15, 0, 0),
        };
        let bare = Context {
            related: &[],
            ..full
        };
        let config = PolicyConfig::default();
        assert_eq!(decide(e, full, &config), decide(e, bare, &config), "{e:?}");
        assert_eq!(trigger_key(e, &all), trigger_key(e, &[]));
    }
    let skipped = all.iter().filter(|e| !needs_related(e)).count();
    assert_eq!(
        skipped, 4,
        "the deploy success, the firing, the page and the ack"
    );
}

#[test]
fn resolved_before_triggered_still_gives_one_postmortem() {
    let mut w = World::new();
    for (source, name) in SCENARIO.iter().rev() {
        w.deliver(*source, name);
    }
    // Out of order, the PagerDuty resolution arrives first and opens an
    // incident postmortem (SEV2); the rollback then falls in its window.
    assert_eq!(w.postmortems.len(), 1, "{:#?}", w.decisions);
}

#[test]
fn a_failed_status_then_the_rollback_share_one_postmortem() {
    let mut w = World::new();
    w.deliver(Source::Github, "github_deployment_previous.json");
    w.deliver(Source::Github, "github_deployment.json");
    w.deliver(Source::Github, "github_deployment_status_failure.json");
    w.deliver(Source::Github, "github_deployment_rollback.json");
    assert_eq!(w.postmortems.len(), 1, "{:#?}", w.decisions);
    let pm = &w.postmortems[0];
    assert_eq!(
        pm.severity,
        Some(Severity::Sev3),
        "no alerts: the configured default"
    );
    assert_eq!(pm.milestones.detected, Some(t(14, 5, 0)));
    assert_eq!(pm.milestones.mitigated, Some(t(14, 22, 0)));
    let release = pm.release.as_ref().unwrap();
    assert_eq!(
        release.rolled_back_at,
        Some(t(14, 22, 0)),
        "set by the appended rollback"
    );
    assert_eq!(w.opened[0].key, "deploy:github:1001");
}

fn incident(severity: &str, labels: &[(&str, &str)]) -> Event {
    let mut e = Event::new(
        Source::Events,
        EventType::IncidentResolved,
        t(12, 0, 0),
        "inc-1",
        "Search slow",
    );
    e.service = Some("search".into());
    e.severity = Some(severity.into());
    e.labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    e
}

fn decide_alone(e: &Event, history: &[Postmortem]) -> Decision {
    let ctx = Context {
        related: &[],
        opened: &[],
        history,
        now: t(13, 0, 0),
    };
    decide(e, ctx, &PolicyConfig::default())
}

fn past(service: &str, days_ago: i64, category: hindsight_core::FactorCategory) -> Postmortem {
    let mut pm = Postmortem::new(
        "past",
        Kind::Incident,
        t(13, 0, 0) - chrono::Duration::days(days_ago),
    );
    pm.services = vec![service.into()];
    pm.analysis
        .factors
        .push(hindsight_core::ContributingFactor {
            id: "F1".into(),
            category,
            group: hindsight_core::FishboneGroup::Technology,
            text: "x".into(),
        });
    pm
}

#[test]
fn incident_severity_rules() {
    use hindsight_core::FactorCategory::*;
    let opens = |d: &Decision| matches!(d, Decision::Open(_));
    assert!(opens(&decide_alone(&incident("SEV1", &[]), &[])));
    assert!(opens(&decide_alone(&incident("P2", &[]), &[])));
    // SEV3: novel opens, seen recently does not, recurring does.
    assert!(opens(&decide_alone(&incident("SEV3", &[]), &[])));
    let seen = [past("search", 10, Code)];
    assert!(!opens(&decide_alone(&incident("SEV3", &[]), &seen)));
    let mut recurring = incident("SEV4", &[]);
    recurring.category = Some("capacity".into());
    let three = [
        past("search", 10, Capacity),
        past("search", 40, Capacity),
        past("search", 80, Capacity),
    ];
    match decide_alone(&recurring, &three) {
        Decision::Open(o) => {
            assert!(
                !o.postmortem.tags.contains(&"note".to_string()),
                "recurrence forces a full postmortem"
            );
            assert!(o.reason.contains("recurring"), "{}", o.reason);
        }
        other => panic!("{other:?}"),
    }
    let old = [
        past("search", 10, Capacity),
        past("search", 40, Capacity),
        past("search", 100, Capacity),
    ];
    match decide_alone(&recurring, &old) {
        Decision::Open(o) => assert!(o.postmortem.tags.contains(&"note".to_string())),
        other => panic!("{other:?}"),
    }
    // Game days and maintenance are excluded.
    let d = decide_alone(&incident("SEV1", &[("game_day", "true")]), &[]);
    assert_eq!(d.reason(), "excluded by label game_day=true");
    assert!(!opens(&decide_alone(&incident("whatever", &[]), &[])));
}

const SOURCES: &[Source] = Source::ALL;

proptest! {
    #[test]
    fn parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), i in 0usize..6) {
        let _ = parse(SOURCES[i], &github_headers("deployment_status", "x"), &body, received());
    }

    #[test]
    fn parsers_never_panic_on_near_valid_json(cut in 0usize..2000, i in 0usize..6) {
        let names = ["alertmanager_firing.json", "pagerduty_triggered.json", "github_deployment_status_failure.json",
            "argo_rollout_aborted.json", "flagger_failed.json", "events_deploy_rolled_back.json"];
        let body = fixture(names[i]);
        let cut = cut.min(body.len());
        let _ = parse(SOURCES[i], &github_headers("deployment_status", "x"), &body[..cut], received());
    }

    #[test]
    fn signatures_round_trip(secret in proptest::collection::vec(any::<u8>(), 0..100),
                             other in proptest::collection::vec(any::<u8>(), 1..100),
                             body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let gh = github_header(&secret, &body);
        prop_assert!(verify_github(&[&secret], &body, Some(&gh)).is_ok());
        let pd = pagerduty_header(&[&secret], &body);
        prop_assert!(verify_pagerduty(&[&secret], &body, Some(&pd)).is_ok());
        if other != secret {
            prop_assert!(verify_github(&[&other], &body, Some(&gh)).is_err());
            prop_assert!(verify_pagerduty(&[&other], &body, Some(&pd)).is_err());
        }
    }
}
