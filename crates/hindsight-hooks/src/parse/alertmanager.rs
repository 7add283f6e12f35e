//! Prometheus Alertmanager's webhook receiver, payload version 4: one delivery
//! per notification of an alert group, each alert firing or resolved.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Parsed, content_id, from_json, non_empty};
use crate::{Event, EventType, ParseError, Source};

const SOURCE: Source = Source::Alertmanager;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    version: String,
    #[serde(default)]
    external_url: Option<String>,
    alerts: Vec<Alert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Alert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: DateTime<Utc>,
    #[serde(default)]
    ends_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    generator_url: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
}

/// Labels that name the service, most specific first.
const SERVICE_LABELS: &[&str] = &["service", "app", "job"];
const ENVIRONMENT_LABELS: &[&str] = &["environment", "env"];

fn first_label(labels: &BTreeMap<String, String>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| non_empty(labels.get(*n).cloned()))
}

pub(super) fn parse(body: &[u8]) -> Result<Parsed, ParseError> {
    let payload: Payload = from_json(SOURCE, body)?;
    if payload.version != "4" {
        return Err(ParseError::new(
            SOURCE,
            "version",
            format!("version `{}` is not supported, only 4", payload.version),
        ));
    }
    let events = payload
        .alerts
        .into_iter()
        .enumerate()
        .map(|(i, a)| alert_event(i, a, payload.external_url.as_deref()))
        .collect::<Result<_, _>>()?;
    Ok(Parsed {
        delivery_id: content_id(body),
        events,
    })
}

fn alert_event(i: usize, a: Alert, external_url: Option<&str>) -> Result<Event, ParseError> {
    let (event_type, at) = match a.status.as_str() {
        "firing" => (EventType::AlertFiring, a.starts_at),
        "resolved" => {
            let ends = a.ends_at.ok_or_else(|| {
                ParseError::new(
                    SOURCE,
                    format!("alerts[{i}].endsAt"),
                    "a resolved alert needs its end time",
                )
            })?;
            (EventType::AlertResolved, ends)
        }
        other => {
            return Err(ParseError::new(
                SOURCE,
                format!("alerts[{i}].status"),
                format!("`{other}` is neither firing nor resolved"),
            ));
        }
    };
    let name = non_empty(a.labels.get("alertname").cloned()).ok_or_else(|| {
        ParseError::new(
            SOURCE,
            format!("alerts[{i}].labels.alertname"),
            "every alert needs a name",
        )
    })?;
    // The fingerprint identifies the label set; with the start time it
    // identifies one firing, which its resolution shares.
    let identity = non_empty(a.fingerprint).unwrap_or_else(|| {
        let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        content_id(labels.join(",").as_bytes())
    });
    let summary = non_empty(a.annotations.get("summary").cloned());
    let state = if event_type == EventType::AlertFiring {
        "firing"
    } else {
        "resolved"
    };
    let title = match summary {
        Some(s) => format!("Alert {name} {state}: {s}"),
        None => format!("Alert {name} {state}"),
    };
    let mut event = Event::new(
        SOURCE,
        event_type,
        at,
        format!("{identity}@{}", a.starts_at.to_rfc3339()),
        title,
    );
    event.service = first_label(&a.labels, SERVICE_LABELS);
    event.environment = first_label(&a.labels, ENVIRONMENT_LABELS);
    event.severity = first_label(&a.labels, &["severity"]);
    event.category = first_label(&a.labels, &["category"]);
    event.url = non_empty(a.generator_url).or_else(|| external_url.map(str::to_string));
    event.labels = a.labels;
    Ok(event)
}
