//! The demo data set: about sixty postmortems of Acme, a fictional online shop,
//! spread over the eighteen months before a given day.
//!
//! The data comes from twenty hand-written scenario blueprints (in the
//! `releases`, `incidents` and `data_security` modules), each a distinct failure
//! story with its own texts. Every blueprint is instantiated about three times,
//! on other services and days, with other people, numbers and details. Times,
//! numbers, ids and review histories come from a tiny seeded PRNG, so
//! [`generate`] returns byte-identical output for the same `today`.
//!
//! The generator guarantees what the rest of the product leans on: every
//! postmortem satisfies the workflow guards of its status, milestones are
//! ordered and tagged on the timeline, every action item points to one of the
//! postmortem's contributing factors, and some factors recur (canary promoted
//! too fast, monitoring gaps on postgres-primary, config on api-gateway,
//! capacity on search) so pattern analysis has something to find.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use crate::model::{
    ActionItem, ActionStatus, ActionType, Analysis, ContributingFactor, ControlLevel, EventKind,
    FactorCategory, Gate, GateAnalysis, GateOutcome, Horizon, Impact, Kind, Lessons, Milestone,
    Milestones, Postmortem, Priority, ReleaseRecord, Review, Severity, Status, Ticket,
    TimelineEvent, Verdict, Visibility, Why,
};

mod data_security;
mod incidents;
mod releases;

/// Every blueprint. The output is sorted by start time, so the order here is free.
const SCENARIO_SETS: &[&[Scenario]] = &[
    releases::SCENARIOS,
    incidents::SCENARIOS,
    data_security::SCENARIOS,
];

/// The fixed seed: the data only moves with `today`, never between runs.
const SEED: u64 = 0x6869_6e64_7369_6768;

/// `n` postmortems for benchmarks at scale: the demo set anchored on each day
/// of the two years before `last` in turn, each copy with an id of its own.
/// Realistic texts, services, milestones and action items, with the word
/// distribution of a real team; at 100,000 about 4,000 incidents a month over
/// three and a half years. Unordered and without keys.
pub fn at_scale(n: usize, last: NaiveDate) -> Vec<Postmortem> {
    spread(n, last, 1, 730)
}

/// `n` postmortems: the demo set anchored on `last`, then `step_days` earlier,
/// and so on, wrapping after `span_days`; each copy with an id of its own.
pub fn spread(n: usize, last: NaiveDate, step_days: u64, span_days: u64) -> Vec<Postmortem> {
    let mut out = Vec::with_capacity(n);
    let mut k: u64 = 0;
    while out.len() < n {
        let today = last - chrono::Days::new((k * step_days) % span_days.max(1));
        k += 1;
        for mut pm in generate(today) {
            pm.id = uuid::Uuid::new_v4();
            out.push(pm);
        }
    }
    out.truncate(n);
    out
}

/// The demo postmortems, oldest first (by `milestones.started`), without keys:
/// a store that numbers them in this order gives `PM-1` to the oldest.
///
/// Every time lies before midnight UTC at the start of `today`; the same
/// `today` always gives the same postmortems.
pub fn generate(today: NaiveDate) -> Vec<Postmortem> {
    let mut out = Vec::new();
    for (s, set) in SCENARIO_SETS.iter().enumerate() {
        for (i, scenario) in set.iter().enumerate() {
            for (j, variant) in scenario.variants.iter().enumerate() {
                let salt = ((s as u64) << 32) | ((i as u64) << 16) | j as u64;
                out.push(build(scenario, variant, SEED ^ salt, today));
            }
        }
    }
    out.sort_by_key(|pm| (pm.milestones.started, pm.id));
    out
}

/// The team owning each demo service, written as a `team:NAME` tag (the
/// model has no team field; metrics group by this tag).
fn team_of(service: &str) -> Option<&'static str> {
    Some(match service {
        "checkout" | "web-frontend" => "storefront",
        "payments-api" => "payments",
        "api-gateway" | "identity" => "platform",
        "inventory" | "search" => "catalog",
        "notifications" => "messaging",
        "data-pipeline" | "postgres-primary" => "data",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// Blueprints: what the scenario files are written in.
// ---------------------------------------------------------------------------

/// One failure story. Texts are templates: `{name}` is replaced by the
/// variant's value for `name`, or by a generated one (see [`Ctx::auto_vars`]).
struct Scenario {
    kind: Kind,
    title: &'static str,
    summary: &'static str,
    impact: &'static str,
    trigger: &'static str,
    root_cause: &'static str,
    whys: &'static [(&'static str, &'static str)],
    /// Become `F1`, `F2`, ... in this order.
    factors: &'static [(FactorCategory, &'static str)],
    detection: &'static str,
    response: &'static str,
    went_well: &'static [&'static str],
    went_wrong: &'static [&'static str],
    got_lucky: &'static [&'static str],
    timeline: &'static [Ev],
    actions: &'static [Act],
    /// For the release and deploy kinds.
    release: Option<Release>,
    pace: Pace,
    shape: Shape,
    tags: &'static [&'static str],
    variants: &'static [Variant],
}

/// One instance of a scenario: when, where, who and the details that differ.
struct Variant {
    /// Days between the incident's start and `today`.
    days_ago: i64,
    severity: Severity,
    /// The first is the service the story is about (`{svc}`), the second `{svc2}`.
    services: &'static [&'static str],
    /// Owner first, then the on-call engineer (`{oncall}`) and a helper (`{helper}`).
    crew: &'static [&'static str],
    visibility: Visibility,
    restricted_to: &'static [&'static str],
    /// Overrides the scenario's canary steps.
    canary: &'static [u32],
    tags: &'static [&'static str],
    vars: &'static [(&'static str, &'static str)],
    /// A factor only this instance has (it becomes the last `F<n>`).
    extra_factor: Option<(FactorCategory, &'static str)>,
    /// An action only this instance has; its `factor` counts like the others.
    extra_action: Option<Act>,
    /// The UTC hour the incident starts, when the story depends on it.
    start_hour: Option<i64>,
    /// Overrides the scenario's pace, when the story fixes a duration.
    pace: Option<Pace>,
}

impl Variant {
    /// Internal, no overrides: the base for `..Variant::BASE`.
    const BASE: Variant = Variant {
        days_ago: 0,
        severity: Severity::Sev3,
        services: &[],
        crew: &[],
        visibility: Visibility::Internal,
        restricted_to: &[],
        canary: &[],
        tags: &[],
        vars: &[],
        extra_factor: None,
        extra_action: None,
        start_hour: None,
        pace: None,
    };
}

