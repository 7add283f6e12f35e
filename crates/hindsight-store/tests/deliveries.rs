//! Webhook deliveries, their events and trigger keys, on both backends: one row
//! per (source, delivery id), one postmortem per trigger key even under
//! concurrent claims.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hindsight_core::{Kind, Postmortem};
use hindsight_store::scratch::ScratchDatabase;
use hindsight_store::*;
use serde_json::json;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, h, m, 0).single().unwrap()
}

fn delivery(source: &str, id: &str) -> NewDelivery {
    NewDelivery {
        source: source.into(),
        delivery_id: id.into(),
        received_at: at(14, 0),
        headers: vec![
            ("Authorization".into(), "Bearer hs_abcd_secret".into()),
            ("X-GitHub-Delivery".into(), id.into()),
        ],
        body: br#"{"zen":"x"}"#.to_vec(),
    }
}

fn outcome(status: DeliveryStatus, error: Option<&str>) -> Outcome {
    Outcome {
        status,
        error: error.map(str::to_string),
        outcome: Some("recorded".into()),
        postmortem_id: None,
        at: at(14, 1),
    }
}

fn trigger(key: &str, pm: &Postmortem) -> Trigger {
    Trigger {
        key: key.into(),
        postmortem_id: pm.id,
        service: Some("checkout".into()),
        window_start: at(13, 30),
        window_end: at(18, 0),
    }
}

async fn deliveries_are_stored_once_with_secrets_stripped(s: &dyn Store) {
    let first = s.record_delivery(&delivery("github", "d-1")).await.unwrap();
    let Recorded::New(id) = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        s.record_delivery(&delivery("github", "d-1")).await.unwrap(),
        Recorded::Duplicate(id)
    );
    // The same id from another sender is another delivery.
    assert!(matches!(
        s.record_delivery(&delivery("pagerduty", "d-1")).await.unwrap(),
        Recorded::New(other) if other != id
    ));
    let stored = s.delivery(id).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Received);
    assert_eq!(stored.body, br#"{"zen":"x"}"#);
    assert_eq!(stored.received_at, at(14, 0));
    assert_eq!(
        stored.headers,
        [
            ("Authorization".to_string(), "[redacted]".to_string()),
            ("X-GitHub-Delivery".to_string(), "d-1".to_string())
        ]
    );
    assert_eq!(s.delivery(id + 100).await.unwrap(), None);
}

