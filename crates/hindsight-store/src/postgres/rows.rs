//! Decoding PostgreSQL rows into domain values.

use std::str::FromStr;

use hindsight_core::{AuditEntry, Postmortem};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::Result;
use crate::codec::{corrupt, from_json};
use crate::types::{ActionRow, Summary};

/// The columns [`summary`] reads, for `SELECT` on `postmortems p`. Services are
/// in byte order (`COLLATE "C"`), as SQLite lists them, whatever the database's
/// collation.
pub const SUMMARY_COLUMNS: &str = "p.id, p.key, p.title, p.kind, p.severity, p.status,
    p.visibility, p.owner, p.started_at, p.version, p.updated_at,
    ARRAY(SELECT s.service FROM postmortem_services s WHERE s.seq = p.seq
        ORDER BY s.service COLLATE \"C\") AS services,
    (SELECT count(*) FROM action_items a WHERE a.seq = p.seq
        AND a.status IN ('open', 'in-progress')) AS open_actions";

/// The postmortem stored in a row's `doc` column (with its `id`).
pub fn decode_doc(row: &PgRow) -> Result<Postmortem> {
    let id: Uuid = row.try_get("id")?;
    from_json(&id, row.try_get("doc")?)
}

/// A vocabulary word stored in `column` (kind, status, ...).
fn word<T: FromStr>(row: &PgRow, id: &Uuid, column: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: &str = row.try_get(column)?;
    text.parse().map_err(|e| corrupt(id, e))
}

pub fn summary(row: &PgRow) -> Result<Summary> {
    let id: Uuid = row.try_get("id")?;
    let severity: Option<&str> = row.try_get("severity")?;
    let open_actions: i64 = row.try_get("open_actions")?;
    Ok(Summary {
        id,
        key: row.try_get("key")?,
        title: row.try_get("title")?,
        kind: word(row, &id, "kind")?,
        severity: severity
            .map(str::parse)
            .transpose()
            .map_err(|e| corrupt(&id, e))?,
        status: word(row, &id, "status")?,
        visibility: word(row, &id, "visibility")?,
        owner: row.try_get("owner")?,
        services: row.try_get("services")?,
        started: row.try_get("started_at")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        open_actions: u32::try_from(open_actions).unwrap_or(u32::MAX),
    })
}

pub fn action_row(row: &PgRow) -> Result<ActionRow> {
    let id: Uuid = row.try_get("id")?;
    Ok(ActionRow {
        postmortem_id: id,
        postmortem_key: row.try_get("key")?,
        postmortem_title: row.try_get("title")?,
        item: from_json(&id, row.try_get("item")?)?,
    })
}

pub fn audit_entry(row: &PgRow) -> Result<AuditEntry> {
    let id: Uuid = row.try_get("postmortem_id")?;
    Ok(AuditEntry {
        postmortem_id: id,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        changes: from_json(&id, row.try_get("changes")?)?,
    })
}