/// Where a timeline event sits relative to the milestones.
#[derive(Clone, Copy)]
enum At {
    /// Minutes before `started`.
    Before(i64),
    /// Exactly at the milestone, and tagged with it.
    On(Milestone),
    /// This percentage of the way from the milestone to the next one.
    Mid(Milestone, i64),
    /// Minutes after `started`.
    Plus(i64),
    /// Minutes after `resolved`.
    After(i64),
}

/// A timeline event template.
struct Ev {
    at: At,
    kind: EventKind,
    source: &'static str,
    text: &'static str,
    source_ref: &'static str,
    /// Bit `i` set: only in variant `i`. Zero: in all.
    only: u8,
}

const fn ev(
    at: At,
    kind: EventKind,
    source: &'static str,
    text: &'static str,
    source_ref: &'static str,
) -> Ev {
    Ev {
        at,
        kind,
        source,
        text,
        source_ref,
        only: 0,
    }
}

impl Ev {
    const fn only(mut self, mask: u8) -> Self {
        self.only = mask;
        self
    }
}

/// Type, priority, horizon and control level of an action item.
type Class = (ActionType, Priority, Horizon, ControlLevel);

/// An action item template.
struct Act {
    title: &'static str,
    description: &'static str,
    class: Class,
    /// 1-based index of the contributing factor it addresses.
    factor: u8,
    /// Index into the variant's crew.
    who: u8,
    /// Days after the incident was resolved.
    due_days: i64,
    outcome: &'static str,
    /// Set: the item may end as won't-do, with this reason.
    wont: Option<&'static str>,
    only: u8,
}

const fn act(
    title: &'static str,
    class: Class,
    factor: u8,
    who: u8,
    due_days: i64,
    outcome: &'static str,
) -> Act {
    Act {
        title,
        description: "",
        class,
        factor,
        who,
        due_days,
        outcome,
        wont: None,
        only: 0,
    }
}

impl Act {
    const fn desc(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }

    const fn wont(mut self, reason: &'static str) -> Self {
        self.wont = Some(reason);
        self
    }

    const fn only(mut self, mask: u8) -> Self {
        self.only = mask;
        self
    }
}

/// The release record of a release or deploy scenario.
struct Release {
    /// Template, usually `{deploy}`.
    deploy_id: &'static str,
    /// Template, usually `{ver}`.
    version: &'static str,
    /// Template, e.g. `ghcr.io/acme/{svc}:{ver}`.
    artifact: &'static str,
    canary: &'static [u32],
    /// Whether the mitigation was a rollback (sets `rolled_back_at`).
    rollback: bool,
    gates: &'static [(Gate, GateOutcome, &'static str)],
}

/// Minute ranges (inclusive) between milestones: started->detected,
/// detected->acknowledged, acknowledged->mitigated, mitigated->resolved.
struct Pace {
    ttd: (i64, i64),
    tta: (i64, i64),
    ttm: (i64, i64),
    ttr: (i64, i64),
}

/// Impact ranges for a SEV2; other severities are scaled from them.
struct Shape {
    users: (u64, u64),
    percent: (f64, f64),
    /// Only counted when checkout or payments-api is among the services.
    revenue: Option<(f64, f64)>,
    tickets: (u64, u64),
    /// Fraction of the error budget; `(0.0, 0.0)` leaves it unset.
    budget: (f64, f64),
    /// Whether an SLA is in play at all.
    sla: bool,
}

// ---------------------------------------------------------------------------
// The company: people, reviewers, trackers.
// ---------------------------------------------------------------------------

/// Staff engineers and managers who review postmortems (besides the teams).
const REVIEWERS: &[&str] = &["lena.fischer", "grace.obi", "nikolai.petrov", "jonas.weber"];

/// The security lead reviews every security postmortem.
const SECURITY_REVIEWER: &str = "mei.chen";

/// Where each service's action items are tracked: provider and project.
const TRACKERS: &[(&str, &str, &str)] = &[
    ("api-gateway", "github", "api-gateway"),
    ("web-frontend", "github", "web-frontend"),
    ("checkout", "jira", "CHK"),
    ("payments-api", "jira", "PAY"),
    ("inventory", "jira", "INV"),
    ("data-pipeline", "jira", "DATA"),
    ("postgres-primary", "jira", "OPS"),
    ("search", "linear", "SRCH"),
    ("identity", "linear", "IAM"),
    ("notifications", "linear", "NOTIF"),
];

/// Major version of each service's artifact; minors follow the calendar.
const MAJOR_VERSIONS: &[(&str, i64)] = &[
    ("api-gateway", 3),
    ("web-frontend", 6),
    ("checkout", 5),
    ("payments-api", 2),
    ("inventory", 3),
    ("data-pipeline", 1),
    ("search", 4),
    ("identity", 3),
    ("notifications", 2),
];

const CHANGES_REQUESTED: &[&str] = &[
    "Quantify the impact: the ticket count alone undersells it.",
    "The five whys stop at the change itself; add one more why about the pipeline that let it through.",
    "Give A1 a measurable outcome, something we can check in a month.",
    "The timeline has a gap between the page and the first mitigation; say what happened in it.",
    "Split the root cause from the trigger; right now they read as one thing.",
    "Link the earlier postmortem with the same factor so the pattern review picks it up.",
];

const APPROVALS: &[&str] = &[
    "Clear timeline and concrete actions.",
    "Thanks for the gate analysis; it makes the canary gap obvious.",
    "Good write-up. The lessons section is worth sharing at the ops review.",
    "",
    "Approved. Please keep the due dates realistic when the tickets are planned.",
    "The whys get to the system cause. Approving.",
];

const COMMENTS: &[&str] = &[
    "Do we know whether the same setting exists on the other services?",
    "Reading this before the ops review; will come back with a verdict.",
    "Nice detection section.",
];

// ---------------------------------------------------------------------------
// The PRNG.
// ---------------------------------------------------------------------------

/// splitmix64: small, fast, good enough for demo data, and stable forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// An integer in `lo..=hi`.
    fn range(&mut self, (lo, hi): (i64, i64)) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next() % span) as i64
    }

    /// A float in `lo..hi`.
    fn float(&mut self, (lo, hi): (f64, f64)) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        if items.is_empty() {
            return "";
        }
        items[(self.next() % items.len() as u64) as usize]
    }

    /// A random (version 4 shaped) UUID.
    fn uuid(&mut self) -> Uuid {
        let raw = (u128::from(self.next()) << 64) | u128::from(self.next());
        let versioned = (raw & !(0xf_u128 << 76)) | (0x4_u128 << 76);
        Uuid::from_u128((versioned & !(0x3_u128 << 62)) | (0x2_u128 << 62))
    }

    /// `len` characters of PagerDuty-style incident id alphabet.
    fn code(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| char::from(ALPHABET[(self.next() % ALPHABET.len() as u64) as usize]))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Building one postmortem.
