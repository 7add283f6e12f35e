//! Webhook intake: a delivery is stored raw first, then normalised and handed
//! to the trigger policy, whose decision is applied to the store. The HTTP
//! endpoints (`/hooks/...`) and `hindsight hooks replay` both go through here.
//!
//! Nothing is lost and nothing is done twice: the raw delivery is committed
//! before anything else (a crash after that leaves it `received`, to be
//! replayed); a redelivery under the same id stops at the store's unique
//! (source, delivery id); and the store's unique trigger key turns a second
//! "open" for the same deploy or incident into an append to the first one's
//! postmortem.

use chrono::{DateTime, Utc};
use hindsight_core::Postmortem;
use hindsight_hooks::parse::{content_id, header};
use hindsight_hooks::policy::{
    Addition, Context, Decision, Opened, PolicyConfig, apply, decide, needs_history, needs_related,
    trigger_key,
};
use hindsight_hooks::{Event, ParseError, Source, parse};
use hindsight_store::{
    AuditAction, DeliveryStatus, Filter, NewDelivery, Outcome, Recorded, Store, StoreError,
    StoredEvent, Trigger, Triggered,
};
use uuid::Uuid;

/// The actor of the postmortem changes intake makes, in the audit log.
pub const ACTOR: &str = "hooks";

/// How many times an append is retried when a person saved the postmortem
/// between its read and its write.
const APPEND_ATTEMPTS: usize = 5;

/// What happened to a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// Stored and processed; the outcome says what the policy did.
    Accepted { id: i64, outcome: Outcome },
    /// Already stored under the same id: nothing was done.
    Duplicate { id: i64 },
    /// Stored (as failed) but unreadable.
    Malformed { id: i64, error: ParseError },
    /// Stored, but applying it failed (recorded as the delivery's error); a
    /// replay may succeed.
    Failed { id: i64, error: String },
}

/// Stores a delivery from `source` and processes it.
pub async fn receive(
    store: &dyn Store,
    policy: &PolicyConfig,
    source: Source,
    headers: &[(String, String)],
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Received, StoreError> {
    let parsed = parse(source, headers, body, now);
    let delivery_id = match &parsed {
        Ok(p) => p.delivery_id.clone(),
        Err(_) => header(headers, "x-github-delivery")
            .map(str::to_string)
            .unwrap_or_else(|| content_id(body)),
    };
    let recorded = store
        .record_delivery(&NewDelivery {
            source: source.as_str().to_string(),
            delivery_id,
            received_at: now,
            headers: headers.to_vec(),
            body: body.to_vec(),
        })
        .await?;
    let id = match recorded {
        Recorded::New(id) => id,
        Recorded::Duplicate(id) => return Ok(Received::Duplicate { id }),
    };
    if let Err(error) = parsed {
        let outcome = failed(error.to_string(), now);
        store.finish_delivery(id, &outcome).await?;
        return Ok(Received::Malformed { id, error });
    }
    match process(store, policy, id, now).await {
        Ok(outcome) => Ok(Received::Accepted { id, outcome }),
        Err(e) => Ok(Received::Failed {
            id,
            error: e.to_string(),
        }),
    }
}

/// Most deliveries one [`resume`] processes.
const RESUME_BATCH: u32 = 10_000;

/// Processes the deliveries still `received`, oldest first: acknowledged, but
/// the server stopped before it finished them. A server runs it when it
/// starts; trigger keys make it safe while another replica is processing the
/// same delivery. How many were processed without error.
pub async fn resume(
    store: &dyn Store,
    policy: &PolicyConfig,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut pending = store
        .deliveries(Some(DeliveryStatus::Received), RESUME_BATCH)
        .await?;
    pending.reverse();
    let mut done = 0;
    for delivery in pending {
        // A failure is recorded with the delivery; the others still go on.
        if process(store, policy, delivery.id, now).await.is_ok() {
            done += 1;
        }
    }
    Ok(done)
}

fn failed(error: String, now: DateTime<Utc>) -> Outcome {
    Outcome {
        status: DeliveryStatus::Failed,
        error: Some(error),
        outcome: None,
        postmortem_id: None,
        at: now,
    }
}

/// Processes a stored delivery (again, for a replay): normalises it, stores
/// its events, applies the policy to each, and records the outcome. A store
/// error while applying is recorded as the delivery's error and returned.
pub async fn process(
    store: &dyn Store,
    policy: &PolicyConfig,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let delivery = store
        .delivery(id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("delivery {id}")))?;
    let outcome = match Source::from_name(&delivery.source) {
        None => failed(format!("unknown source `{}`", delivery.source), now),
        Some(source) => {
            match parse(
                source,
                &delivery.headers,
                &delivery.body,
                delivery.received_at,
            ) {
                Err(e) => failed(e.to_string(), now),
                Ok(parsed) => match handle_all(store, policy, id, &parsed.events, now).await {
                    Ok(outcome) => outcome,
                    Err(e) => {
                        store
                            .finish_delivery(id, &failed(e.to_string(), now))
                            .await?;
                        return Err(e);
                    }
                },
            }
        }
    };
    store.finish_delivery(id, &outcome).await?;
    Ok(outcome)
}

