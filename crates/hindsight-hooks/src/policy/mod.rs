//! The trigger policy: what a new event means for postmortems.
//!
//! [`decide`] is pure: it gets the new event, the stored events around it
//! (of its service, within [`Window::lookback`] before it), the postmortems
//! triggers already opened, and the postmortems of the recent past, and says
//! what to do. The caller stores the result; the store's unique trigger key
//! makes sure that two deliveries deciding [`Decision::Open`] for the same
//! incident or deploy at once still open one postmortem.

mod config;
mod draft;

use chrono::{DateTime, Duration, Utc};
use hindsight_core::{Milestone, Postmortem, Severity, TimelineEvent};
use uuid::Uuid;

pub use config::{DeployPolicy, IncidentPolicy, PolicyConfig, PolicyError, Recurrence, Window};
pub use draft::{apply, timeline_event};

use crate::{Event, EventType, Source};

/// A postmortem a trigger opened, as the store maps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub key: String,
    pub postmortem_id: Uuid,
    pub service: Option<String>,
    /// Events of the service from `window_start` to `window_end` belong to it.
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

/// What the policy is given besides the new event.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Stored events of the event's service (the new one may be among them);
    /// may be left empty when [`needs_related`] is false and no opened
    /// postmortem is around.
    pub related: &'a [Event],
    /// Postmortems opened by triggers.
    pub opened: &'a [Opened],
    /// Recent postmortems of the event's service (those older than the
    /// recurrence and novelty windows are ignored); read only when
    /// [`needs_history`].
    pub history: &'a [Postmortem],
    pub now: DateTime<Utc>,
}

/// A postmortem to open, and what the store records about the trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub key: String,
    pub postmortem: Postmortem,
    pub service: Option<String>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub reason: String,
}

/// Evidence to add to a postmortem that is already open.
#[derive(Debug, Clone, PartialEq)]
pub struct Addition {
    pub postmortem_id: Uuid,
    pub timeline: Vec<TimelineEvent>,
    /// Milestones the events establish; [`apply`] sets only those still unset.
    pub milestones: Vec<(Milestone, DateTime<Utc>)>,
    /// When the deploy was rolled back, if this addition says so.
    pub rolled_back_at: Option<DateTime<Utc>>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Open(Box<Opening>),
    Append(Addition),
    Nothing { reason: String },
}

impl Decision {
    pub fn reason(&self) -> &str {
        match self {
            Decision::Open(o) => &o.reason,
            Decision::Append(a) => &a.reason,
            Decision::Nothing { reason } => reason,
        }
    }
}

/// What to do about `event`.
pub fn decide(event: &Event, ctx: Context<'_>, config: &PolicyConfig) -> Decision {
    if let Some(label) = config.excluded_by(&event.labels) {
        return Decision::Nothing {
            reason: format!("excluded by label {label}"),
        };
    }
    let bad_deploy = bad_deploy(event, ctx.related);
    let key = bad_deploy
        .as_ref()
        .map(|d| deploy_key(d, ctx.related))
        .unwrap_or_else(|| incident_key(event));
    if let Some(open) = ctx
        .opened
        .iter()
        .find(|o| o.key == key)
        .or_else(|| ctx.opened.iter().find(|o| covers(o, event)))
    {
        return append(open, event, ctx.related, bad_deploy.as_ref());
    }
    if let Some(bad) = bad_deploy {
        if !config.deploy.enabled {
            return Decision::Nothing {
                reason: "deploy postmortems are disabled by the policy".into(),
            };
        }
        return Decision::Open(Box::new(draft::deploy(&bad, key, ctx, config)));
    }
    if event.event_type.is_resolution() {
        return incident(event, key, ctx, config);
    }
    Decision::Nothing {
        reason: format!(
            "recorded: a {} event opens nothing by itself",
            type_name(event.event_type)
        ),
    }
}

/// Whether deciding about `event` can depend on the stored events around it:
/// a deploy that went wrong, a GitHub deploy (which may be a rollback), and
/// the end of an incident. Any other event only ever joins a postmortem
/// already opened, so without one around it the caller may skip loading the
/// window (the common case: alerts firing, pages, deploys going fine).
pub fn needs_related(event: &Event) -> bool {
    event.event_type.is_bad_deploy()
        || event.event_type.is_resolution()
        || (event.source == Source::Github && event.event_type == EventType::DeployStarted)
}

