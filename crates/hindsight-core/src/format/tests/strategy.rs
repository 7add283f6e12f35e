//! Generated postmortems with every field filled in some cases: realistic
//! words plus the punctuation that needs care (`|`, `*`, backticks, `:`, `?`).
//!
//! Generated text is already in its parsed form: trimmed, single-line where
//! it goes in a table cell or list item, and free of `#` headings.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use uuid::Uuid;

use crate::format::sections::{Known, same_heading};
use crate::model::*;

const WORDS: &[&str] = &[
    "the",
    "canary",
    "rollout",
    "paused",
    "error",
    "rate",
    "checkout",
    "payments",
    "api",
    "database",
    "failover",
    "alert",
    "fired",
    "on-call",
    "engineer",
    "rolled",
    "back",
    "cache",
    "latency",
    "spiked",
    "queue",
    "backlog",
    "region",
    "eu-west-1",
    "v2.14.0",
    "timeout",
    "and",
    "was",
    "not",
    "a",
    "retry",
    "storm",
    "DNS",
    "certificate",
    "expired",
    "after",
    "deploy",
];

/// Tokens that exercise escaping and inline Markdown.
const MARKS: &[&str] = &[
    "a|b",
    "|",
    "*",
    "*only*",
    "**bold**",
    "`cfg.yaml`",
    "`x|y`",
    "key:value",
    "ratio:",
    "why?",
    "really?",
    "(see",
    "runbook)",
    "it's",
    "\"quoted\"",
    "[docs](https://example.com/x)",
    "e.g.",
    "50%",
    "#5",
    "ünïcödé",
    "→",
    "x*y",
    "a,b",
    "{braces}",
    "[1]",
    "~",
    "&amp;",
    "!",
    // Words YAML 1.1 would read as something else than text.
    "yes",
    "no",
    "on",
    "1:30",
    "2026-03-04",
    "null",
    "0x10",
    "<<",
    "1e3",
];

const NAMES: &[&str] = &[
    "priya.raman",
    "tom.becker",
    "lena.fischer",
    "sre-oncall",
    "ana@example.com",
];
const SERVICES: &[&str] = &[
    "checkout",
    "payments-api",
    "search",
    "auth",
    "cdn",
    "db-primary",
];

fn token() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => select(WORDS), 1 => select(MARKS)]
}

/// One line of words and marks.
fn line() -> impl Strategy<Value = String> {
    vec(token(), 1..10).prop_map(|t| t.join(" "))
}

/// A line, or nothing.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![1 => Just(String::new()), 3 => line()]
}

/// Free Markdown: paragraphs of one to three lines.
fn free_text() -> impl Strategy<Value = String> {
    let paragraph = vec(line(), 1..4).prop_map(|l| l.join("\n"));
    vec(paragraph, 1..4).prop_map(|p| p.join("\n\n"))
}

fn maybe_text() -> impl Strategy<Value = String> {
    prop_oneof![1 => Just(String::new()), 2 => free_text()]
}

fn name() -> impl Strategy<Value = String> {
    select(NAMES).prop_map(str::to_string)
}

fn names(max: usize) -> impl Strategy<Value = Vec<String>> {
    vec(name(), 0..max)
}

/// A UTC time to the second, between 2020 and 2030.
fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (1_577_836_800i64..1_893_456_000)
        .prop_map(|s| Utc.timestamp_opt(s, 0).single().unwrap_or_default())
}

fn word<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    select(all)
}

/// Milestones in order, each present or not.
fn milestones() -> BoxedStrategy<Milestones> {
    let start = prop_oneof![
        time(),
        time().prop_map(|t| t - Duration::seconds(t.timestamp().rem_euclid(60))),
    ];
    (start, vec((any::<bool>(), 0i64..7200), 5))
        .prop_map(|(start, steps)| {
            let mut at = start;
            let mut m = Milestones::default();
            for (i, (milestone, (present, gap))) in Milestone::ALL.iter().zip(steps).enumerate() {
                if i > 0 {
                    at += Duration::seconds(gap);
                }
                if present {
                    m.set(*milestone, Some(at));
                }
            }
            m
        })
        .boxed()
}