// ---------------------------------------------------------------------------

/// The filled-in values of one instance: template variables and milestone times.
struct Ctx<'a> {
    variant: &'a Variant,
    vars: Vec<(&'static str, String)>,
    /// started, detected, acknowledged, mitigated, resolved.
    ms: [DateTime<Utc>; 5],
}

impl Ctx<'_> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.variant
            .vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
            .or_else(|| {
                self.vars
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.as_str())
            })
    }

    /// Replaces every `{name}` it knows; values may hold one more level of names.
    fn fill(&self, template: &str) -> String {
        let once = self.fill_once(template);
        if once.contains('{') {
            self.fill_once(&once)
        } else {
            once
        }
    }

    fn fill_once(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &after[..close];
            match self.lookup(name) {
                Some(value) => out.push_str(value),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn fill_all(&self, templates: &[&str]) -> Vec<String> {
        templates.iter().map(|t| self.fill(t)).collect()
    }

    fn time(&self, at: At) -> DateTime<Utc> {
        match at {
            At::Before(minutes) => self.ms[0] - Duration::minutes(minutes),
            At::On(m) => self.ms[index(m)],
            At::Mid(m, percent) => {
                let i = index(m);
                let from = self.ms[i];
                let to = self.ms[(i + 1).min(4)];
                from + Duration::minutes((to - from).num_minutes() * percent / 100)
            }
            At::Plus(minutes) => self.ms[0] + Duration::minutes(minutes),
            At::After(minutes) => self.ms[4] + Duration::minutes(minutes),
        }
    }
}

fn index(m: Milestone) -> usize {
    match m {
        Milestone::Started => 0,
        Milestone::Detected => 1,
        Milestone::Acknowledged => 2,
        Milestone::Mitigated => 3,
        Milestone::Resolved => 4,
    }
}

fn included(only: u8, variant: usize) -> bool {
    only == 0 || only & (1 << variant) != 0
}

fn build(sc: &Scenario, v: &Variant, seed: u64, today: NaiveDate) -> Postmortem {
    let mut rng = Rng(seed);
    let variant_no = sc
        .variants
        .iter()
        .position(|x| std::ptr::eq(x, v))
        .unwrap_or(0);
    let today_start = today.and_time(NaiveTime::MIN).and_utc();
    // Everything after the incident is clamped to before today (min keeps order).
    let ceiling = today_start - Duration::minutes(47);
    let clamp = |t: DateTime<Utc>| t.min(ceiling);

    let id = rng.uuid();
    let hour = match v.start_hour {
        Some(hour) => hour,
        None if sc.kind.is_release() => rng.range((9, 16)),
        None => rng.range((0, 23)),
    };
    let pace = v.pace.as_ref().unwrap_or(&sc.pace);
    let started = today_start - Duration::days(v.days_ago)
        + Duration::minutes(hour * 60 + rng.range((0, 59)));
    let detected = started + Duration::minutes(rng.range(pace.ttd));
    let acknowledged = detected + Duration::minutes(rng.range(pace.tta));
    let mitigated = acknowledged + Duration::minutes(rng.range(pace.ttm));
    let resolved = mitigated + Duration::minutes(rng.range(pace.ttr));
    let ms = [started, detected, acknowledged, mitigated, resolved];

    let impact_numbers = impact_numbers(&mut rng, &sc.shape, v);
    let canary: &[u32] = match (&sc.release, v.canary.is_empty()) {
        (Some(r), true) => r.canary,
        _ => v.canary,
    };
    let ctx = Ctx {
        variant: v,
        vars: auto_vars(&mut rng, v, ms, &impact_numbers, canary),
        ms,
    };

    let mut timeline: Vec<TimelineEvent> = sc
        .timeline
        .iter()
        .filter(|e| included(e.only, variant_no))
        .map(|e| TimelineEvent {
            at: ctx.time(e.at),
            kind: e.kind,
            text: ctx.fill(e.text),
            source: ctx.fill(e.source),
            source_ref: Some(ctx.fill(e.source_ref)).filter(|r| !r.is_empty()),
            milestone: match e.at {
                At::On(m) => Some(m),
                _ => None,
            },
        })
        .collect();
    timeline.sort_by_key(|e| e.at);

    let mut factors: Vec<ContributingFactor> = sc
        .factors
        .iter()
        .chain(v.extra_factor.iter())
        .enumerate()
        .map(|(i, (category, text))| ContributingFactor {
            id: format!("F{}", i + 1),
            category: *category,
            group: category.default_group(),
            text: ctx.fill(text),
        })
        .collect();
    factors.retain(|f| !f.text.is_empty());

    let status = pick_status(&mut rng, v.days_ago);
    let resolved_day = resolved.date_naive();
    let actions: Vec<ActionItem> = sc
        .actions
        .iter()
        .filter(|a| included(a.only, variant_no))
        .chain(v.extra_action.iter())
        .enumerate()
        .map(|(i, a)| {
            let due = resolved_day + Duration::days(a.due_days);
            let (state, reason) = action_status(&mut rng, status, a, due, today);
            let ticket =
                (a.class.1 <= Priority::P1 || rng.chance(55)).then(|| ticket_for(sc.kind, v, i));
            ActionItem {
                id: format!("A{}", i + 1),
                title: ctx.fill(a.title),
                description: ctx.fill(a.description),
                action_type: a.class.0,
                horizon: Some(a.class.2),
                priority: a.class.1,
                control: Some(a.class.3),
                owner: Some(crew(v, a.who).to_string()),
                due: Some(due),
                status: state,
                wont_do_reason: reason,
                ticket,
                outcome: ctx.fill(a.outcome),
                factor: Some(format!("F{}", a.factor)),
            }
        })
        .collect();

    let owner = crew(v, 0).to_string();
    let mut authors = vec![owner.clone()];
    if rng.chance(70) && v.crew.len() > 1 {
        authors.push(crew(v, 1).to_string());
    }
    let reviewers = pick_reviewers(&mut rng, sc.kind, v);

    // Deploy postmortems are opened by the rollback webhook; the rest by a person
    // once the dust settled.
    let auto_opened = sc.release.as_ref().is_some_and(|r| r.rollback);
    let created_at = clamp(if auto_opened {
        mitigated + Duration::minutes(rng.range((1, 3)))
    } else {
        resolved + Duration::minutes(rng.range((50, 30 * 60)))
    });
    let submitted = clamp(created_at + Duration::hours(rng.range((20, 96))));

    let mut reviews = Vec::new();
    let mut published_at = None;
    let mut closed_at = None;
    match status {
        Status::Draft => {}
        Status::InReview => {
            let at = clamp(submitted + Duration::hours(rng.range((3, 30))));
            if rng.chance(50) {
                reviews.push(review(
                    &reviewers[0],
                    Verdict::ChangesRequested,
                    at,
                    &mut rng,
                ));
            } else if rng.chance(60) {
                let who = &reviewers[reviewers.len() - 1];
                reviews.push(review(who, Verdict::Commented, at, &mut rng));
            }
        }
        Status::Final | Status::Closed => {
            let mut at = submitted + Duration::hours(rng.range((2, 26)));
            if rng.chance(40) {
                reviews.push(review(
                    &reviewers[0],
                    Verdict::ChangesRequested,
                    clamp(at),
                    &mut rng,
                ));
                at += Duration::hours(rng.range((20, 72)));
            }
            reviews.push(review(
                &reviewers[0],
                Verdict::Approved,
                clamp(at),
                &mut rng,
            ));
            if reviewers.len() > 1 && rng.chance(60) {
                at += Duration::hours(rng.range((1, 20)));
                let verdict = if rng.chance(75) {
                    Verdict::Approved
                } else {
                    Verdict::Commented
                };
                reviews.push(review(&reviewers[1], verdict, clamp(at), &mut rng));
            }
            let published = clamp(at + Duration::hours(rng.range((1, 6))));
            published_at = Some(published);
            if status == Status::Closed {
                let longest = actions
                    .iter()
                    .filter_map(|a| a.due)
                    .map(|d| (d - resolved_day).num_days())
                    .max()
                    .unwrap_or(14);
                let days = rng.range((5, longest.max(6) + 10));
                closed_at = Some(clamp(published + Duration::days(days)));
            }
        }
    }
    let updated_at = [Some(submitted), published_at, closed_at]
        .into_iter()
        .flatten()
        .chain(reviews.iter().map(|r| r.at))
        .fold(created_at, DateTime::max);
    let updated_at = match status {
        Status::Draft => clamp(created_at + Duration::minutes(rng.range((20, 300)))),
        _ => updated_at,
    };
    let transitions = match status {
        Status::Draft => 0,
        Status::InReview => 1,
        Status::Final => 2,
        Status::Closed => 3,
    };

    let release = sc.release.as_ref().map(|r| ReleaseRecord {
        deploy_id: Some(ctx.fill(r.deploy_id)),
        artifact: Some(ctx.fill(r.artifact)),
        version: Some(ctx.fill(r.version)),
        environment: Some("production".to_string()),
        rolled_back_at: r.rollback.then_some(mitigated),
        canary_steps: canary.to_vec(),
        gates: r
            .gates
            .iter()
            .map(|(gate, outcome, why)| GateAnalysis {
                gate: *gate,
                outcome: *outcome,
                why_missed: ctx.fill(why),
            })
            .collect(),
    });

    let mut tags: Vec<String> = sc
        .tags
        .iter()
        .chain(v.tags.iter())
        .map(|t| t.to_string())
        .collect();
    tags.dedup();
    if let Some(team) = v.services.first().and_then(|s| team_of(s)) {
        tags.push(format!("team:{team}"));
    }

    Postmortem {
        id,
        key: None,
        title: ctx.fill(sc.title),
        kind: sc.kind,
        severity: Some(v.severity),
        status,
        visibility: v.visibility,
        restricted_to: v.restricted_to.iter().map(|s| s.to_string()).collect(),
        services: v.services.iter().map(|s| s.to_string()).collect(),
        tags,
        owner: Some(owner),
        authors,
        reviewers: reviewers.clone(),
        version: 1 + rng.range((2, 9)) + reviews.len() as i64 + transitions,
        created_at,
        updated_at,
        published_at,
        closed_at,
        milestones: Milestones {
            started: Some(started),
            detected: Some(detected),
            acknowledged: Some(acknowledged),
            mitigated: Some(mitigated),
            resolved: Some(resolved),
        },
        impact: Impact {
            text: ctx.fill(sc.impact),
            ..impact_numbers
        },
        summary: ctx.fill(sc.summary),
        timeline,
        analysis: Analysis {
            trigger: ctx.fill(sc.trigger),
            root_cause: ctx.fill(sc.root_cause),
            five_whys: sc
                .whys
                .iter()
                .map(|(q, a)| Why {
                    question: ctx.fill(q),
                    answer: ctx.fill(a),
                })
                .collect(),
            factors,
            detection: ctx.fill(sc.detection),
            response: ctx.fill(sc.response),
            lessons: Lessons {
                went_well: ctx.fill_all(sc.went_well),
                went_wrong: ctx.fill_all(sc.went_wrong),
                got_lucky: ctx.fill_all(sc.got_lucky),
            },
        },
        release,
        actions,
        reviews,
        extra_sections: Vec::new(),
        extra_fields: Default::default(),
    }
}

fn crew(v: &Variant, who: u8) -> &'static str {
    match v.crew.len() {
        0 => "lena.fischer",
        n => v.crew[usize::from(who) % n],
    }
}

