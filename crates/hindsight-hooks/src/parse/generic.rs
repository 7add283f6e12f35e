//! Hindsight's own event format, for every tool without a parser of its own
//! (documented in `docs/hooks.md`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Parsed, content_id, from_json, non_empty, required};
use crate::{Deploy, Event, EventType, ParseError, Source};

const SOURCE: Source = Source::Events;

/// The accepted `type` values and what each becomes.
pub const GENERIC_TYPES: &[(&str, EventType)] = &[
    ("deploy.started", EventType::DeployStarted),
    ("deploy.succeeded", EventType::DeploySucceeded),
    ("deploy.failed", EventType::DeployFailed),
    ("deploy.rolled_back", EventType::DeployRolledBack),
    ("incident.started", EventType::IncidentStarted),
    ("incident.detected", EventType::IncidentDetected),
    ("incident.resolved", EventType::IncidentResolved),
    ("custom", EventType::Custom),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: String,
    at: DateTime<Utc>,
    title: String,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    deploy: Option<DeployFields>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployFields {
    id: String,
    #[serde(default)]
    artifact: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub(super) fn parse(body: &[u8]) -> Result<Parsed, ParseError> {
    let p: Payload = from_json(SOURCE, body)?;
    let event_type = GENERIC_TYPES
        .iter()
        .find(|(name, _)| *name == p.event_type)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let known: Vec<&str> = GENERIC_TYPES.iter().map(|(n, _)| *n).collect();
            ParseError::new(
                SOURCE,
                "type",
                format!(
                    "unknown type `{}`, expected one of: {}",
                    p.event_type,
                    known.join(", ")
                ),
            )
        })?;
    let title = required(SOURCE, "title", p.title)?;
    let deploy = match p.deploy {
        Some(d) => Some(Deploy {
            id: required(SOURCE, "deploy.id", d.id)?,
            artifact: non_empty(d.artifact),
            version: non_empty(d.version),
        }),
        None if event_type.is_deploy() => {
            return Err(ParseError::new(
                SOURCE,
                "deploy",
                "deploy events need a deploy with an id",
            ));
        }
        None => None,
    };
    let service = non_empty(p.service);
    let subject = non_empty(p.subject)
        .or_else(|| deploy.as_ref().map(|d| d.id.clone()))
        .or_else(|| service.clone())
        .ok_or_else(|| {
            ParseError::new(
                SOURCE,
                "subject",
                "give a subject, a deploy or a service to tie events together",
            )
        })?;
    let mut e = Event::new(SOURCE, event_type, p.at, subject, title);
    e.service = service;
    e.environment = non_empty(p.environment);
    e.severity = non_empty(p.severity);
    e.url = non_empty(p.url);
    e.deploy = deploy;
    e.category = non_empty(p.category);
    e.labels = p.labels;
    Ok(Parsed {
        delivery_id: non_empty(p.id).unwrap_or_else(|| content_id(body)),
        events: vec![e],
    })
}