/// An offset from the start: whole minutes near it (written `HH:MM` on the
/// start day), or any second within a few days (other days, full timestamps).
fn offset() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (-600i64..600).prop_map(Duration::minutes),
        (-300_000i64..300_000).prop_map(Duration::seconds),
    ]
}

fn event() -> BoxedStrategy<(Duration, TimelineEvent)> {
    (
        offset(),
        word(EventKind::ALL),
        cell(),
        select(&["manual", "alertmanager", "pagerduty", "github", "slack"][..]),
        option::of(select(
            &[
                "deploy-8812",
                "https://github.com/acme/app/pull/12",
                "INC-42",
            ][..],
        )),
        option::of(word(Milestone::ALL)),
    )
        .prop_map(|(offset, kind, text, source, source_ref, milestone)| {
            (
                offset,
                TimelineEvent {
                    at: DateTime::<Utc>::UNIX_EPOCH,
                    kind,
                    text,
                    source: source.to_string(),
                    source_ref: source_ref.map(str::to_string),
                    milestone,
                },
            )
        })
        .boxed()
}

fn impact() -> BoxedStrategy<Impact> {
    (
        option::of(0u64..10_000_000),
        option::of(0u32..=10_000),
        option::of(0u64..100_000_000),
        option::of(select(&["EUR", "USD", "JPY"][..])),
        option::of(any::<bool>()),
        option::of(0u32..=300),
        option::of(0u64..1000),
        option::of(0u64..20),
        maybe_text(),
    )
        .prop_map(
            |(users, percent, revenue, currency, sla, budget, tickets, escalations, text)| Impact {
                users_affected: users,
                users_percent: percent.map(|p| f64::from(p) / 100.0),
                revenue: revenue.map(|r| r as f64 / 100.0),
                currency: currency.map(str::to_string),
                sla_breached: sla,
                error_budget_consumed: budget.map(|b| f64::from(b) / 100.0),
                tickets,
                escalations,
                text,
            },
        )
        .boxed()
}

/// A question ends with `?` and has no `**` of its own.
fn why() -> BoxedStrategy<Why> {
    let question = vec(token().prop_filter("no bold", |t| !t.contains("**")), 1..8)
        .prop_map(|t| format!("{}?", t.join(" ")));
    (question, cell())
        .prop_map(|(question, answer)| Why { question, answer })
        .boxed()
}

fn factor() -> BoxedStrategy<ContributingFactor> {
    (word(FactorCategory::ALL), word(FishboneGroup::ALL), cell())
        .prop_map(|(category, group, text)| ContributingFactor {
            id: String::new(),
            category,
            group,
            text,
        })
        .boxed()
}

fn analysis() -> BoxedStrategy<Analysis> {
    (
        maybe_text(),
        maybe_text(),
        vec(why(), 0..5),
        vec(factor(), 0..4),
        maybe_text(),
        maybe_text(),
        (vec(line(), 0..3), vec(line(), 0..3), vec(line(), 0..3)),
    )
        .prop_map(
            |(trigger, root_cause, five_whys, factors, detection, response, lessons)| Analysis {
                trigger,
                root_cause,
                five_whys,
                factors: factors
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| ContributingFactor {
                        id: format!("F{}", i + 1),
                        ..f
                    })
                    .collect(),
                detection,
                response,
                lessons: Lessons {
                    went_well: lessons.0,
                    went_wrong: lessons.1,
                    got_lucky: lessons.2,
                },
            },
        )
        .boxed()
}

fn gate() -> BoxedStrategy<GateAnalysis> {
    (word(Gate::ALL), word(GateOutcome::ALL), cell())
        .prop_map(|(gate, outcome, why_missed)| GateAnalysis {
            gate,
            outcome,
            why_missed,
        })
        .boxed()
}

