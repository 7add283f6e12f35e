//! One parser per sender. Each reads the raw body (and the headers it needs),
//! checks the fields it relies on, and gives the delivery id to deduplicate on
//! with the normalised events. A field that is missing or of the wrong type is
//! a [`ParseError`] naming it; fields Hindsight does not use are ignored, so a
//! sender adding fields never breaks intake.

mod alertmanager;
mod argo;
mod flagger;
mod generic;
mod github;
mod pagerduty;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::{Event, ParseError, Source};

pub use generic::GENERIC_TYPES;

/// What one delivery says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The id two deliveries of the same content share: the sender's delivery or
    /// event id where it has one, else a hash of the body.
    pub delivery_id: String,
    /// Normalised events, in the order of the payload. Empty for deliveries
    /// that carry nothing Hindsight uses (a GitHub `ping`, a PagerDuty service
    /// change).
    pub events: Vec<Event>,
}

/// Request headers, as (name, value) pairs; names are matched case-insensitively.
pub type Headers = [(String, String)];

/// The value of header `name`, if present.
pub fn header<'h>(headers: &'h Headers, name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Parses a delivery from `source`. `received` is used only where a sender
/// gives no time of its own (Argo Rollouts templates without a time).
pub fn parse(
    source: Source,
    headers: &Headers,
    body: &[u8],
    received: DateTime<Utc>,
) -> Result<Parsed, ParseError> {
    match source {
        Source::Alertmanager => alertmanager::parse(body),
        Source::Pagerduty => pagerduty::parse(body),
        Source::Github => github::parse(headers, body),
        Source::ArgoRollouts => argo::parse(body, received),
        Source::Flagger => flagger::parse(body),
        Source::Events => generic::parse(body),
    }
}

/// Reads `body` as JSON into `T`, naming the failing field in the error.
fn from_json<T: DeserializeOwned>(source: Source, body: &[u8]) -> Result<T, ParseError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON: {inner}")
        } else {
            inner.to_string()
        };
        ParseError::new(source, field_path("", &path, &reason), reason)
    })
}

/// The path of the field an error is about: serde reports a missing field at
/// the object that lacks it, so its name is taken from the message.
fn field_path(prefix: &str, path: &str, reason: &str) -> String {
    let missing = reason
        .strip_prefix("missing field `")
        .and_then(|r| r.split_once('`'))
        .map(|(name, _)| name);
    let parts: Vec<&str> = [prefix, path, missing.unwrap_or("")]
        .into_iter()
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join(".")
    }
}

/// `sha256:<hex>` of the body: the delivery id of senders that have none (and
/// of bodies too malformed to read one from).
pub fn content_id(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("sha256:{}", hex::encode(digest))
}

/// `Some(text)` unless it is empty or blank.
fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// A required text field that must not be blank.
fn required(source: Source, field: &str, text: String) -> Result<String, ParseError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(ParseError::new(source, field, "must not be empty"))
    } else {
        Ok(trimmed.to_string())
    }
}
