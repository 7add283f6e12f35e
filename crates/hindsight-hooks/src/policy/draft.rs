//! The postmortems the policy opens, their timelines and milestones, and how
//! later evidence is added to them.

use chrono::{DateTime, Utc};
use hindsight_core::{
    EventKind, Gate, GateAnalysis, GateOutcome, Kind, Milestone, Postmortem, ReleaseRecord,
    Severity, TimelineEvent,
};

use super::{Addition, BadDeploy, Context, Opening, PolicyConfig, max_severity, rollout_start};
use crate::{Event, EventType};

/// Tag on every postmortem a trigger opened.
pub const AUTO_TAG: &str = "auto-opened";
/// Tag on the lightweight notes of low-severity incidents.
pub const NOTE_TAG: &str = "note";

/// The timeline entry for an event: its time, title and link, its source
/// named after the sender.
pub fn timeline_event(e: &Event) -> TimelineEvent {
    TimelineEvent {
        at: e.at,
        kind: e.event_type.timeline_kind(),
        text: e.title.clone(),
        source: e.source.as_str().to_string(),
        source_ref: Some(e.url.clone().unwrap_or_else(|| e.subject.clone())),
        milestone: None,
    }
}

/// The timeline entry for an event of a bad deploy's window: a redeploy of an
/// earlier version is shown as the rollback it is.
pub(crate) fn entry(e: &Event, bad: Option<&BadDeploy>) -> TimelineEvent {
    let mut t = timeline_event(e);
    if let Some(b) = bad
        && b.rolled_back_at.is_some()
        && b.trigger == *e
        && e.event_type != EventType::DeployRolledBack
    {
        t.kind = EventKind::Rollback;
        t.text = format!("Rollback: {}", t.text);
    }
    t
}

/// Adds an addition's evidence to its postmortem (new events in time order, milestones still unset), and the
/// rollback time to its release record if it has none. Whether anything
/// changed.
pub fn apply(pm: &mut Postmortem, addition: &Addition) -> bool {
    let mut changed = merge(pm, &addition.timeline, &addition.milestones);
    if let (Some(at), Some(release)) = (addition.rolled_back_at, pm.release.as_mut())
        && release.rolled_back_at.is_none()
    {
        release.rolled_back_at = Some(at);
        changed = true;
    }
    changed
}

/// Adds the events a postmortem does not have yet, in time order, and sets
/// the milestones it does not have yet (never overwriting one a person or an
/// earlier event set), tagging the event that established each. Whether
/// anything changed.
fn merge(
    pm: &mut Postmortem,
    timeline: &[TimelineEvent],
    milestones: &[(Milestone, DateTime<Utc>)],
) -> bool {
    let mut changed = false;
    for event in timeline {
        let known = pm
            .timeline
            .iter()
            .any(|t| t.at == event.at && t.source == event.source && t.text == event.text);
        if !known {
            pm.timeline.push(event.clone());
            changed = true;
        }
    }
    pm.timeline.sort_by_key(|t| t.at);
    for (m, at) in milestones {
        if pm.milestones.get(*m).is_some() {
            continue;
        }
        pm.milestones.set(*m, Some(*at));
        if let Some(t) = pm.timeline.iter_mut().find(|t| {
            t.at == *at && t.milestone.is_none() && t.source != hindsight_core::MANUAL_SOURCE
        }) {
            t.milestone = Some(*m);
        }
        changed = true;
    }
    changed
}

/// The milestones the events establish, each with the event that does. Only
/// what the evidence says: a milestone no event marks stays unset.
pub(crate) fn milestones<'e>(
    events: &[&'e Event],
    bad: Option<&'e BadDeploy>,
) -> Vec<(Milestone, &'e Event)> {
    let first = |types: &[EventType]| {
        events
            .iter()
            .copied()
            .filter(|e| types.contains(&e.event_type))
            .min_by_key(|e| e.at)
    };
    let mut out = Vec::new();
    // A deploy postmortem's incident starts when the deploy that went wrong
    // started: the earliest its change could act.
    let started = first(&[EventType::IncidentStarted]).or_else(|| {
        let bad = bad?;
        let owned: Vec<Event> = events.iter().map(|e| (*e).clone()).collect();
        let start = rollout_start(&bad.deploy, &owned)?;
        events.iter().copied().find(|e| *e == start)
    });
    out.extend(started.map(|e| (Milestone::Started, e)));
    let detected = first(&[
        EventType::IncidentDetected,
        EventType::AlertFiring,
        EventType::PageTriggered,
        EventType::DeployFailed,
    ]);
    out.extend(detected.map(|e| (Milestone::Detected, e)));
    out.extend(first(&[EventType::PageAcknowledged]).map(|e| (Milestone::Acknowledged, e)));
    let mitigated = match bad {
        Some(b) if b.rolled_back_at.is_some() => Some(&b.trigger),
        _ => first(&[EventType::DeployRolledBack]),
    };
    out.extend(mitigated.map(|e| (Milestone::Mitigated, e)));
    let resolved = first(&[EventType::IncidentResolved, EventType::PageResolved])
        .or_else(|| all_alerts_resolved(events));
    out.extend(resolved.map(|e| (Milestone::Resolved, e)));
    out
}

/// The last resolution, when every alert that fired has resolved.
fn all_alerts_resolved<'e>(events: &[&'e Event]) -> Option<&'e Event> {
    let fired: Vec<&str> = events
        .iter()
        .filter(|e| e.event_type == EventType::AlertFiring)
        .map(|e| e.subject.as_str())
        .collect();
    let resolutions: Vec<&'e Event> = events
        .iter()
        .copied()
        .filter(|e| e.event_type == EventType::AlertResolved)
        .collect();
    let all = !fired.is_empty()
        && fired
            .iter()
            .all(|s| resolutions.iter().any(|r| r.subject == *s));
    all.then(|| resolutions.into_iter().max_by_key(|e| e.at))
        .flatten()
}

