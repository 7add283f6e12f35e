//! The embedded SQLite backend: one file, WAL journal, foreign keys on, FTS5 search.

mod rows;

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use hindsight_core::{AuditEntry, Postmortem, diff};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use uuid::Uuid;

use crate::search_text::{SearchText, fts_query};
use crate::types::*;
use crate::{Result, Store, StoreError};
use rows::{SUMMARY_COLUMNS, decode_doc, summary, timestamp};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// Marks around matched words in FTS5 snippets: private-use characters that
/// cannot appear in the indexed text's meaning, split out into [`SnippetPart`]s.
const MATCH_START: char = '\u{E000}';
const MATCH_END: char = '\u{E001}';

/// Postmortems in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database file at `path`.
    pub async fn open(path: &str) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// A write transaction that takes the write lock up front, so two writers
    /// queue instead of failing when one upgrades a read lock.
    async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

type Builder = sqlx::QueryBuilder<Sqlite>;
type Tx = Transaction<'static, Sqlite>;

#[async_trait]
impl Store for SqliteStore {
    async fn create(&self, pm: &Postmortem, actor: &str) -> Result<Postmortem> {
        let mut tx = self.write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT seq FROM postmortems WHERE id = ?")
            .bind(pm.id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Duplicate(format!(
                "postmortem {} already exists",
                pm.id
            )));
        }
        let mut saved = pm.clone();
        if saved.key.is_none() {
            saved.key = Some(next_key(&mut tx).await?);
        }
        saved.version = saved.version.max(1);
        let doc = encode_doc(&saved)?;
        let seq: i64 = insert_row(&mut tx, &saved, &doc).await?;
        write_projection(&mut tx, seq, &saved).await?;
        record(&mut tx, saved.id, actor, "create", &[]).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn get(&self, handle: &str) -> Result<Option<Postmortem>> {
        let row = sqlx::query("SELECT id, doc FROM postmortems WHERE id = ?1 OR upper(key) = upper(?1)")
            .bind(handle.trim())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| decode_doc(&r)).transpose()
    }

    async fn update(
        &self,
        pm: &Postmortem,
        actor: &str,
        action: AuditAction,
    ) -> Result<Postmortem> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT seq, id, doc FROM postmortems WHERE id = ?")
            .bind(pm.id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(pm.handle()))?;
        let seq: i64 = row.try_get("seq")?;
        let before = decode_doc(&row)?;
        if before.version != pm.version {
            return Err(StoreError::Conflict {
                id: pm.id,
                expected: pm.version,
                current: before.version,
            });
        }
        let mut saved = pm.clone();
        saved.key = saved.key.or(before.key.clone());
        saved.version = before.version + 1;
        saved.updated_at = Utc::now();
        let doc = encode_doc(&saved)?;
        let changed = sqlx::query(
            "UPDATE postmortems SET key = ?, title = ?, kind = ?, severity = ?, status = ?,
                visibility = ?, owner = ?, version = ?, created_at = ?, updated_at = ?,
                published_at = ?, closed_at = ?, started_at = ?, detected_at = ?,
                acknowledged_at = ?, mitigated_at = ?, resolved_at = ?, doc = ?
             WHERE seq = ? AND version = ?",
        );
        let changed = bind_columns(changed, &saved, &doc)
            .bind(seq)
            .bind(before.version)
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_violation(e, &saved))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                id: pm.id,
                expected: pm.version,
                current: before.version + 1,
            });
        }
        clear_projection(&mut tx, seq).await?;
        write_projection(&mut tx, seq, &saved).await?;
        record(
            &mut tx,
            saved.id,
            actor,
            action.as_str(),
            &diff::diff(&before, &saved),
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete(&self, handle: &str, version: i64, actor: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT seq, id, version FROM postmortems WHERE id = ?1 OR upper(key) = upper(?1)",
        )
        .bind(handle.trim())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(handle.to_string()))?;
        let seq: i64 = row.try_get("seq")?;
        let id = rows::uuid(&row)?;
        let current: i64 = row.try_get("version")?;
        if current != version {
            return Err(StoreError::Conflict {
                id,
                expected: version,
                current,
            });
        }
        clear_projection(&mut tx, seq).await?;
        sqlx::query("DELETE FROM postmortems WHERE seq = ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        record(&mut tx, id, actor, "delete", &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let mut q = Builder::new(format!(
            "SELECT {SUMMARY_COLUMNS} FROM postmortems p WHERE 1 = 1"
        ));
        push_filter(&mut q, filter);
        q.push(" ORDER BY coalesce(p.started_at, p.created_at) DESC, p.seq DESC");
        push_limit(&mut q, filter.limit);
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(summary).collect()
    }

    async fn load_all(&self, filter: &Filter) -> Result<Vec<Postmortem>> {
        let mut q = Builder::new("SELECT p.id, p.doc FROM postmortems p WHERE 1 = 1");
        push_filter(&mut q, filter);
        q.push(" ORDER BY coalesce(p.started_at, p.created_at) DESC, p.seq DESC");
        push_limit(&mut q, filter.limit);
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(decode_doc).collect()
    }

    async fn search(&self, query: &str, filter: &Filter) -> Result<Vec<SearchHit>> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let mut q = Builder::new(format!(
            "SELECT {SUMMARY_COLUMNS},
                bm25(postmortem_fts, 10.0, 4.0, 3.0, 2.0, 2.0) AS rank,
                snippet(postmortem_fts, -1, char(57344), char(57345), '…', 16) AS snip
             FROM postmortem_fts JOIN postmortems p ON p.seq = postmortem_fts.rowid
             WHERE postmortem_fts MATCH "
        ));
        q.push_bind(fts);
        push_filter(&mut q, filter);
        q.push(" ORDER BY rank, p.seq");
        push_limit(&mut q, Some(filter.limit.unwrap_or(50)));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let rank: f64 = row.try_get("rank")?;
                let snip: String = row.try_get("snip")?;
                Ok(SearchHit {
                    postmortem: summary(row)?,
                    score: -rank,
                    snippet: split_snippet(&snip),
                })
            })
            .collect()
    }

    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionRow>> {
        let mut q = Builder::new(
            "SELECT p.id, p.key, p.title, a.item FROM action_items a
             JOIN postmortems p ON p.seq = a.seq WHERE 1 = 1",
        );
        if let Some(owner) = &filter.owner {
            q.push(" AND a.owner = ").push_bind(owner.clone());
        }
        if let Some(service) = &filter.service {
            q.push(" AND EXISTS (SELECT 1 FROM postmortem_services s WHERE s.seq = p.seq AND s.service = ")
                .push_bind(service.clone())
                .push(")");
        }
        if let Some(status) = filter.status {
            q.push(" AND a.status = ").push_bind(status.as_str());
        }
        if let Some(day) = filter.overdue_on {
            q.push(" AND a.status IN ('open', 'in-progress') AND a.due < ")
                .push_bind(day.to_string());
        }
        if let Some(handle) = &filter.postmortem {
            q.push(" AND (p.id = ")
                .push_bind(handle.clone())
                .push(" OR upper(p.key) = upper(")
                .push_bind(handle.clone())
                .push("))");
        }
        q.push(" ORDER BY a.due IS NULL, a.due, p.seq, a.position");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::action_row).collect()
    }

    async fn audit(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT postmortem_id, at, actor, action, changes FROM audit_log
             WHERE postmortem_id = ? ORDER BY entry",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::audit_entry).collect()
    }

    async fn count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM postmortems")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

