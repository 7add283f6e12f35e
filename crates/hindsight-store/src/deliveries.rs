//! Webhook deliveries and the postmortems their triggers opened.
//!
//! A delivery is recorded raw, with its headers (secrets stripped), before it
//! is processed, so an acknowledged delivery is never lost and can be replayed.
//! Two guarantees come from unique constraints rather than from code, so they
//! hold across concurrent requests and server replicas:
//!
//! - one row per (source, delivery id): a redelivery is reported as a
//!   [`Recorded::Duplicate`] of the first;
//! - one postmortem per trigger key: [`Deliveries::open_triggered`] claims the
//!   key and creates the postmortem in one transaction, and a second claim of
//!   the key gets the first one's postmortem instead.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hindsight_core::Postmortem;
use uuid::Uuid;

use crate::{Result, StoreError};

/// Where a delivery is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Stored, not (yet) processed: processing failed to finish, or is running.
    Received,
    /// Processed; its events are stored and the policy's decision applied.
    Processed,
    /// Processed, and nothing in it concerned Hindsight.
    Ignored,
    /// Processing failed; `error` says why. Replaying may succeed later.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: &'static [DeliveryStatus] = &[
        DeliveryStatus::Received,
        DeliveryStatus::Processed,
        DeliveryStatus::Ignored,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Received => "received",
            DeliveryStatus::Processed => "processed",
            DeliveryStatus::Ignored => "ignored",
            DeliveryStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeliveryStatus {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        DeliveryStatus::ALL
            .iter()
            .copied()
            .find(|d| d.as_str() == s.trim())
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "unknown delivery status `{s}`, expected one of: received, processed, ignored, failed"
                ))
            })
    }
}

/// A delivery as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The sender (`alertmanager`, `github`, ...).
    pub source: String,
    /// The sender's delivery id, or a hash of the body for senders without one.
    pub delivery_id: String,
    pub received_at: DateTime<Utc>,
    /// Request headers; [`strip_secrets`] is applied before they are stored.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A stored delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The store's id of the delivery: what `hindsight hooks replay` takes.
    pub id: i64,
    pub source: String,
    pub delivery_id: String,
    pub received_at: DateTime<Utc>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub status: DeliveryStatus,
    pub error: Option<String>,
    /// What the trigger policy decided, and why.
    pub outcome: Option<String>,
    pub postmortem_id: Option<Uuid>,
    /// How many times processing finished (1, plus one per replay).
    pub attempts: i64,
    pub processed_at: Option<DateTime<Utc>>,
}

/// Whether [`Deliveries::record_delivery`] stored a new row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// Already stored under this (source, delivery id): the first one's id.
    Duplicate(i64),
}

/// How processing a delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: DeliveryStatus,
    pub error: Option<String>,
    pub outcome: Option<String>,
    pub postmortem_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// One normalised event of a delivery, as JSON (the store does not interpret
/// it), with the columns it is found by.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub at: DateTime<Utc>,
    pub service: Option<String>,
    pub event: serde_json::Value,
}

/// A trigger key and the postmortem opened for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub key: String,
    pub postmortem_id: Uuid,
    pub service: Option<String>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

/// What [`Deliveries::open_triggered`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Triggered {
    /// The key was free: this postmortem was created for it.
    Opened(Box<Postmortem>),
    /// The key was taken: the postmortem opened for it earlier.
    Existing(Uuid),
}

/// Header names whose values are credentials: never stored.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// The headers with credentials replaced by `[redacted]`: authorization and
/// cookies, and anything named like a token or secret. Signatures are kept:
/// they are evidence of the check, not a secret.
pub fn strip_secrets(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let lower = name.to_ascii_lowercase();
            let secret = SECRET_HEADERS.contains(&lower.as_str())
                || lower.contains("token")
                || lower.contains("secret");
            let value = if secret {
                "[redacted]".to_string()
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

/// Webhook deliveries, their events and the trigger keys.
#[async_trait]
pub trait Deliveries: Send + Sync {
    /// Stores a delivery as received (headers stripped of secrets), unless one
    /// with the same source and delivery id is stored already.
    async fn record_delivery(&self, delivery: &NewDelivery) -> Result<Recorded>;

    /// The delivery with this id.
    async fn delivery(&self, id: i64) -> Result<Option<Delivery>>;

    /// Deliveries, newest first, optionally only those with `status`.
    async fn deliveries(&self, status: Option<DeliveryStatus>, limit: u32)
    -> Result<Vec<Delivery>>;

    /// How many deliveries are in each status (the intake's queue depth is
    /// `received`); statuses without any are left out.
    async fn delivery_counts(&self) -> Result<Vec<(DeliveryStatus, u64)>>;

    /// Records how processing the delivery ended and counts the attempt.
    async fn finish_delivery(&self, id: i64, outcome: &Outcome) -> Result<()>;

    /// Stores the delivery's normalised events, replacing any stored before
    /// (a replay normalises again).
    async fn save_hook_events(&self, delivery: i64, events: &[StoredEvent]) -> Result<()>;

    /// Events from `from` to `to` (inclusive), oldest first; only those of
    /// `service` when given.
    async fn hook_events(
        &self,
        service: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>>;

    /// The trigger with this key.
    async fn trigger(&self, key: &str) -> Result<Option<Trigger>>;

    /// Triggers of `service` whose window ends at or after `from` and starts
    /// at or before `to`.
    async fn triggers(
        &self,
        service: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Trigger>>;

    /// Claims `trigger.key` and creates `pm` for it, in one transaction (its
    /// `postmortem_id` is taken from `pm`). If the key is already claimed,
    /// nothing is written and the postmortem it maps to is returned.
    async fn open_triggered(
        &self,
        trigger: &Trigger,
        pm: &Postmortem,
        actor: &str,
    ) -> Result<Triggered>;
}

/// Headers as stored: a JSON array of `[name, value]` pairs.
pub(crate) fn encode_headers(headers: &[(String, String)]) -> Result<String> {
    serde_json::to_string(&strip_secrets(headers))
        .map_err(|e| StoreError::Invalid(format!("headers cannot be stored: {e}")))
}

pub(crate) fn decode_headers(id: i64, text: &str) -> Result<Vec<(String, String)>> {
    crate::codec::from_json(&format!("delivery {id}"), text)
}

pub(crate) fn decode_event(id: i64, text: &str) -> Result<serde_json::Value> {
    crate::codec::from_json(&format!("delivery {id}"), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped_and_signatures_kept() {
        let headers = [
            ("Authorization", "Bearer hs_abc_secret"),
            ("X-Hub-Signature-256", "sha256=00"),
            ("X-Gitlab-Token", "t"),
            ("Content-Type", "application/json"),
        ]
        .map(|(n, v)| (n.to_string(), v.to_string()));
        let kept: Vec<String> = strip_secrets(&headers)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            kept,
            ["[redacted]", "sha256=00", "[redacted]", "application/json"]
        );
    }
}
