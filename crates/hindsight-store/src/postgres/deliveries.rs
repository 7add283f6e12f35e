//! [`Deliveries`] on PostgreSQL. Two servers receiving the same event at once
//! both reach `open_triggered`; the second's `INSERT ... ON CONFLICT DO
//! NOTHING` waits for the first's row and, once it commits, finds the key
//! taken: one postmortem, whichever replica got there first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hindsight_core::Postmortem;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::{PgStore, audit, write};
use crate::deliveries::*;
use crate::{Result, StoreError};

const DELIVERY_COLUMNS: &str = "id, source, delivery_id, received_at, headers, body, status, error,
    outcome, postmortem_id, attempts, processed_at";

/// PostgreSQL text cannot hold NUL characters; ids and names from a sender
/// could carry them (JSON `\u0000`), and they mean nothing, so they are dropped.
fn clean(text: &str) -> String {
    text.replace('\0', "")
}

fn clean_opt(text: Option<&str>) -> Option<String> {
    text.map(clean)
}

fn delivery(row: &PgRow) -> Result<Delivery> {
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let headers: String = row.try_get("headers")?;
    let attempts: i32 = row.try_get("attempts")?;
    Ok(Delivery {
        id,
        source: row.try_get("source")?,
        delivery_id: row.try_get("delivery_id")?,
        received_at: row.try_get("received_at")?,
        headers: decode_headers(id, &headers)?,
        body: row.try_get("body")?,
        status: status.parse()?,
        error: row.try_get("error")?,
        outcome: row.try_get("outcome")?,
        postmortem_id: row.try_get("postmortem_id")?,
        attempts: i64::from(attempts),
        processed_at: row.try_get("processed_at")?,
    })
}

fn trigger(row: &PgRow) -> Result<Trigger> {
    Ok(Trigger {
        key: row.try_get("trigger_key")?,
        postmortem_id: row.try_get("postmortem_id")?,
        service: row.try_get("service")?,
        window_start: row.try_get("window_start")?,
        window_end: row.try_get("window_end")?,
    })
}

#[async_trait]
impl Deliveries for PgStore {
    async fn record_delivery(&self, d: &NewDelivery) -> Result<Recorded> {
        let (source, delivery_id) = (clean(&d.source), clean(&d.delivery_id));
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO hook_deliveries (source, delivery_id, received_at, headers, body)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source, delivery_id) DO NOTHING RETURNING id",
        )
        .bind(&source)
        .bind(&delivery_id)
        .bind(d.received_at)
        .bind(clean(&encode_headers(&d.headers)?))
        .bind(&d.body)
        .fetch_optional(&self.pool)
        .await?;
        match inserted {
            Some(id) => Ok(Recorded::New(id)),
            // The conflicting row is committed (ON CONFLICT waited for it), so
            // a fresh statement sees it.
            None => Ok(Recorded::Duplicate(
                sqlx::query_scalar(
                    "SELECT id FROM hook_deliveries WHERE source = $1 AND delivery_id = $2",
                )
                .bind(&source)
                .bind(&delivery_id)
                .fetch_one(&self.pool)
                .await?,
            )),
        }
    }

    async fn delivery(&self, id: i64) -> Result<Option<Delivery>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(delivery).transpose()
    }

    async fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries
             WHERE $1::text IS NULL OR status = $1 ORDER BY id DESC LIMIT $2"
        )))
        .bind(status.map(|s| s.as_str()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery).collect()
    }

    async fn delivery_counts(&self) -> Result<Vec<(DeliveryStatus, u64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, count(*) FROM hook_deliveries GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(status, n)| Ok((status.parse()?, u64::try_from(n).unwrap_or(0))))
            .collect()
    }

    async fn finish_delivery(&self, id: i64, o: &Outcome) -> Result<()> {
        let done = sqlx::query(
            "UPDATE hook_deliveries SET status = $1, error = $2, outcome = $3, postmortem_id = $4,
                processed_at = $5, attempts = attempts + 1
             WHERE id = $6",
        )
        .bind(o.status.as_str())
        .bind(clean_opt(o.error.as_deref()))
        .bind(clean_opt(o.outcome.as_deref()))
        .bind(o.postmortem_id)
        .bind(o.at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("delivery {id}")));
        }
        Ok(())
    }

    async fn save_hook_events(&self, delivery: i64, events: &[StoredEvent]) -> Result<()> {
        // Two processors may save the same delivery at once (a replica
        // resuming it while another answers it): the second one's rows wait
        // for the first's commit and then replace them.
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM hook_events WHERE delivery = $1")
            .bind(delivery)
            .execute(&mut *tx)
            .await?;
        for (position, e) in events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO hook_events (delivery, position, at, service, event)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (delivery, position) DO UPDATE
                 SET at = excluded.at, service = excluded.service, event = excluded.event",
            )
            .bind(delivery)
            .bind(i32::try_from(position).map_err(|_| {
                StoreError::Invalid(format!("delivery {delivery} has too many events"))
            })?)
            .bind(e.at)
            .bind(clean_opt(e.service.as_deref()))
            .bind(e.event.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn hook_events(
        &self,
        service: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT delivery, at, service, event FROM hook_events
             WHERE at >= $1 AND at <= $2 AND ($3::text IS NULL OR service = $3)
             ORDER BY at, delivery, position",
        )
        .bind(from)
        .bind(to)
        .bind(clean_opt(service))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let delivery: i64 = row.try_get("delivery")?;
                let event: String = row.try_get("event")?;
                Ok(StoredEvent {
                    at: row.try_get("at")?,
                    service: row.try_get("service")?,
                    event: decode_event(delivery, &event)?,
                })
            })
            .collect()
    }

    async fn trigger(&self, key: &str) -> Result<Option<Trigger>> {
        let row = sqlx::query("SELECT * FROM hook_triggers WHERE trigger_key = $1")
            .bind(clean(key))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(trigger).transpose()
    }

    async fn triggers(
        &self,
        service: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Trigger>> {
        let rows = sqlx::query(
            "SELECT * FROM hook_triggers
             WHERE service = $1 AND window_end >= $2 AND window_start <= $3
             ORDER BY created_at, trigger_key",
        )
        .bind(clean(service))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(trigger).collect()
    }

    async fn open_triggered(&self, t: &Trigger, pm: &Postmortem, actor: &str) -> Result<Triggered> {
        let mut tx = self.begin().await?;
        let key = clean(&t.key);
        let claimed = sqlx::query(
            "INSERT INTO hook_triggers (trigger_key, postmortem_id, service, window_start, window_end, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (trigger_key) DO NOTHING",
        )
        .bind(&key)
        .bind(pm.id)
        .bind(clean_opt(t.service.as_deref()))
        .bind(t.window_start)
        .bind(t.window_end)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            let id: Uuid = sqlx::query_scalar(
                "SELECT postmortem_id FROM hook_triggers WHERE trigger_key = $1",
            )
            .bind(&key)
            .fetch_one(&self.pool)
            .await?;
            return Ok(Triggered::Existing(id));
        }
        write::lock_keys(&mut tx).await?;
        let mut saved = pm.clone();
        if saved.key.is_none() {
            saved.key = Some(write::next_key(&mut tx).await?);
        }
        saved.version = saved.version.max(1);
        write::insert(&mut tx, &saved).await?;
        write::append_audit(&mut tx, &[audit(saved.id, actor, "create", Vec::new())]).await?;
        tx.commit().await?;
        Ok(Triggered::Opened(Box::new(saved)))
    }
}
