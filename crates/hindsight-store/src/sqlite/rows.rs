//! Decoding rows into domain values, and the one timestamp encoding.

use chrono::{DateTime, SecondsFormat, Utc};
use hindsight_core::{AuditEntry, Postmortem};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::codec::corrupt;
use crate::types::{ActionRow, Summary};
use crate::{Result, StoreError};

/// Timestamps are stored as fixed-width RFC 3339 UTC text, so that text order
/// is time order in filters and sorts.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_timestamp(text: &str, id: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(id, format!("bad timestamp `{text}`: {e}")))
}

pub fn uuid(row: &SqliteRow) -> Result<Uuid> {
    let id: String = row.try_get("id")?;
    Uuid::parse_str(&id).map_err(|e| corrupt(&id, e.to_string()))
}

/// The postmortem stored in a row's `doc` column.
pub fn decode_doc(row: &SqliteRow) -> Result<Postmortem> {
    let doc: String = row.try_get("doc")?;
    serde_json::from_str(&doc).map_err(|source| StoreError::Corrupt {
        id: row.try_get::<String, _>("id").unwrap_or_default(),
        source,
    })
}

/// The columns [`summary`] reads, for `SELECT`.
pub const SUMMARY_COLUMNS: &str = "p.id, p.key, p.title, p.kind, p.severity, p.status,
    p.visibility, p.owner, p.started_at, p.version, p.updated_at,
    (SELECT json_group_array(service) FROM postmortem_services s WHERE s.seq = p.seq) AS services,
    (SELECT count(*) FROM action_items a WHERE a.seq = p.seq
        AND a.status IN ('open', 'in-progress')) AS open_actions";

pub fn summary(row: &SqliteRow) -> Result<Summary> {
    let id = uuid(row)?;
    let ctx = id.to_string();
    let word = |column: &str| -> Result<String> { Ok(row.try_get::<String, _>(column)?) };
    let vocab = |e: hindsight_core::UnknownWord| corrupt(&ctx, e.to_string());
    let services: String = row.try_get("services")?;
    let started: Option<String> = row.try_get("started_at")?;
    let open_actions: i64 = row.try_get("open_actions")?;
    Ok(Summary {
        id,
        key: word("key")?,
        title: word("title")?,
        kind: word("kind")?.parse().map_err(vocab)?,
        severity: row
            .try_get::<Option<String>, _>("severity")?
            .map(|s| s.parse())
            .transpose()
            .map_err(vocab)?,
        status: word("status")?.parse().map_err(vocab)?,
        visibility: word("visibility")?.parse().map_err(vocab)?,
        owner: row.try_get("owner")?,
        services: serde_json::from_str(&services).map_err(|source| StoreError::Corrupt {
            id: ctx.clone(),
            source,
        })?,
        started: started.map(|s| parse_timestamp(&s, &ctx)).transpose()?,
        version: row.try_get("version")?,
        updated_at: parse_timestamp(&word("updated_at")?, &ctx)?,
        open_actions: u32::try_from(open_actions).unwrap_or(u32::MAX),
    })
}

pub fn action_row(row: &SqliteRow) -> Result<ActionRow> {
    let id = uuid(row)?;
    let item: String = row.try_get("item")?;
    Ok(ActionRow {
        postmortem_id: id,
        postmortem_key: row.try_get("key")?,
        postmortem_title: row.try_get("title")?,
        item: serde_json::from_str(&item).map_err(|source| StoreError::Corrupt {
            id: id.to_string(),
            source,
        })?,
    })
}

pub fn audit_entry(row: &SqliteRow) -> Result<AuditEntry> {
    let id: String = row.try_get("postmortem_id")?;
    let changes: String = row.try_get("changes")?;
    Ok(AuditEntry {
        postmortem_id: Uuid::parse_str(&id).map_err(|e| corrupt(&id, e.to_string()))?,
        at: parse_timestamp(&row.try_get::<String, _>("at")?, &id)?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        changes: serde_json::from_str(&changes)
            .map_err(|source| StoreError::Corrupt { id, source })?,
    })
}
