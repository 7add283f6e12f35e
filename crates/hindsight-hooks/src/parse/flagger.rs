//! Flagger event webhooks (`type: event`): one delivery per Kubernetes event of
//! a canary, `{"name", "namespace", "phase", "metadata": {"eventMessage",
//! "eventType", "timestamp"}}`, the timestamp in Unix seconds. Phase `Failed`
//! means Flagger rolled the canary back.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Parsed, content_id, from_json, non_empty, required};
use crate::{Deploy, Event, EventType, ParseError, Source};

const SOURCE: Source = Source::Flagger;

#[derive(Deserialize)]
struct Payload {
    name: String,
    namespace: String,
    phase: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

pub(super) fn parse(body: &[u8]) -> Result<Parsed, ParseError> {
    let p: Payload = from_json(SOURCE, body)?;
    let name = required(SOURCE, "name", p.name)?;
    let namespace = required(SOURCE, "namespace", p.namespace)?;
    let stamp = p
        .metadata
        .get("timestamp")
        .ok_or_else(|| ParseError::new(SOURCE, "metadata.timestamp", "missing"))?;
    let at = stamp
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
        .ok_or_else(|| {
            ParseError::new(
                SOURCE,
                "metadata.timestamp",
                format!("`{stamp}` is not Unix seconds"),
            )
        })?;
    let message = non_empty(p.metadata.get("eventMessage").cloned());
    let event_type = match p.phase.as_str() {
        "Failed" => EventType::DeployRolledBack,
        "Succeeded" => EventType::DeploySucceeded,
        "Progressing" | "Initializing"
            if message
                .as_deref()
                .is_some_and(|m| m.starts_with("New revision detected")) =>
        {
            EventType::DeployStarted
        }
        _ => EventType::Custom,
    };
    let subject = format!("{namespace}/{name}");
    let mut title = format!("Canary {subject} {}", p.phase);
    if let Some(m) = &message {
        title.push_str(&format!(": {m}"));
    }
    let mut e = Event::new(SOURCE, event_type, at, subject.clone(), title);
    e.service = Some(name);
    e.environment = Some(namespace);
    // Flagger names no revision: the policy tells rollouts of one canary apart
    // by the time each started.
    e.deploy = Some(Deploy {
        id: subject,
        artifact: None,
        version: None,
    });
    Ok(Parsed {
        delivery_id: content_id(body),
        events: vec![e],
    })
}
