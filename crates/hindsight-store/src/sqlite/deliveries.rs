//! [`Deliveries`] on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hindsight_core::Postmortem;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::rows::{parse_timestamp, timestamp};
use super::{SqliteStore, insert, next_key, record};
use crate::deliveries::*;
use crate::{Result, StoreError};

const DELIVERY_COLUMNS: &str = "id, source, delivery_id, received_at, headers, body, status, error,
    outcome, postmortem_id, attempts, processed_at";

fn delivery(row: &SqliteRow) -> Result<Delivery> {
    let id: i64 = row.try_get("id")?;
    let time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| parse_timestamp(&t, &format!("delivery {id}")))
            .transpose()
    };
    let postmortem_id: Option<String> = row.try_get("postmortem_id")?;
    let status: String = row.try_get("status")?;
    let headers: String = row.try_get("headers")?;
    Ok(Delivery {
        id,
        source: row.try_get("source")?,
        delivery_id: row.try_get("delivery_id")?,
        received_at: time("received_at")?
            .ok_or_else(|| StoreError::Invalid(format!("delivery {id} has no receipt time")))?,
        headers: decode_headers(id, &headers)?,
        body: row.try_get("body")?,
        status: status.parse()?,
        error: row.try_get("error")?,
        outcome: row.try_get("outcome")?,
        postmortem_id: postmortem_id
            .map(|p| Uuid::parse_str(&p))
            .transpose()
            .map_err(|e| crate::codec::corrupt(&format!("delivery {id}"), e))?,
        attempts: row.try_get("attempts")?,
        processed_at: time("processed_at")?,
    })
}

fn trigger(row: &SqliteRow) -> Result<Trigger> {
    let key: String = row.try_get("trigger_key")?;
    let id: String = row.try_get("postmortem_id")?;
    let start: String = row.try_get("window_start")?;
    let end: String = row.try_get("window_end")?;
    Ok(Trigger {
        postmortem_id: Uuid::parse_str(&id).map_err(|e| crate::codec::corrupt(&key, e))?,
        service: row.try_get("service")?,
        window_start: parse_timestamp(&start, &key)?,
        window_end: parse_timestamp(&end, &key)?,
        key,
    })
}

#[async_trait]
impl Deliveries for SqliteStore {
    async fn record_delivery(&self, d: &NewDelivery) -> Result<Recorded> {
        let mut tx = self.write().await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO hook_deliveries (source, delivery_id, received_at, headers, body)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (source, delivery_id) DO NOTHING RETURNING id",
        )
        .bind(&d.source)
        .bind(&d.delivery_id)
        .bind(timestamp(d.received_at))
        .bind(encode_headers(&d.headers)?)
        .bind(&d.body)
        .fetch_optional(&mut *tx)
        .await?;
        let recorded = match inserted {
            Some(id) => Recorded::New(id),
            None => Recorded::Duplicate(
                sqlx::query_scalar(
                    "SELECT id FROM hook_deliveries WHERE source = ? AND delivery_id = ?",
                )
                .bind(&d.source)
                .bind(&d.delivery_id)
                .fetch_one(&mut *tx)
                .await?,
            ),
        };
        tx.commit().await?;
        Ok(recorded)
    }

    async fn delivery(&self, id: i64) -> Result<Option<Delivery>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE id = ?"
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
             WHERE ? IS NULL OR status = ? ORDER BY id DESC LIMIT ?"
        )))
        .bind(status.map(|s| s.as_str()))
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
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE hook_deliveries SET status = ?, error = ?, outcome = ?, postmortem_id = ?,
                processed_at = ?, attempts = attempts + 1
             WHERE id = ?",
        )
        .bind(o.status.as_str())
        .bind(&o.error)
        .bind(&o.outcome)
        .bind(o.postmortem_id.map(|p| p.to_string()))
        .bind(timestamp(o.at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("delivery {id}")));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn save_hook_events(&self, delivery: i64, events: &[StoredEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM hook_events WHERE delivery = ?")
            .bind(delivery)
            .execute(&mut *tx)
            .await?;
        for (position, e) in events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO hook_events (delivery, position, at, service, event) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (delivery, position) DO UPDATE
                 SET at = excluded.at, service = excluded.service, event = excluded.event",
            )
            .bind(delivery)
            .bind(position as i64)
            .bind(timestamp(e.at))
            .bind(&e.service)
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
             WHERE at >= ? AND at <= ? AND (? IS NULL OR service = ?)
             ORDER BY at, delivery, position",
        )
        .bind(timestamp(from))
        .bind(timestamp(to))
        .bind(service)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let delivery: i64 = row.try_get("delivery")?;
                let at: String = row.try_get("at")?;
                let event: String = row.try_get("event")?;
                Ok(StoredEvent {
                    at: parse_timestamp(&at, &format!("delivery {delivery}"))?,
                    service: row.try_get("service")?,
                    event: decode_event(delivery, &event)?,
                })
            })
            .collect()
    }

    async fn trigger(&self, key: &str) -> Result<Option<Trigger>> {
        let row = sqlx::query("SELECT * FROM hook_triggers WHERE trigger_key = ?")
            .bind(key)
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
             WHERE service = ? AND window_end >= ? AND window_start <= ?
             ORDER BY created_at, trigger_key",
        )
        .bind(service)
        .bind(timestamp(from))
        .bind(timestamp(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(trigger).collect()
    }

    async fn open_triggered(&self, t: &Trigger, pm: &Postmortem, actor: &str) -> Result<Triggered> {
        let mut tx = self.write().await?;
        let claimed = sqlx::query(
            "INSERT INTO hook_triggers (trigger_key, postmortem_id, service, window_start, window_end, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (trigger_key) DO NOTHING",
        )
        .bind(&t.key)
        .bind(pm.id.to_string())
        .bind(&t.service)
        .bind(timestamp(t.window_start))
        .bind(timestamp(t.window_end))
        .bind(timestamp(Utc::now()))
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            let id: String =
                sqlx::query_scalar("SELECT postmortem_id FROM hook_triggers WHERE trigger_key = ?")
                    .bind(&t.key)
                    .fetch_one(&mut *tx)
                    .await?;
            return Ok(Triggered::Existing(
                Uuid::parse_str(&id).map_err(|e| crate::codec::corrupt(&t.key, e))?,
            ));
        }
        let mut saved = pm.clone();
        if saved.key.is_none() {
            saved.key = Some(next_key(&mut tx).await?);
        }
        saved.version = saved.version.max(1);
        insert(&mut tx, &saved).await?;
        record(&mut tx, saved.id, actor, "create", Vec::new()).await?;
        tx.commit().await?;
        Ok(Triggered::Opened(Box::new(saved)))
    }
}