fn release() -> BoxedStrategy<ReleaseRecord> {
    (
        option::of(select(&["deploy-8812", "rel-2026.03.04"][..])),
        option::of(select(
            &["ghcr.io/acme/payments-api:2.14.0", "s3://builds/app.tar.gz"][..],
        )),
        option::of(select(&["2.14.0", "v3", "2026.03.04-rc1"][..])),
        option::of(select(&["production", "staging"][..])),
        option::of(time()),
        vec(1u32..=100, 0..4),
        vec(gate(), 0..4),
    )
        .prop_map(
            |(deploy_id, artifact, version, environment, rolled_back_at, canary_steps, gates)| {
                ReleaseRecord {
                    deploy_id: deploy_id.map(str::to_string),
                    artifact: artifact.map(str::to_string),
                    version: version.map(str::to_string),
                    environment: environment.map(str::to_string),
                    rolled_back_at,
                    canary_steps,
                    gates,
                }
            },
        )
        .boxed()
}

fn ticket() -> BoxedStrategy<Ticket> {
    (
        select(&["", "jira", "github", "linear"][..]),
        select(&["PAY-311", "acme/app#12", "OPS-7"][..]),
        option::of(select(
            &[
                "https://tracker.example.com/browse/PAY-311",
                "https://github.com/acme/app/issues/12",
            ][..],
        )),
    )
        .prop_map(|(provider, key, url)| Ticket {
            provider: provider.to_string(),
            key: key.to_string(),
            url: url.map(str::to_string),
        })
        .boxed()
}

fn action() -> BoxedStrategy<ActionItem> {
    let status = (word(ActionStatus::ALL), option::of(line())).prop_map(|(status, reason)| {
        let reason = reason.filter(|_| status == ActionStatus::WontDo);
        (status, reason)
    });
    (
        (
            line(),
            maybe_text(),
            word(ActionType::ALL),
            option::of(word(Horizon::ALL)),
        ),
        (
            word(Priority::ALL),
            option::of(word(ControlLevel::ALL)),
            option::of(name()),
        ),
        (option::of(0i64..3650), status, option::of(ticket()), cell()),
        option::of(select(&["F1", "F2", "F9"][..])),
    )
        .prop_map(
            |(
                (title, description, action_type, horizon),
                (priority, control, owner),
                (due, (status, wont_do_reason), ticket, outcome),
                factor,
            )| {
                ActionItem {
                    id: String::new(),
                    title,
                    description,
                    action_type,
                    horizon,
                    priority,
                    control,
                    owner,
                    due: due.and_then(|d| {
                        NaiveDate::from_ymd_opt(2024, 1, 1)?
                            .checked_add_days(chrono::Days::new(d as u64))
                    }),
                    status,
                    wont_do_reason,
                    ticket,
                    outcome,
                    factor: factor.map(str::to_string),
                }
            },
        )
        .boxed()
}

fn review() -> BoxedStrategy<Review> {
    (
        name(),
        word(Verdict::ALL),
        time(),
        maybe_text(),
        option::of(select(&["Timeline", "Root cause", "Action items"])),
    )
        .prop_map(|(reviewer, verdict, at, comment, section)| Review {
            reviewer,
            verdict,
            at,
            comment,
            section: section.map(str::to_string),
        })
        .boxed()
}

fn extra_section() -> BoxedStrategy<Section> {
    let heading = vec(select(WORDS), 1..4)
        .prop_map(|w| w.join(" "))
        .prop_filter("not a known heading", |h| {
            !Known::ALL.iter().any(|k| same_heading(k.heading(), h))
        });
    (heading, maybe_text())
        .prop_map(|(heading, body)| Section { heading, body })
        .boxed()
}