async fn handle_all(
    store: &dyn Store,
    policy: &PolicyConfig,
    id: i64,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let stored = events
        .iter()
        .map(|e| {
            Ok(StoredEvent {
                at: e.at,
                service: e.service.clone(),
                event: serde_json::to_value(e)
                    .map_err(|err| StoreError::Invalid(format!("event cannot be stored: {err}")))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    store.save_hook_events(id, &stored).await?;
    let mut reasons = Vec::new();
    let mut postmortem = None;
    for event in events {
        let (reason, pm) = handle(store, policy, event, now).await?;
        reasons.push(reason);
        postmortem = postmortem.or(pm);
    }
    Ok(Outcome {
        status: if events.is_empty() {
            DeliveryStatus::Ignored
        } else {
            DeliveryStatus::Processed
        },
        error: None,
        outcome: Some(if reasons.is_empty() {
            "no events in this delivery".to_string()
        } else {
            reasons.join("; ")
        }),
        postmortem_id: postmortem,
        at: now,
    })
}

/// The stored events of the event's service around it, as the policy wants
/// them. Events stored by an older version that no longer read are skipped.
async fn related(
    store: &dyn Store,
    policy: &PolicyConfig,
    event: &Event,
) -> Result<Vec<Event>, StoreError> {
    let from = event.at - policy.window.lookback();
    let to = event.at + policy.window.after();
    Ok(store
        .hook_events(event.service.as_deref(), from, to)
        .await?
        .into_iter()
        .filter_map(|s| serde_json::from_value(s.event).ok())
        .collect())
}

fn opened(t: Trigger) -> Opened {
    Opened {
        key: t.key,
        postmortem_id: t.postmortem_id,
        service: t.service,
        window_start: t.window_start,
        window_end: t.window_end,
    }
}

/// Applies the policy to one event: its reason, and the postmortem it opened
/// or added to.
async fn handle(
    store: &dyn Store,
    policy: &PolicyConfig,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<(String, Option<Uuid>), StoreError> {
    // Most events (alerts firing, pages, deploys going fine) can only join a
    // postmortem already opened: their window and the recent postmortems
    // are loaded only when there is one, or when the event can open one.
    let mut related = if needs_related(event) {
        related(store, policy, event).await?
    } else {
        Vec::new()
    };
    let key = trigger_key(event, &related);
    let mut known: Vec<Opened> = store.trigger(&key).await?.into_iter().map(opened).collect();
    if let Some(service) = &event.service {
        let from = event.at - policy.window.lookback();
        let to = event.at + policy.window.after();
        for t in store.triggers(service, from, to).await? {
            if t.key != key {
                known.push(opened(t));
            }
        }
    }
    if !needs_related(event) && !known.is_empty() {
        related = self::related(store, policy, event).await?;
    }
    let history: Vec<Postmortem> = match &event.service {
        Some(service) if needs_history(event) => {
            let filter = Filter {
                service: Some(service.clone()),
                limit: Some(500),
                ..Filter::default()
            };
            store.load_all(&filter).await?
        }
        _ => Vec::new(),
    };
    let ctx = Context {
        related: &related,
        opened: &known,
        history: &history,
        now,
    };
    match decide(event, ctx, policy) {
        Decision::Nothing { reason } => Ok((reason, None)),
        Decision::Append(addition) => append(store, &addition).await,
        Decision::Open(opening) => {
            let trigger = Trigger {
                key: opening.key.clone(),
                postmortem_id: opening.postmortem.id,
                service: opening.service.clone(),
                window_start: opening.window_start,
                window_end: opening.window_end,
            };
            match store
                .open_triggered(&trigger, &opening.postmortem, ACTOR)
                .await?
            {
                Triggered::Opened(pm) => Ok((
                    format!("{}: opened {}", opening.reason, pm.handle()),
                    Some(pm.id),
                )),
                // Another delivery of the same deploy or incident got there
                // first: decide again knowing its postmortem, which appends.
                Triggered::Existing(_) => {
                    let Some(t) = store.trigger(&opening.key).await? else {
                        return Err(StoreError::NotFound(format!("trigger {}", opening.key)));
                    };
                    let mut known = known.clone();
                    known.push(opened(t));
                    let ctx = Context {
                        related: &related,
                        opened: &known,
                        history: &history,
                        now,
                    };
                    match decide(event, ctx, policy) {
                        Decision::Append(addition) => append(store, &addition).await,
                        other => Ok((other.reason().to_string(), None)),
                    }
                }
            }
        }
    }
}

async fn append(
    store: &dyn Store,
    addition: &Addition,
) -> Result<(String, Option<Uuid>), StoreError> {
    let id = addition.postmortem_id;
    for _ in 0..APPEND_ATTEMPTS {
        let Some(mut pm) = store.get(&id.to_string()).await? else {
            return Ok((
                format!(
                    "{}, but that postmortem was deleted: nothing added",
                    addition.reason
                ),
                None,
            ));
        };
        if !apply(&mut pm, addition) {
            return Ok((format!("{}: already there", addition.reason), Some(id)));
        }
        match store.update(&pm, ACTOR, AuditAction::Update).await {
            Ok(saved) => {
                return Ok((
                    format!("{} ({})", addition.reason, saved.handle()),
                    Some(id),
                ));
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Invalid(format!(
        "postmortem {id} kept changing while evidence was added to it; replay the delivery"
    )))
}