/// Drafts in the last ten days, in review up to 25 days, older ones final or closed.
fn pick_status(rng: &mut Rng, days_ago: i64) -> Status {
    match days_ago {
        ..=10 => Status::Draft,
        11..=25 => Status::InReview,
        26..=100 if rng.chance(60) => Status::Final,
        26..=100 => Status::Closed,
        _ if rng.chance(12) => Status::Final,
        _ => Status::Closed,
    }
}

/// An action's state given the postmortem's status and whether it is past due.
fn action_status(
    rng: &mut Rng,
    status: Status,
    a: &Act,
    due: NaiveDate,
    today: NaiveDate,
) -> (ActionStatus, Option<String>) {
    use ActionStatus::*;
    let past_due = due < today;
    let wont_chance = if status == Status::Closed { 60 } else { 30 };
    if let Some(reason) = a.wont
        && status != Status::Draft
        && rng.chance(wont_chance)
    {
        return (WontDo, Some(reason.to_string()));
    }
    let roll = rng.next() % 100;
    let state = match status {
        Status::Closed if roll < 45 => Verified,
        Status::Closed => Done,
        Status::Final if past_due && roll < 50 => Done,
        Status::Final if past_due && roll < 72 => Verified,
        Status::Final if past_due && roll < 88 => InProgress,
        Status::Final if past_due => Open,
        Status::Final if roll < 45 => InProgress,
        Status::Final if roll < 60 => Done,
        Status::Final => Open,
        Status::InReview if roll < 40 => InProgress,
        Status::InReview if roll < 50 => Done,
        Status::InReview => Open,
        Status::Draft if roll < 20 => InProgress,
        Status::Draft => Open,
    };
    (state, None)
}

