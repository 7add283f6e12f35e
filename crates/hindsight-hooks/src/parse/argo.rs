//! Argo Rollouts notifications through its `webhook` service. The body is a
//! template the operator writes, so Hindsight documents the one it reads
//! (`docs/hooks.md`): the trigger name, the rollout, its namespace and revision,
//! and optionally the image, the status message and the time.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Parsed, content_id, from_json, non_empty, required};
use crate::{Deploy, Event, EventType, ParseError, Source};

const SOURCE: Source = Source::ArgoRollouts;

#[derive(Deserialize)]
struct Payload {
    trigger: String,
    rollout: String,
    namespace: String,
    revision: String,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

pub(super) fn parse(body: &[u8], received: DateTime<Utc>) -> Result<Parsed, ParseError> {
    let p: Payload = from_json(SOURCE, body)?;
    let rollout = required(SOURCE, "rollout", p.rollout)?;
    let namespace = required(SOURCE, "namespace", p.namespace)?;
    let revision = required(SOURCE, "revision", p.revision)?;
    let trigger = required(SOURCE, "trigger", p.trigger)?;
    let (event_type, what) = match trigger.as_str() {
        "on-rollout-updated" => (EventType::DeployStarted, "updated"),
        "on-rollout-completed" => (EventType::DeploySucceeded, "completed"),
        // An aborted rollout goes back to the stable version: a rollback.
        "on-rollout-aborted" => (EventType::DeployRolledBack, "aborted and rolled back"),
        "on-analysis-run-failed" => (EventType::DeployFailed, "failed its analysis run"),
        other => (
            EventType::Custom,
            other.strip_prefix("on-").unwrap_or(other),
        ),
    };
    let id = format!("{namespace}/{rollout}#{revision}");
    let mut title = format!("Rollout {namespace}/{rollout} revision {revision} {what}");
    if let Some(m) = non_empty(p.message) {
        title.push_str(&format!(": {m}"));
    }
    let mut e = Event::new(
        SOURCE,
        event_type,
        p.at.unwrap_or(received),
        id.clone(),
        title,
    );
    e.service = Some(rollout);
    e.environment = non_empty(p.environment).or(Some(namespace));
    e.url = non_empty(p.url);
    e.deploy = Some(Deploy {
        id,
        version: non_empty(p.image.clone())
            .and_then(|i| i.rsplit_once(':').map(|(_, tag)| tag.to_string())),
        artifact: non_empty(p.image),
    });
    Ok(Parsed {
        delivery_id: content_id(body),
        events: vec![e],
    })
}
