//! PagerDuty V3 webhooks: `{"event": {...}}`, one event per delivery. Only
//! incident events become timeline events; the event id is the delivery id
//! (PagerDuty keeps it across retries).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Parsed, field_path, from_json, non_empty, required};
use crate::{Event, EventType, ParseError, Source};

const SOURCE: Source = Source::Pagerduty;

#[derive(Deserialize)]
struct Payload {
    event: PdEvent,
}

#[derive(Deserialize)]
struct PdEvent {
    id: String,
    event_type: String,
    resource_type: String,
    occurred_at: DateTime<Utc>,
    #[serde(default)]
    agent: Option<Reference>,
    data: serde_json::Value,
}

#[derive(Deserialize)]
struct Incident {
    id: String,
    #[serde(default)]
    number: Option<u64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    service: Option<Reference>,
    #[serde(default)]
    priority: Option<Reference>,
    #[serde(default)]
    urgency: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    summary: Option<String>,
}

pub(super) fn parse(body: &[u8]) -> Result<Parsed, ParseError> {
    let payload: Payload = from_json(SOURCE, body)?;
    let e = payload.event;
    let delivery_id = required(SOURCE, "event.id", e.id)?;
    if e.resource_type != "incident" {
        return Ok(Parsed {
            delivery_id,
            events: Vec::new(),
        });
    }
    let incident: Incident = serde_path_to_error::deserialize(e.data).map_err(|err| {
        let reason = err.inner().to_string();
        ParseError::new(
            SOURCE,
            field_path("event.data", &err.path().to_string(), &reason),
            reason,
        )
    })?;
    let id = required(SOURCE, "event.data.id", incident.id)?;
    let (event_type, verb) = match e.event_type.as_str() {
        "incident.triggered" => (EventType::PageTriggered, "triggered"),
        "incident.acknowledged" => (EventType::PageAcknowledged, "acknowledged"),
        "incident.resolved" => (EventType::PageResolved, "resolved"),
        other => (
            EventType::Custom,
            other.strip_prefix("incident.").unwrap_or(other),
        ),
    };
    let name = match incident.number {
        Some(n) => format!("PagerDuty incident #{n}"),
        None => format!("PagerDuty incident {id}"),
    };
    let mut title = format!("{name} {verb}");
    if let Some(t) = non_empty(incident.title) {
        title.push_str(": ");
        title.push_str(&t);
    }
    if let Some(who) = e.agent.and_then(|a| non_empty(a.summary)) {
        title.push_str(&format!(" (by {who})"));
    }
    let mut event = Event::new(SOURCE, event_type, e.occurred_at, id, title);
    event.service = incident.service.and_then(|s| non_empty(s.summary));
    event.severity = incident
        .priority
        .and_then(|p| non_empty(p.summary))
        .or_else(|| non_empty(incident.urgency).map(|u| format!("urgency-{u}")));
    event.url = non_empty(incident.html_url);
    Ok(Parsed {
        delivery_id,
        events: vec![event],
    })
}