fn ticket_for(kind: Kind, v: &Variant, action_index: usize) -> Ticket {
    let svc = v.services.first().copied().unwrap_or("platform");
    let (provider, project) = if kind == Kind::Security {
        ("jira", "SEC")
    } else {
        TRACKERS
            .iter()
            .find(|(s, _, _)| *s == svc)
            .map(|(_, p, k)| (*p, *k))
            .unwrap_or(("jira", "OPS"))
    };
    // Distinct days give distinct numbers; later incidents get higher ones.
    let number = 100 + (600 - v.days_ago) * 6 + action_index as i64;
    match provider {
        "github" => Ticket {
            provider: provider.to_string(),
            key: format!("acme/{project}#{number}"),
            url: Some(format!("https://github.com/acme/{project}/issues/{number}")),
        },
        "linear" => Ticket {
            provider: provider.to_string(),
            key: format!("{project}-{number}"),
            url: Some(format!("https://linear.app/acme/issue/{project}-{number}")),
        },
        _ => Ticket {
            provider: provider.to_string(),
            key: format!("{project}-{number}"),
            url: Some(format!(
                "https://acme.atlassian.net/browse/{project}-{number}"
            )),
        },
    }
}

/// Two reviewers from outside the crew; the security lead for security postmortems.
fn pick_reviewers(rng: &mut Rng, kind: Kind, v: &Variant) -> Vec<String> {
    let outside = |who: &&str| !v.crew.contains(who);
    let mut pool: Vec<&str> = REVIEWERS.iter().copied().filter(outside).collect();
    let start = (rng.next() % pool.len().max(1) as u64) as usize;
    pool.rotate_left(start);
    if kind == Kind::Security && outside(&SECURITY_REVIEWER) {
        pool.insert(0, SECURITY_REVIEWER);
    }
    pool.truncate(2);
    if pool.is_empty() {
        pool.push("nikolai.petrov");
    }
    pool.into_iter().map(str::to_string).collect()
}

fn review(reviewer: &str, verdict: Verdict, at: DateTime<Utc>, rng: &mut Rng) -> Review {
    let comment = match verdict {
        Verdict::Approved => rng.pick(APPROVALS),
        Verdict::ChangesRequested => rng.pick(CHANGES_REQUESTED),
        Verdict::Commented => rng.pick(COMMENTS),
    };
    Review {
        reviewer: reviewer.to_string(),
        verdict,
        at,
        comment: comment.to_string(),
        section: None,
    }
}

/// The numbers of the impact, scaled from the SEV2 ranges by severity.
fn impact_numbers(rng: &mut Rng, shape: &Shape, v: &Variant) -> Impact {
    let scale = match v.severity {
        Severity::Sev1 => 2.2,
        Severity::Sev2 => 1.0,
        Severity::Sev3 => 0.35,
        Severity::Sev4 => 0.1,
    };
    let users = (shape.users.1 > 0).then(|| {
        let lo = shape.users.0 as f64;
        let hi = shape.users.1 as f64;
        round_significant(rng.float((lo, hi)) * scale)
    });
    let users_percent = (shape.percent.1 > 0.0)
        .then(|| round_to(rng.float(shape.percent) * scale, 10.0).clamp(0.1, 100.0));
    let money_services = ["checkout", "payments-api"];
    let revenue = shape
        .revenue
        .filter(|_| v.services.iter().any(|s| money_services.contains(s)))
        .map(|r| (rng.float(r) * scale / 100.0).round() * 100.0);
    let tickets = {
        let lo = shape.tickets.0 as f64;
        let hi = shape.tickets.1 as f64;
        (rng.float((lo, hi + 1.0)) * scale).floor() as u64
    };
    let escalations = match v.severity {
        Severity::Sev1 => rng.range((2, 4)),
        Severity::Sev2 => rng.range((0, 2)),
        Severity::Sev3 => rng.range((0, 1)),
        Severity::Sev4 => 0,
    } as u64;
    let budget = (shape.budget.1 > 0.0)
        .then(|| round_to(rng.float(shape.budget) * scale, 100.0).clamp(0.01, 0.98));
    let sla_breached = match v.severity {
        Severity::Sev1 => shape.sla,
        Severity::Sev2 => shape.sla && rng.chance(30),
        _ => false,
    };
    Impact {
        users_affected: users,
        users_percent,
        currency: revenue.map(|_| "USD".to_string()),
        revenue,
        sla_breached: Some(sla_breached),
        error_budget_consumed: budget,
        tickets: Some(tickets),
        escalations: Some(escalations),
        text: String::new(),
    }
}

fn round_to(x: f64, per_unit: f64) -> f64 {
    (x * per_unit).round() / per_unit
}

/// 7 -> 7, 342 -> 340, 18_437 -> 18_400.
fn round_significant(x: f64) -> u64 {
    let step = match x {
        x if x < 100.0 => 1.0,
        x if x < 1_000.0 => 10.0,
        _ => 100.0,
    };
    ((x / step).round() * step).max(1.0) as u64
}

/// The variables every template may use besides the variant's own.
fn auto_vars(
    rng: &mut Rng,
    v: &Variant,
    ms: [DateTime<Utc>; 5],
    impact: &Impact,
    canary: &[u32],
) -> Vec<(&'static str, String)> {
    let svc = v.services.first().copied().unwrap_or("platform");
    let svc2 = v.services.get(1).copied().unwrap_or(svc);
    let progress = 600 - v.days_ago;
    let major = MAJOR_VERSIONS
        .iter()
        .find(|(s, _)| *s == svc)
        .map_or(1, |(_, m)| *m);
    // Minor versions grow with time, so one service's versions stay in order.
    let minor = 10 + progress / 18;
    let patch = rng.range((0, 3));
    let ver = format!("{major}.{minor}.{patch}");
    let prev_ver = if patch > 0 {
        format!("{major}.{minor}.{}", patch - 1)
    } else {
        format!("{major}.{}.{}", minor - 1, rng.range((0, 4)))
    };
    let deploy = format!("dpl-{}", 30_000 + progress * 23 + rng.range((0, 22)));
    let pr = 700 + progress * 3 + rng.range((0, 2));
    let steps = canary
        .iter()
        .map(|s| format!("{s}%"))
        .collect::<Vec<_>>()
        .join(" → ");
    let first_step = canary.first().copied().unwrap_or(100);
    let revenue = impact
        .revenue
        .map(|r| format!("${}", thousands(r as u64)))
        .unwrap_or_else(|| "no measurable revenue".to_string());
    vec![
        ("svc", svc.to_string()),
        ("svc2", svc2.to_string()),
        ("owner", crew(v, 0).to_string()),
        ("oncall", crew(v, 1).to_string()),
        ("helper", crew(v, 2).to_string()),
        ("ver", ver),
        ("prev_ver", prev_ver),
        ("deploy", deploy),
        ("pd", format!("P{}", rng.code(6))),
        ("pr_url", format!("https://github.com/acme/{svc}/pull/{pr}")),
        ("chan", format!("#inc-{}-{svc}", ms[0].format("%Y%m%d"))),
        ("t0", ms[0].format("%H:%M").to_string()),
        ("date", ms[0].format("%Y-%m-%d").to_string()),
        ("ttd", human(ms[1] - ms[0])),
        ("tta", human(ms[2] - ms[1])),
        ("ttm", human(ms[3] - ms[0])),
        ("dur", human(ms[4] - ms[0])),
        ("users", thousands(impact.users_affected.unwrap_or(0))),
        (
            "pct",
            impact
                .users_percent
                .map(|p| format!("{p}"))
                .unwrap_or_else(|| "0".to_string()),
        ),
        ("tickets", impact.tickets.unwrap_or(0).to_string()),
        (
            "n_tickets",
            match impact.tickets.unwrap_or(0) {
                0 => "no tickets".to_string(),
                1 => "1 ticket".to_string(),
                n => format!("{n} tickets"),
            },
        ),
        ("revenue", revenue),
        (
            "budget",
            format!(
                "{}%",
                (impact.error_budget_consumed.unwrap_or(0.0) * 100.0).round()
            ),
        ),
        ("steps", steps),
        ("first_step", first_step.to_string()),
    ]
}