fn encode_doc(pm: &Postmortem) -> Result<String> {
    serde_json::to_string(pm).map_err(|source| StoreError::Corrupt {
        id: pm.id.to_string(),
        source,
    })
}

/// The next free `PM-n` key: one past the highest number in use.
async fn next_key(tx: &mut Tx) -> Result<String> {
    let highest: Option<i64> = sqlx::query_scalar(
        "SELECT max(CAST(substr(key, 4) AS INTEGER)) FROM postmortems
         WHERE key LIKE 'PM-%' AND substr(key, 4) GLOB '[0-9]*'",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(format!("PM-{}", highest.unwrap_or(0) + 1))
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>;

/// Binds the projected columns in the order of the INSERT and UPDATE statements.
fn bind_columns<'q>(q: Query<'q>, pm: &Postmortem, doc: &str) -> Query<'q> {
    let m = &pm.milestones;
    q.bind(pm.key.clone().unwrap_or_default())
        .bind(pm.title.clone())
        .bind(pm.kind.as_str())
        .bind(pm.severity.map(|s| s.as_str()))
        .bind(pm.status.as_str())
        .bind(pm.visibility.as_str())
        .bind(pm.owner.clone())
        .bind(pm.version)
        .bind(timestamp(pm.created_at))
        .bind(timestamp(pm.updated_at))
        .bind(pm.published_at.map(timestamp))
        .bind(pm.closed_at.map(timestamp))
        .bind(m.started.map(timestamp))
        .bind(m.detected.map(timestamp))
        .bind(m.acknowledged.map(timestamp))
        .bind(m.mitigated.map(timestamp))
        .bind(m.resolved.map(timestamp))
        .bind(doc.to_string())
}