async fn outcomes_are_recorded_and_listed_by_status(s: &dyn Store) {
    let mut ids = Vec::new();
    for n in 0..3 {
        match s
            .record_delivery(&delivery("events", &format!("e-{n}")))
            .await
            .unwrap()
        {
            Recorded::New(id) => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    s.finish_delivery(ids[0], &outcome(DeliveryStatus::Processed, None))
        .await
        .unwrap();
    s.finish_delivery(
        ids[1],
        &outcome(DeliveryStatus::Failed, Some("database busy")),
    )
    .await
    .unwrap();
    s.finish_delivery(ids[1], &outcome(DeliveryStatus::Failed, Some("still busy")))
        .await
        .unwrap();
    let failed = s
        .deliveries(Some(DeliveryStatus::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error.as_deref(), Some("still busy"));
    assert_eq!(failed[0].attempts, 2);
    assert_eq!(failed[0].processed_at, Some(at(14, 1)));
    let all: Vec<i64> = s
        .deliveries(None, 10)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(all, [ids[2], ids[1], ids[0]], "newest first");
    assert_eq!(s.deliveries(None, 1).await.unwrap().len(), 1);
    let missing = s
        .finish_delivery(ids[2] + 100, &outcome(DeliveryStatus::Processed, None))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

async fn events_are_replaced_and_found_by_service_and_time(s: &dyn Store) {
    let Recorded::New(id) = s
        .record_delivery(&delivery("alertmanager", "a-1"))
        .await
        .unwrap()
    else {
        panic!()
    };
    let event = |m: u32, service: &str| StoredEvent {
        at: at(14, m),
        service: Some(service.into()),
        event: json!({"title": format!("{service} at {m}")}),
    };
    s.save_hook_events(id, &[event(5, "checkout"), event(9, "search")])
        .await
        .unwrap();
    // A replay normalises again: the events are replaced, not doubled.
    s.save_hook_events(
        id,
        &[
            event(10, "checkout"),
            event(5, "checkout"),
            event(9, "search"),
        ],
    )
    .await
    .unwrap();
    let found = s
        .hook_events(Some("checkout"), at(14, 0), at(14, 10))
        .await
        .unwrap();
    assert_eq!(found, [event(5, "checkout"), event(10, "checkout")]);
    assert_eq!(
        s.hook_events(None, at(14, 6), at(15, 0))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        s.hook_events(Some("billing"), at(0, 0), at(23, 0))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_trigger_key_opens_one_postmortem(s: &dyn Store) {
    let pm = Postmortem::new("Deploy 1001 rolled back", Kind::Deploy, at(14, 30));
    let opened = s
        .open_triggered(&trigger("deploy:github:1001", &pm), &pm, "hooks")
        .await
        .unwrap();
    let Triggered::Opened(saved) = opened else {
        panic!("{opened:?}")
    };
    assert_eq!(saved.key.as_deref(), Some("PM-1"));
    assert_eq!(s.get("PM-1").await.unwrap().as_ref(), Some(&*saved));
    assert_eq!(s.audit(pm.id).await.unwrap()[0].action, "create");
    let again = Postmortem::new("Deploy 1001 rolled back", Kind::Deploy, at(14, 31));
    assert_eq!(
        s.open_triggered(&trigger("deploy:github:1001", &again), &again, "hooks")
            .await
            .unwrap(),
        Triggered::Existing(pm.id)
    );
    assert_eq!(s.count().await.unwrap(), 1);
    let t = s.trigger("deploy:github:1001").await.unwrap().unwrap();
    assert_eq!(t, trigger("deploy:github:1001", &pm));
    assert_eq!(s.trigger("deploy:github:9").await.unwrap(), None);
    assert_eq!(
        s.triggers("checkout", at(17, 0), at(19, 0)).await.unwrap(),
        [t]
    );
    assert!(
        s.triggers("checkout", at(18, 1), at(19, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.triggers("checkout", at(10, 0), at(13, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.triggers("search", at(10, 0), at(19, 0))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn concurrent_claims_of_a_key_open_one_postmortem(s: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                let pm = Postmortem::new(
                    format!("attempt {n}"),
                    Kind::Deploy,
                    at(14, 30) + Duration::seconds(n),
                );
                let t = trigger("deploy:argo-rollouts:shop/checkout#7", &pm);
                s.open_triggered(&t, &pm, "hooks").await.unwrap()
            })
        })
        .collect();
    let mut opened = Vec::new();
    let mut existing = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Triggered::Opened(pm) => opened.push(pm.id),
            Triggered::Existing(id) => existing.push(id),
        }
    }
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert!(existing.iter().all(|id| *id == opened[0]), "{existing:?}");
    assert_eq!(s.count().await.unwrap(), 1);
}

/// A replica resuming a delivery while another answers it: both save its
/// events at once, and both succeed with one copy of each.
async fn concurrent_saves_of_a_deliverys_events_keep_one_copy(s: Arc<dyn Store>) {
    let Recorded::New(id) = s
        .record_delivery(&delivery("alertmanager", "a-race"))
        .await
        .unwrap()
    else {
        panic!()
    };
    let events: Vec<StoredEvent> = (0..5)
        .map(|m| StoredEvent {
            at: at(14, m),
            service: Some("checkout".into()),
            event: json!({"n": m}),
        })
        .collect();
    for _round in 0..10 {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let s = Arc::clone(&s);
                let events = events.clone();
                tokio::spawn(async move { s.save_hook_events(id, &events).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    }
    let found = s
        .hook_events(Some("checkout"), at(14, 0), at(14, 10))
        .await
        .unwrap();
    assert_eq!(found, events);
}

macro_rules! backend {
    ($backend:ident, $open:expr) => {
        mod $backend {
            use super::*;

            #[tokio::test]
            async fn deliveries_are_stored_once_with_secrets_stripped() {
                let (s, _guard) = $open.await;
                super::deliveries_are_stored_once_with_secrets_stripped(&*s).await;
            }

            #[tokio::test]
            async fn outcomes_are_recorded_and_listed_by_status() {
                let (s, _guard) = $open.await;
                super::outcomes_are_recorded_and_listed_by_status(&*s).await;
            }

            #[tokio::test]
            async fn events_are_replaced_and_found_by_service_and_time() {
                let (s, _guard) = $open.await;
                super::events_are_replaced_and_found_by_service_and_time(&*s).await;
            }

            #[tokio::test]
            async fn a_trigger_key_opens_one_postmortem() {
                let (s, _guard) = $open.await;
                super::a_trigger_key_opens_one_postmortem(&*s).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_saves_of_a_deliverys_events_keep_one_copy() {
                let (s, _guard) = $open.await;
                super::concurrent_saves_of_a_deliverys_events_keep_one_copy(s).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_claims_of_a_key_open_one_postmortem() {
                let (s, _guard) = $open.await;
                super::concurrent_claims_of_a_key_open_one_postmortem(s).await;
            }
        }
    };
}

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hindsight.db");
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    (Arc::new(store), dir)
}

async fn postgres() -> (Arc<dyn Store>, ScratchDatabase) {
    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::open_with(db.options()).await.unwrap();
    (Arc::new(store), db)
}

backend!(sqlite_backend, sqlite());
backend!(postgres_backend, postgres());