/// 18400 -> "18,400".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration as people write it: "7 minutes", "1 h 12 min", "2 days 3 h".
fn human(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match minutes {
        1 => "1 minute".to_string(),
        0..=59 => format!("{minutes} minutes"),
        60..=1439 if minutes % 60 == 0 => format!("{} h", minutes / 60),
        60..=1439 => format!("{} h {} min", minutes / 60, minutes % 60),
        1440..=2879 => format!("1 day {} h", (minutes % 1440) / 60),
        _ => format!("{} days {} h", minutes / 1440, (minutes % 1440) / 60),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::review::ReviewPolicy;
    use crate::workflow::missing_for;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    fn demo() -> Vec<Postmortem> {
        generate(today())
    }

    fn midnight() -> DateTime<Utc> {
        today().and_time(NaiveTime::MIN).and_utc()
    }

    /// Every free text of a postmortem, with where it came from.
    fn texts(pm: &Postmortem) -> Vec<(String, &str)> {
        let a = &pm.analysis;
        let mut out: Vec<(String, &str)> = vec![
            ("title".into(), pm.title.as_str()),
            ("summary".into(), pm.summary.as_str()),
            ("impact".into(), pm.impact.text.as_str()),
            ("trigger".into(), a.trigger.as_str()),
            ("root cause".into(), a.root_cause.as_str()),
            ("detection".into(), a.detection.as_str()),
            ("response".into(), a.response.as_str()),
        ];
        out.extend(single_line_texts(pm));
        out.extend(
            pm.actions
                .iter()
                .map(|x| (format!("{} description", x.id), x.description.as_str())),
        );
        out.extend(
            pm.reviews
                .iter()
                .map(|r| ("review".to_string(), r.comment.as_str())),
        );
        out
    }

    /// The texts that end up in one table cell, list item or line.
    fn single_line_texts(pm: &Postmortem) -> Vec<(String, &str)> {
        let a = &pm.analysis;
        let mut out: Vec<(String, &str)> = vec![("title".into(), pm.title.as_str())];
        for e in &pm.timeline {
            out.push((format!("timeline {}", e.at), e.text.as_str()));
            out.push(("source".into(), e.source.as_str()));
            if let Some(r) = &e.source_ref {
                out.push(("source ref".into(), r.as_str()));
            }
        }
        for w in &a.five_whys {
            out.push(("why".into(), w.question.as_str()));
            out.push(("why".into(), w.answer.as_str()));
        }
        out.extend(a.factors.iter().map(|f| (f.id.clone(), f.text.as_str())));
        for list in [
            &a.lessons.went_well,
            &a.lessons.went_wrong,
            &a.lessons.got_lucky,
        ] {
            out.extend(list.iter().map(|l| ("lesson".to_string(), l.as_str())));
        }
        for x in &pm.actions {
            out.push((x.id.clone(), x.title.as_str()));
            out.push((format!("{} outcome", x.id), x.outcome.as_str()));
            if let Some(r) = &x.wont_do_reason {
                out.push((format!("{} reason", x.id), r.as_str()));
            }
        }
        if let Some(r) = &pm.release {
            out.extend(
                r.gates
                    .iter()
                    .map(|g| (g.gate.to_string(), g.why_missed.as_str())),
            );
        }
        out
    }

    /// The statuses the postmortem went through on its way to its status.
    fn passed_through(status: Status) -> &'static [Status] {
        match status {
            Status::Draft => &[],
            Status::InReview => &[Status::InReview],
            Status::Final => &[Status::InReview, Status::Final],
            Status::Closed => &[Status::InReview, Status::Final, Status::Closed],
        }
    }

    #[test]
    fn the_same_day_gives_byte_identical_output() {
        let a = serde_json::to_string(&demo()).unwrap();
        let b = serde_json::to_string(&demo()).unwrap();
        assert_eq!(a, b);
        assert_eq!(demo(), demo());
    }

    #[test]
    fn another_day_shifts_the_same_data() {
        let later = generate(today() + Duration::days(30));
        let now = demo();
        assert_eq!(later.len(), now.len());
        for (a, b) in now.iter().zip(&later) {
            assert_eq!(a.title, b.title);
            assert_eq!(a.status, b.status);
            assert_eq!(
                b.milestones.started.unwrap() - a.milestones.started.unwrap(),
                Duration::days(30)
            );
        }
    }

    #[test]
    fn counts_and_spread_match_the_brief() {
        let pms = demo();
        assert!((55..=65).contains(&pms.len()), "{} postmortems", pms.len());
        let starts: Vec<_> = pms.iter().map(|p| p.milestones.started.unwrap()).collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "sorted by start");
        let span = starts[starts.len() - 1] - starts[0];
        assert!(
            span >= Duration::days(517),
            "span of {} days",
            span.num_days()
        );
        assert!(
            starts[0] >= midnight() - Duration::days(548),
            "within 18 months"
        );

        let services: BTreeSet<&str> = pms
            .iter()
            .flat_map(|p| p.services.iter().map(String::as_str))
            .collect();
        assert!((8..=10).contains(&services.len()), "{services:?}");
        let ids: BTreeSet<_> = pms.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), pms.len(), "unique ids");
        assert!(pms.iter().all(|p| p.key.is_none()));

        for kind in Kind::ALL {
            assert!(pms.iter().any(|p| p.kind == *kind), "kind {kind}");
        }
        for severity in Severity::ALL {
            assert!(
                pms.iter().any(|p| p.severity == Some(*severity)),
                "{severity}"
            );
        }
        for status in Status::ALL {
            assert!(
                pms.iter().filter(|p| p.status == *status).count() >= 2,
                "status {status}"
            );
        }
        let states: BTreeSet<ActionStatus> = pms
            .iter()
            .flat_map(|p| p.actions.iter().map(|a| a.status))
            .collect();
        assert_eq!(states.len(), ActionStatus::ALL.len(), "{states:?}");

        let count = |s: Severity| pms.iter().filter(|p| p.severity == Some(s)).count();
        assert!(count(Severity::Sev3) > count(Severity::Sev1));
        assert!(count(Severity::Sev4) > count(Severity::Sev1));

        let overdue: usize = pms.iter().map(|p| p.overdue_actions(today()).count()).sum();
        assert!(overdue >= 5, "{overdue} overdue action items");

        let restricted: Vec<_> = pms
            .iter()
            .filter(|p| p.visibility == Visibility::Restricted)
            .collect();
        assert!(
            (3..=5).contains(&restricted.len()),
            "{} restricted",
            restricted.len()
        );
        assert!(restricted.iter().all(|p| !p.restricted_to.is_empty()));
        assert!(
            restricted
                .iter()
                .filter(|p| p.kind == Kind::Security)
                .count()
                >= 3
        );
        assert!(
            pms.iter()
                .filter(|p| p.visibility == Visibility::Public)
                .count()
                >= 2
        );
        assert!(
            pms.iter()
                .filter(|p| p.visibility != Visibility::Restricted)
                .all(|p| p.restricted_to.is_empty())
        );

        let people: BTreeSet<&str> = pms.iter().flat_map(|p| p.owner.as_deref()).collect();
        assert!(people.len() >= 10, "{people:?}");
    }

    #[test]
    fn every_status_satisfies_the_guards_of_the_way_there() {
        for pm in demo() {
            for status in passed_through(pm.status) {
                let missing = missing_for(&pm, *status, &ReviewPolicy::default());
                assert!(
                    missing.is_empty(),
                    "{} ({}) to {status}: {missing:?}",
                    pm.title,
                    pm.status
                );
            }
            let resolved = pm.milestones.resolved.unwrap();
            match pm.status {
                Status::Draft | Status::InReview => {
                    assert!(
                        pm.published_at.is_none() && pm.closed_at.is_none(),
                        "{}",
                        pm.title
                    );
                    assert!(
                        !pm.reviews.iter().any(|r| r.verdict == Verdict::Approved)
                            || pm.status == Status::InReview
                    );
                }
                Status::Final => {
                    assert!(pm.published_at.unwrap() > resolved, "{}", pm.title);
                    assert!(pm.closed_at.is_none());
                }
                Status::Closed => {
                    let published = pm.published_at.unwrap();
                    assert!(published > resolved, "{}", pm.title);
                    assert!(pm.closed_at.unwrap() >= published, "{}", pm.title);
                    assert!(pm.actions.iter().all(|a| a.is_closed_out()), "{}", pm.title);
                }
            }
        }
    }

    #[test]
    fn reviews_include_requests_for_changes_answered_by_approvals() {
        let pms = demo();
        let answered = pms.iter().filter(|p| {
            p.reviews
                .iter()
                .any(|r| r.verdict == Verdict::ChangesRequested)
                && p.reviews.iter().any(|r| r.verdict == Verdict::Approved)
        });
        assert!(answered.count() >= 5);
        for pm in &pms {
            let mut last = pm.created_at;
            for r in &pm.reviews {
                assert!(r.at >= last, "{}: reviews in order", pm.title);
                assert!(
                    pm.reviewers.contains(&r.reviewer),
                    "{}: {} is a reviewer",
                    pm.title,
                    r.reviewer
                );
                assert!(
                    !pm.authors.contains(&r.reviewer),
                    "{}: authors do not review",
                    pm.title
                );
                last = r.at;
            }
        }
    }

    #[test]
    fn times_are_ordered_and_before_today() {
        for pm in demo() {
            let m = &pm.milestones;
            let chain = [
                m.started,
                m.detected,
                m.acknowledged,
                m.mitigated,
                m.resolved,
            ];
            assert!(chain.iter().all(Option::is_some), "{}", pm.title);
            assert!(
                chain.windows(2).all(|w| w[0] <= w[1]),
                "{}: milestones out of order",
                pm.title
            );
            let ttd = m.time_to_detect().unwrap();
            assert!(ttd >= Duration::minutes(1), "{}", pm.title);

            assert!(
                (6..=14).contains(&pm.timeline.len()),
                "{}: {} events",
                pm.title,
                pm.timeline.len()
            );
            assert!(
                pm.timeline.windows(2).all(|w| w[0].at <= w[1].at),
                "{}",
                pm.title
            );
            for milestone in Milestone::ALL {
                let tagged: Vec<_> = pm
                    .timeline
                    .iter()
                    .filter(|e| e.milestone == Some(*milestone))
                    .collect();
                assert_eq!(
                    tagged.len(),
                    1,
                    "{}: one event tagged {milestone}",
                    pm.title
                );
                assert_eq!(
                    Some(tagged[0].at),
                    m.get(*milestone),
                    "{}: {milestone}",
                    pm.title
                );
            }

            let mut stamps = vec![pm.created_at, pm.updated_at, m.resolved.unwrap()];
            stamps.extend(pm.published_at);
            stamps.extend(pm.closed_at);
            stamps.extend(pm.timeline.iter().map(|e| e.at));
            stamps.extend(pm.reviews.iter().map(|r| r.at));
            assert!(
                stamps.iter().all(|t| *t < midnight()),
                "{}: a time after today",
                pm.title
            );
            assert!(
                stamps.iter().all(|t| t.timestamp() % 60 == 0),
                "{}: whole minutes",
                pm.title
            );
            assert!(pm.created_at <= pm.updated_at, "{}", pm.title);
            for t in [pm.published_at, pm.closed_at].into_iter().flatten() {
                assert!(t <= pm.updated_at, "{}", pm.title);
            }
            if !pm.kind.is_release() {
                assert!(
                    pm.created_at > m.resolved.unwrap(),
                    "{}: written after the fact",
                    pm.title
                );
            }
        }
    }

    #[test]
    fn analysis_is_complete_and_actions_point_at_factors() {
        for pm in demo() {
            let a = &pm.analysis;
            assert!((3..=5).contains(&a.five_whys.len()), "{}", pm.title);
            assert!(
                (2..=4).contains(&a.factors.len()),
                "{}: {} factors",
                pm.title,
                a.factors.len()
            );
            assert!(
                !a.lessons.went_well.is_empty()
                    && !a.lessons.went_wrong.is_empty()
                    && !a.lessons.got_lucky.is_empty()
            );
            assert!(pm.impact.has_numbers(), "{}", pm.title);
            assert!(
                (2..=5).contains(&pm.actions.len()),
                "{}: {} actions",
                pm.title,
                pm.actions.len()
            );
            let ids: BTreeSet<&str> = pm.actions.iter().map(|x| x.id.as_str()).collect();
            assert_eq!(
                ids.len(),
                pm.actions.len(),
                "{}: action ids unique",
                pm.title
            );
            for x in &pm.actions {
                let factor = x.factor.as_deref().unwrap();
                assert!(
                    pm.factor(factor).is_some(),
                    "{}: {} points at missing {factor}",
                    pm.title,
                    x.id
                );
                let owner = x.owner.as_deref().unwrap();
                assert!(
                    owner.contains('.') && !owner.contains(' '),
                    "{}: owner {owner}",
                    pm.title
                );
                assert!(
                    x.due.is_some() && !x.outcome.is_empty(),
                    "{}: {}",
                    pm.title,
                    x.id
                );
                let first = x.title.split_whitespace().next().unwrap();
                assert!(
                    first.chars().next().unwrap().is_uppercase(),
                    "{}: {}",
                    pm.title,
                    x.title
                );
                let vague = [
                    "Improve",
                    "Investigate",
                    "Look",
                    "Consider",
                    "Ensure",
                    "Be",
                    "Try",
                ];
                assert!(
                    !vague.contains(&first),
                    "{}: vague action {}",
                    pm.title,
                    x.title
                );
                if x.status == ActionStatus::WontDo {
                    assert!(x.wont_do_reason.is_some());
                }
                if let Some(t) = &x.ticket {
                    let url = t.url.as_deref().unwrap();
                    let known = [
                        "https://acme.atlassian.net/",
                        "https://github.com/acme/",
                        "https://linear.app/acme/",
                    ];
                    assert!(known.iter().any(|k| url.starts_with(k)), "{url}");
                }
            }
            if pm.kind.is_release() {
                let release = pm.release.as_ref().unwrap();
                assert!(
                    release.deploy_id.is_some()
                        && release.artifact.is_some()
                        && release.version.is_some()
                );
                assert_eq!(release.gates.len(), 5, "{}", pm.title);
            } else {
                assert!(pm.release.is_none());
            }
        }
    }

    #[test]
    fn tickets_are_unique_across_the_set() {
        let pms = demo();
        let keys: Vec<&str> = pms
            .iter()
            .flat_map(|p| {
                p.actions
                    .iter()
                    .filter_map(|a| a.ticket.as_ref())
                    .map(|t| t.key.as_str())
            })
            .collect();
        let unique: BTreeSet<&str> = keys.iter().copied().collect();
        assert_eq!(unique.len(), keys.len());
        assert!(keys.len() >= 60, "{} tickets", keys.len());
    }

    #[test]
    fn texts_are_filled_blameless_and_single_line_where_they_must_be() {
        let blameful = [
            "human error",
            "forgot",
            "should have",
            "careless",
            "blame",
            "fault of",
            "negligen",
        ];
        for pm in demo() {
            for (what, text) in texts(&pm) {
                let lower = text.to_lowercase();
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{}: unfilled {what}: {text}",
                    pm.title
                );
                for word in blameful {
                    assert!(
                        !lower.contains(word),
                        "{}: {what} says `{word}`: {text}",
                        pm.title
                    );
                }
                assert!(
                    !text.contains("  ") && text.trim() == text,
                    "{}: {what} spacing: {text:?}",
                    pm.title
                );
            }
            for (what, text) in single_line_texts(&pm) {
                assert!(
                    !text.contains('\n') && !text.contains('|'),
                    "{}: {what}: {text}",
                    pm.title
                );
                assert!(
                    !text.is_empty() || what.len() < 10,
                    "{}: empty {what}",
                    pm.title
                );
            }
        }
    }

    #[test]
    fn texts_differ_between_instances_of_a_scenario() {
        let pms = demo();
        let titles: BTreeSet<&str> = pms.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles.len(), pms.len(), "titles are unique");
        let summaries: BTreeSet<&str> = pms.iter().map(|p| p.summary.as_str()).collect();
        assert_eq!(summaries.len(), pms.len(), "summaries are unique");
    }

    #[test]
    fn factors_recur_so_patterns_can_be_found() {
        let pms = demo();
        let has =
            |p: &Postmortem, c: FactorCategory| p.analysis.factors.iter().any(|f| f.category == c);
        let canary_releases = pms
            .iter()
            .filter(|p| p.kind.is_release() && has(p, FactorCategory::Canary))
            .count();
        assert!(canary_releases >= 4, "{canary_releases} canary factors");

        let on = |svc: &str, c: FactorCategory| -> Vec<DateTime<Utc>> {
            pms.iter()
                .filter(|p| p.services.first().is_some_and(|s| s == svc) && has(p, c))
                .map(|p| p.milestones.started.unwrap())
                .collect()
        };
        assert!(on("api-gateway", FactorCategory::Config).len() >= 3);
        let capacity_on_search = pms
            .iter()
            .filter(|p| {
                p.services.iter().any(|s| s == "search") && has(p, FactorCategory::Capacity)
            })
            .count();
        assert!(capacity_on_search >= 3);

        // The same service and monitoring gap three times within 90 days.
        let mut by_service: BTreeMap<&str, Vec<DateTime<Utc>>> = BTreeMap::new();
        for p in &pms {
            if has(p, FactorCategory::MonitoringGap) {
                by_service
                    .entry(&p.services[0])
                    .or_default()
                    .push(p.milestones.started.unwrap());
            }
        }
        let clustered = by_service
            .values()
            .any(|starts| starts.windows(3).any(|w| w[2] - w[0] <= Duration::days(90)));
        assert!(clustered, "{by_service:?}");
    }

    #[test]
    fn every_postmortem_survives_the_markdown_round_trip() {
        for pm in demo() {
            let text = crate::format::render(&pm);
            let parsed = crate::format::parse(&text, midnight())
                .unwrap_or_else(|e| panic!("{}: {e}\n{text}", pm.title));
            assert_eq!(parsed.postmortem, pm, "{}", pm.title);
        }
    }

    #[test]
    fn helpers_format_like_people_write() {
        assert_eq!(thousands(18_400), "18,400");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(human(Duration::minutes(7)), "7 minutes");
        assert_eq!(human(Duration::minutes(72)), "1 h 12 min");
        assert_eq!(human(Duration::minutes(120)), "2 h");
        assert_eq!(human(Duration::minutes(3000)), "2 days 2 h");
        assert_eq!(round_significant(18_437.0), 18_400);
        assert_eq!(round_significant(342.0), 340);
    }
}