/// Whether deciding about `event` reads [`Context::history`] (novelty and
/// recurrence): only the end of an incident.
pub fn needs_history(event: &Event) -> bool {
    event.event_type.is_resolution()
}

/// The dedupe key of the postmortem `event` would open or extend.
pub fn trigger_key(event: &Event, related: &[Event]) -> String {
    match bad_deploy(event, related) {
        Some(bad) => deploy_key(&bad, related),
        None => incident_key(event),
    }
}

fn type_name(t: EventType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A deploy that went wrong: the deploy's own events, and when it went wrong.
#[derive(Debug, Clone)]
pub(crate) struct BadDeploy {
    /// The event that says so (failure, rollback, or the redeploy of an
    /// earlier version).
    pub(crate) trigger: Event,
    /// The deploy that went wrong (for a GitHub redeploy, the one replaced).
    pub(crate) deploy: Event,
    /// When it was rolled back, if it was.
    pub(crate) rolled_back_at: Option<DateTime<Utc>>,
}

fn bad_deploy(event: &Event, related: &[Event]) -> Option<BadDeploy> {
    if event.event_type.is_bad_deploy() && event.deploy.is_some() {
        return Some(BadDeploy {
            trigger: event.clone(),
            deploy: event.clone(),
            rolled_back_at: (event.event_type == EventType::DeployRolledBack).then_some(event.at),
        });
    }
    github_redeploy(event, related)
}

/// A GitHub deployment of a SHA that an earlier deployment to the same
/// environment already shipped, when the newest deployment before it shipped
/// another: a rollback of that newest one.
fn github_redeploy(event: &Event, related: &[Event]) -> Option<BadDeploy> {
    if event.source != Source::Github || event.event_type != EventType::DeployStarted {
        return None;
    }
    let sha = event.deploy.as_ref()?.version.as_deref()?;
    let mut earlier: Vec<&Event> = related
        .iter()
        .filter(|e| {
            e.source == Source::Github
                && e.event_type == EventType::DeployStarted
                && e.environment == event.environment
                && e.service == event.service
                && e.subject != event.subject
                && e.at <= event.at
        })
        .collect();
    earlier.sort_by_key(|e| e.at);
    let (newest, before) = earlier.split_last()?;
    let newest_sha = newest.deploy.as_ref()?.version.as_deref()?;
    let shipped_before = before
        .iter()
        .any(|e| e.deploy.as_ref().and_then(|d| d.version.as_deref()) == Some(sha));
    (newest_sha != sha && shipped_before).then(|| BadDeploy {
        trigger: event.clone(),
        deploy: (*newest).clone(),
        rolled_back_at: Some(event.at),
    })
}

/// `deploy:<source>:<deploy id>`. Flagger names no revision, so its key adds
/// the time the canary's current rollout started (or the day, if unknown).
fn deploy_key(bad: &BadDeploy, related: &[Event]) -> String {
    let d = &bad.deploy;
    let id = d
        .deploy
        .as_ref()
        .map(|x| x.id.as_str())
        .unwrap_or(&d.subject);
    if d.source != Source::Flagger {
        return format!("deploy:{}:{id}", d.source);
    }
    let started = rollout_start(d, related)
        .map(|s| s.at.to_rfc3339())
        .unwrap_or_else(|| d.at.date_naive().to_string());
    format!("deploy:flagger:{id}@{started}")
}

/// The latest start of the deploy's subject at or before it.
pub(crate) fn rollout_start<'e>(deploy: &Event, related: &'e [Event]) -> Option<&'e Event> {
    related
        .iter()
        .filter(|e| {
            e.source == deploy.source
                && e.subject == deploy.subject
                && e.event_type == EventType::DeployStarted
                && e.at <= deploy.at
        })
        .max_by_key(|e| e.at)
}

/// `incident:<source>:<subject>`: one per alert firing, PagerDuty incident or
/// generic subject.
fn incident_key(event: &Event) -> String {
    format!("incident:{}:{}", event.source, event.subject)
}

/// Whether `event` falls in the window of an opened postmortem of its service.
fn covers(open: &Opened, event: &Event) -> bool {
    open.service.is_some()
        && open.service == event.service
        && open.window_start <= event.at
        && event.at <= open.window_end
}