async fn insert_row(tx: &mut Tx, pm: &Postmortem, doc: &str) -> Result<i64> {
    let q = sqlx::query(
        "INSERT INTO postmortems (key, title, kind, severity, status, visibility, owner,
            version, created_at, updated_at, published_at, closed_at, started_at, detected_at,
            acknowledged_at, mitigated_at, resolved_at, doc, id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    let done = bind_columns(q, pm, doc)
        .bind(pm.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_violation(e, pm))?;
    Ok(done.last_insert_rowid())
}

/// A unique-key violation means the human key is taken by another postmortem.
fn unique_violation(err: sqlx::Error, pm: &Postmortem) -> StoreError {
    let unique = err
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation());
    if unique {
        StoreError::Duplicate(format!(
            "key {} is already used by another postmortem",
            pm.key.as_deref().unwrap_or("?")
        ))
    } else {
        StoreError::Database(err)
    }
}

const PROJECTION_TABLES: &[&str] = &[
    "postmortem_services",
    "postmortem_tags",
    "postmortem_access",
    "timeline_events",
    "contributing_factors",
    "action_items",
];

async fn clear_projection(tx: &mut Tx, seq: i64) -> Result<()> {
    for table in PROJECTION_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE seq = ?"
        )))
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM postmortem_fts WHERE rowid = ?")
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes the queryable copy of the nested records and the search index.
async fn write_projection(tx: &mut Tx, seq: i64, pm: &Postmortem) -> Result<()> {
    for (table, column, values) in [
        ("postmortem_services", "service", &pm.services),
        ("postmortem_tags", "tag", &pm.tags),
        ("postmortem_access", "principal", &pm.restricted_to),
    ] {
        let mut distinct: Vec<&String> = values.iter().collect();
        distinct.sort();
        distinct.dedup();
        for value in distinct {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} (seq, {column}) VALUES (?, ?)"
            )))
            .bind(seq)
            .bind(value.clone())
            .execute(&mut **tx)
            .await?;
        }
    }
    for (position, e) in pm.timeline.iter().enumerate() {
        sqlx::query(
            "INSERT INTO timeline_events (seq, position, at, kind, source, source_ref, milestone, text)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(position as i64)
        .bind(timestamp(e.at))
        .bind(e.kind.as_str())
        .bind(e.source.clone())
        .bind(e.source_ref.clone())
        .bind(e.milestone.map(|m| m.as_str()))
        .bind(e.text.clone())
        .execute(&mut **tx)
        .await?;
    }
    for f in &pm.analysis.factors {
        sqlx::query(
            "INSERT INTO contributing_factors (seq, factor_id, category, grp, text)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(f.id.clone())
        .bind(f.category.as_str())
        .bind(f.group.as_str())
        .bind(f.text.clone())
        .execute(&mut **tx)
        .await
        .map_err(|e| duplicate_id(e, "contributing factor", &f.id))?;
    }
    for (position, a) in pm.actions.iter().enumerate() {
        let item = serde_json::to_string(a).map_err(|source| StoreError::Corrupt {
            id: pm.id.to_string(),
            source,
        })?;
        sqlx::query(
            "INSERT INTO action_items (seq, action_id, position, title, type, priority, owner,
                due, status, factor_id, item)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(a.id.clone())
        .bind(position as i64)
        .bind(a.title.clone())
        .bind(a.action_type.as_str())
        .bind(a.priority.as_str())
        .bind(a.owner.clone())
        .bind(a.due.map(|d| d.to_string()))
        .bind(a.status.as_str())
        .bind(a.factor.clone())
        .bind(item)
        .execute(&mut **tx)
        .await
        .map_err(|e| duplicate_id(e, "action item", &a.id))?;
    }
    let text = SearchText::of(pm);
    sqlx::query(
        "INSERT INTO postmortem_fts (rowid, title, summary, analysis, timeline, actions)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(text.title)
    .bind(text.summary)
    .bind(text.analysis)
    .bind(text.timeline)
    .bind(text.actions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn duplicate_id(err: sqlx::Error, what: &str, id: &str) -> StoreError {
    if err
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
    {
        StoreError::Invalid(format!("{what} id {id} is used twice"))
    } else {
        StoreError::Database(err)
    }
}

async fn record(
    tx: &mut Tx,
    id: Uuid,
    actor: &str,
    action: &str,
    changes: &[diff::Change],
) -> Result<()> {
    let changes = serde_json::to_string(changes).map_err(|source| StoreError::Corrupt {
        id: id.to_string(),
        source,
    })?;
    sqlx::query(
        "INSERT INTO audit_log (postmortem_id, at, actor, action, changes) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(timestamp(Utc::now()))
    .bind(actor.to_string())
    .bind(action.to_string())
    .bind(changes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn push_filter(q: &mut Builder, f: &Filter) {
    for (column, value) in [
        ("p.severity", f.severity.map(|s| s.as_str().to_string())),
        ("p.kind", f.kind.map(|k| k.as_str().to_string())),
        ("p.status", f.status.map(|s| s.as_str().to_string())),
        ("p.owner", f.owner.clone()),
    ] {
        if let Some(value) = value {
            q.push(format!(" AND {column} = ")).push_bind(value);
        }
    }
    for (table, column, value) in [
        ("postmortem_services", "service", &f.service),
        ("postmortem_tags", "tag", &f.tag),
    ] {
        if let Some(value) = value {
            q.push(format!(
                " AND EXISTS (SELECT 1 FROM {table} x WHERE x.seq = p.seq AND x.{column} = "
            ))
            .push_bind(value.clone())
            .push(")");
        }
    }
    if let Some(w) = f.window {
        let column = format!("p.{}_at", w.milestone.as_str());
        if let Some(from) = w.from {
            q.push(format!(" AND {column} >= "))
                .push_bind(timestamp(from));
        }
        if let Some(to) = w.to {
            q.push(format!(" AND {column} < ")).push_bind(timestamp(to));
        }
        if w.from.is_none() && w.to.is_none() {
            q.push(format!(" AND {column} IS NOT NULL"));
        }
    }
}

fn push_limit(q: &mut Builder, limit: Option<u32>) {
    if let Some(limit) = limit {
        q.push(" LIMIT ").push_bind(i64::from(limit));
    }
}

/// Splits an FTS5 snippet marked with [`MATCH_START`]/[`MATCH_END`] into parts.
fn split_snippet(snippet: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    for (i, chunk) in snippet.split(MATCH_START).enumerate() {
        let (matched, rest) = match chunk.split_once(MATCH_END) {
            Some((hit, rest)) if i > 0 => (hit, rest),
            _ => ("", chunk),
        };
        for (text, is_match) in [(matched, true), (rest, false)] {
            if !text.is_empty() {
                parts.push(SnippetPart {
                    text: text.to_string(),
                    matched: is_match,
                });
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_into_matched_and_plain_parts() {
        let parts = split_snippet("…the \u{E000}canary\u{E001} went to \u{E000}100\u{E001}%");
        let shown: Vec<(bool, &str)> = parts.iter().map(|p| (p.matched, p.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (false, "…the "),
                (true, "canary"),
                (false, " went to "),
                (true, "100"),
                (false, "%")
            ]
        );
    }
}