fn json_value() -> BoxedStrategy<serde_json::Value> {
    use serde_json::Value;
    let scalar = prop_oneof![
        cell().prop_map(Value::from),
        (-1000i64..1_000_000).prop_map(Value::from),
        (-100_000i64..100_000).prop_map(|n| Value::from(n as f64 / 100.0)),
        any::<bool>().prop_map(Value::from),
    ];
    prop_oneof![
        3 => scalar.clone(),
        1 => free_text().prop_map(Value::from),
        1 => vec(scalar, 0..4).prop_map(Value::from),
    ]
    .boxed()
}

fn extra_fields() -> BoxedStrategy<BTreeMap<String, serde_json::Value>> {
    let key = select(
        &[
            "runbook",
            "team",
            "pager_rotation",
            "region",
            "customer_tickets",
            "x-origin",
            "2fa",
        ][..],
    );
    btree_map(key.prop_map(str::to_string), json_value(), 0..4).boxed()
}

prop_compose! {
    fn bookkeeping()(
        id in any::<u128>(),
        key in option::of((1u32..10_000).prop_map(|n| format!("PM-{n}"))),
        version in 0i64..1000,
        created_at in time(),
        updated_at in time(),
        published_at in option::of(time()),
        closed_at in option::of(time()),
    ) -> (Uuid, Option<String>, i64, [DateTime<Utc>; 2], [Option<DateTime<Utc>>; 2]) {
        (Uuid::from_u128(id), key, version, [created_at, updated_at], [published_at, closed_at])
    }
}

prop_compose! {
    fn people()(
        restricted_to in names(3),
        services in vec(select(SERVICES).prop_map(str::to_string), 0..3),
        tags in vec(select(&["canary", "dns", "cert", "capacity", "404 errors"][..]).prop_map(str::to_string), 0..3),
        authors in names(3),
        reviewers in names(3),
    ) -> [Vec<String>; 5] {
        [restricted_to, services, tags, authors, reviewers]
    }
}

prop_compose! {
    /// A postmortem that uses every part of the format.
    pub(super) fn postmortem()(
        (id, key, version, [created_at, updated_at], [published_at, closed_at]) in bookkeeping(),
        title in line(),
        kind in word(Kind::ALL),
        severity in option::of(word(Severity::ALL)),
        status in word(Status::ALL),
        visibility in word(Visibility::ALL),
        [restricted_to, services, tags, authors, reviewers] in people(),
        owner in option::of(name()),
        mut milestones in milestones(),
        impact in impact(),
        summary in maybe_text(),
        events in vec(event(), 0..6),
        analysis in analysis(),
        release in option::of(release()),
        actions in vec(action(), 0..4),
        reviews in vec(review(), 0..3),
        extra_sections in vec(extra_section(), 0..3),
        extra_fields in extra_fields(),
    ) -> Postmortem {
        let base = milestones.started.unwrap_or(created_at);
        let timeline: Vec<TimelineEvent> = events
            .into_iter()
            .map(|(offset, e)| TimelineEvent { at: base + offset, ..e })
            .collect();
        // A milestone missing from the front matter is taken from the event
        // tagged with it, so a generated one is always there.
        for m in Milestone::ALL {
            if milestones.get(*m).is_none() {
                let tagged = timeline.iter().find(|e| e.milestone == Some(*m));
                milestones.set(*m, tagged.map(|e| e.at));
            }
        }
        Postmortem {
            id,
            key,
            title,
            kind,
            severity,
            status,
            visibility,
            restricted_to,
            services,
            tags,
            owner,
            authors,
            reviewers,
            version,
            created_at,
            updated_at,
            published_at,
            closed_at,
            milestones,
            impact,
            summary,
            timeline,
            analysis,
            release,
            actions: actions
                .into_iter()
                .enumerate()
                .map(|(i, a)| ActionItem { id: format!("A{}", i + 1), ..a })
                .collect(),
            reviews,
            extra_sections,
            extra_fields,
        }
    }
}