/// Timeline and milestones of the events, deduplicated and in time order.
fn fill(pm: &mut Postmortem, events: &[&Event], bad: Option<&BadDeploy>) {
    let mut sorted: Vec<&Event> = events.to_vec();
    sorted.sort_by_key(|e| e.at);
    sorted.dedup();
    let timeline: Vec<TimelineEvent> = sorted.iter().map(|e| entry(e, bad)).collect();
    let marks: Vec<(Milestone, DateTime<Utc>)> = milestones(&sorted, bad)
        .into_iter()
        .map(|(m, e)| (m, e.at))
        .collect();
    merge(pm, &timeline, &marks);
}

/// Events of the service (or with no service) in the window, plus `extra`.
fn in_window<'e>(
    related: &'e [Event],
    extra: &[&'e Event],
    service: Option<&str>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<&'e Event> {
    let mut events: Vec<&Event> = related
        .iter()
        .filter(|e| e.service.as_deref() == service && start <= e.at && e.at <= end)
        .collect();
    for e in extra {
        if !events.contains(e) {
            events.push(e);
        }
    }
    events
}

pub(crate) fn deploy(
    bad: &BadDeploy,
    key: String,
    ctx: Context<'_>,
    config: &PolicyConfig,
) -> Opening {
    let d = &bad.deploy;
    let start = rollout_start(d, ctx.related)
        .map(|e| e.at)
        .unwrap_or(d.at)
        .min(d.at);
    let window_start = start - config.window.before();
    let window_end = bad.trigger.at + config.window.after();
    let events = in_window(
        ctx.related,
        &[&bad.trigger, d],
        d.service.as_deref(),
        window_start,
        window_end,
    );
    let severity = config
        .deploy
        .severity
        .or_else(|| {
            max_severity(
                events.iter().copied().filter(|e| !e.event_type.is_deploy()),
                config,
            )
        })
        .unwrap_or(config.deploy.default_severity);
    let info = d.deploy.clone();
    let deploy_id = info
        .as_ref()
        .map(|i| i.id.clone())
        .unwrap_or_else(|| d.subject.clone());
    let what = if bad.rolled_back_at.is_some() {
        "rolled back"
    } else {
        "failed"
    };
    let service = d.service.clone();
    let target = match (&service, &d.environment) {
        (Some(s), Some(env)) => format!(" of {s} to {env}"),
        (Some(s), None) => format!(" of {s}"),
        (None, Some(env)) => format!(" to {env}"),
        (None, None) => String::new(),
    };
    let mut pm = Postmortem::new(
        format!("Deploy {deploy_id}{target} {what}"),
        Kind::Deploy,
        ctx.now,
    );
    pm.severity = Some(severity);
    pm.services = service.iter().cloned().collect();
    pm.tags = vec![AUTO_TAG.to_string()];
    pm.release = Some(ReleaseRecord {
        deploy_id: Some(deploy_id.clone()),
        artifact: info.as_ref().and_then(|i| i.artifact.clone()),
        version: info.as_ref().and_then(|i| i.version.clone()),
        environment: d.environment.clone(),
        rolled_back_at: bad.rolled_back_at,
        // Every gate, to be filled in: what it did, why it did not catch this.
        gates: Gate::ALL
            .iter()
            .map(|&gate| GateAnalysis {
                gate,
                outcome: GateOutcome::Unknown,
                why_missed: String::new(),
            })
            .collect(),
        ..ReleaseRecord::default()
    });
    pm.summary = format!(
        "Opened automatically: deploy {deploy_id}{target} {what} ({}, {}). \
         The timeline holds the deploy events and the alerts and pages of the window; \
         the release gates are listed as unknown, for each to say what it did and why \
         it did not catch this.",
        bad.trigger.source, bad.trigger.title,
    );
    fill(&mut pm, &events, Some(bad));
    Opening {
        key,
        postmortem: pm,
        service,
        window_start,
        window_end,
        reason: format!("deploy {deploy_id} {what}: a deploy postmortem"),
    }
}

pub(crate) fn incident(
    event: &Event,
    key: String,
    severity: Option<Severity>,
    lightweight: bool,
    why: &str,
    ctx: Context<'_>,
    config: &PolicyConfig,
) -> Opening {
    let first = ctx
        .related
        .iter()
        .filter(|e| e.source == event.source && e.subject == event.subject)
        .map(|e| e.at)
        .min()
        .unwrap_or(event.at)
        .min(event.at);
    let window_start = first - config.window.before();
    let window_end = event.at + config.window.after();
    let events = in_window(
        ctx.related,
        &[event],
        event.service.as_deref(),
        window_start,
        event.at,
    );
    let mut pm = Postmortem::new(
        format!("Incident: {}", event.title),
        Kind::Incident,
        ctx.now,
    );
    pm.severity = severity;
    pm.services = event.service.iter().cloned().collect();
    pm.tags = vec![AUTO_TAG.to_string()];
    if lightweight {
        pm.tags.push(NOTE_TAG.to_string());
    }
    pm.summary = format!("Opened automatically when the incident resolved ({why}).");
    fill(&mut pm, &events, None);
    Opening {
        key,
        postmortem: pm,
        service: event.service.clone(),
        window_start,
        window_end,
        reason: why.to_string(),
    }
}