fn append(open: &Opened, event: &Event, related: &[Event], bad: Option<&BadDeploy>) -> Decision {
    let mut events: Vec<Event> = related.to_vec();
    if !events.contains(event) {
        events.push(event.clone());
    }
    let mut timeline = vec![draft::entry(event, bad)];
    if let Some(bad) = bad
        && bad.deploy != *event
    {
        timeline.push(draft::entry(&bad.deploy, Some(bad)));
    }
    let window: Vec<&Event> = events
        .iter()
        .filter(|e| open.window_start <= e.at && e.at <= open.window_end.max(event.at))
        .collect();
    let milestones = draft::milestones(&window, bad)
        .into_iter()
        .map(|(m, e)| (m, e.at))
        .collect();
    Decision::Append(Addition {
        postmortem_id: open.postmortem_id,
        timeline,
        milestones,
        rolled_back_at: bad.and_then(|b| b.rolled_back_at),
        reason: format!("appended to the postmortem opened for {}", open.key),
    })
}

/// The most severe of the events' severities the policy understands.
pub(crate) fn max_severity<'e>(
    events: impl IntoIterator<Item = &'e Event>,
    config: &PolicyConfig,
) -> Option<Severity> {
    events
        .into_iter()
        .filter_map(|e| e.severity.as_deref().and_then(|s| config.severity_of(s)))
        .min()
}

/// Postmortems of `service` created within `days` before `now`.
fn recent<'p>(
    history: &'p [Postmortem],
    service: &str,
    days: i64,
    now: DateTime<Utc>,
) -> impl Iterator<Item = &'p Postmortem> {
    let since = now - Duration::days(days);
    history
        .iter()
        .filter(move |p| p.created_at >= since && p.services.iter().any(|s| s == service))
}

/// Whether the service had more than `recurrence.more_than` postmortems with a
/// factor of `category` in `recurrence.days`.
fn recurring(event: &Event, ctx: &Context<'_>, config: &PolicyConfig) -> Option<String> {
    let (service, category) = (event.service.as_deref()?, event.category.as_deref()?);
    let count = recent(ctx.history, service, config.recurrence.days, ctx.now)
        .filter(|p| {
            p.analysis
                .factors
                .iter()
                .any(|f| f.category.as_str().eq_ignore_ascii_case(category))
        })
        .count();
    (count > config.recurrence.more_than).then(|| {
        format!(
            "recurring: {count} postmortems of {service} with cause category {category} in {} days",
            config.recurrence.days
        )
    })
}

fn incident(event: &Event, key: String, ctx: Context<'_>, config: &PolicyConfig) -> Decision {
    let incident: Vec<&Event> = ctx
        .related
        .iter()
        .filter(|e| e.source == event.source && e.subject == event.subject)
        .chain(std::iter::once(event))
        .collect();
    let recurrence = recurring(event, &ctx, config);
    let Some(severity) = max_severity(incident.iter().copied(), config) else {
        return match recurrence {
            Some(why) => Decision::Open(Box::new(draft::incident(
                event, key, None, false, &why, ctx, config,
            ))),
            None => Decision::Nothing {
                reason: "no severity the policy understands: nothing opened".into(),
            },
        };
    };
    let open = |lightweight: bool, why: String| {
        Decision::Open(Box::new(draft::incident(
            event,
            key.clone(),
            Some(severity),
            lightweight,
            &why,
            ctx,
            config,
        )))
    };
    if let Some(why) = recurrence {
        return open(false, format!("{severity}, {why}: full postmortem"));
    }
    let p = &config.incidents;
    if p.always.contains(&severity) {
        return open(false, format!("{severity} always gets a postmortem"));
    }
    if p.novel_or_recurring.contains(&severity) {
        let novel = event.service.as_deref().is_none_or(|s| {
            recent(ctx.history, s, p.novelty_days, ctx.now)
                .next()
                .is_none()
        });
        return if novel {
            open(
                false,
                format!(
                    "{severity} and novel: no postmortem of this service in {} days",
                    p.novelty_days
                ),
            )
        } else {
            Decision::Nothing {
                reason: format!("{severity}, neither novel nor recurring: nothing opened"),
            }
        };
    }
    if p.note.contains(&severity) {
        return open(true, format!("{severity}: a lightweight note"));
    }
    Decision::Nothing {
        reason: format!("{severity} opens nothing under this policy"),
    }
}
