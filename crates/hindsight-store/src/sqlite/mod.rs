//! The embedded SQLite backend: one file, WAL journal, foreign keys on, FTS5 search.

mod deliveries;
mod rows;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::{AuditEntry, Postmortem, diff};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use uuid::Uuid;

use crate::codec::to_json;
use crate::dump::{Dump, check_restorable};
use crate::search_text::{SearchText, fts_query};
use crate::snippet::split_snippet;
use crate::sql::{
    Dialect, MIGRATIONS_APPLIED, PROJECTION_TABLES, REVISION, actions_query, audit_query,
    count_query, distinct, list_query, push_filter, push_limit, readers, stamps_query,
};
use crate::types::*;
use crate::{Result, Store, StoreError};
use rows::{SUMMARY_COLUMNS, decode_doc, summary, timestamp};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How much of the database file is memory-mapped (the rest is read page by page).
const MMAP_BYTES: u64 = 256 << 20;

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
            .busy_timeout(Duration::from_secs(10))
            // Reads through a shared memory map instead of a read() call per
            // page: a search touches a row of every postmortem it matches.
            .pragma("mmap_size", MMAP_BYTES.to_string());
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

crate::account_store::impl_accounts!(SqliteStore, Sqlite, write);

type Builder = QueryBuilder<Sqlite>;
type Tx = Transaction<'static, Sqlite>;

/// Times are fixed-width RFC 3339 text and days `YYYY-MM-DD` text, so text order
/// is time order.
impl Dialect for Sqlite {
    type Time = String;
    type Day = String;

    fn time(at: DateTime<Utc>) -> String {
        timestamp(at)
    }

    fn day(day: NaiveDate) -> String {
        day.to_string()
    }

    type Id = String;

    fn id(id: Uuid) -> String {
        id.to_string()
    }

    fn read_time(row: &SqliteRow, column: &str) -> Result<Option<DateTime<Utc>>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| rows::parse_timestamp(&t, column)).transpose()
    }

    fn read_id(row: &SqliteRow, column: &str) -> Result<Uuid> {
        let id: String = row.try_get(column)?;
        Uuid::parse_str(&id).map_err(|e| crate::codec::corrupt(&id, e))
    }

    fn push_handle(q: &mut Builder, handle: &str) {
        q.push("(p.id = ")
            .push_bind(handle.to_string())
            .push(" OR upper(p.key) = upper(")
            .push_bind(handle.to_string())
            .push("))");
    }
}

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
        insert(&mut tx, &saved).await?;
        record(&mut tx, saved.id, actor, "create", Vec::new()).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn get(&self, handle: &str) -> Result<Option<Postmortem>> {
        let mut q = Builder::new("SELECT p.id, p.doc FROM postmortems p WHERE ");
        Sqlite::push_handle(&mut q, handle.trim());
        let row = q.build().fetch_optional(&self.pool).await?;
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
        let doc = to_json(&saved.id, &saved)?;
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
            diff::diff(&before, &saved),
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete(&self, handle: &str, version: i64, actor: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let mut q = Builder::new("SELECT p.seq, p.id, p.version FROM postmortems p WHERE ");
        Sqlite::push_handle(&mut q, handle.trim());
        let row = q
            .build()
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
        record(&mut tx, id, actor, "delete", Vec::new()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let rows = list_query::<Sqlite>(SUMMARY_COLUMNS, filter)
            .build()
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
    }

    async fn load_all(&self, filter: &Filter) -> Result<Vec<Postmortem>> {
        let rows = list_query::<Sqlite>("p.id, p.doc", filter)
            .build()
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_doc).collect()
    }

    async fn revision(&self) -> Result<i64> {
        let n = sqlx::query_scalar(REVISION).fetch_one(&self.pool).await?;
        Ok(n)
    }

    async fn stamps(&self) -> Result<Vec<Stamp>> {
        // `id version` per postmortem, comma-separated, in list order.
        let query = stamps_query("group_concat(s.id || ' ' || s.version, ',')");
        let folded: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
            .fetch_one(&self.pool)
            .await?;
        let Some(folded) = folded else {
            return Ok(Vec::new());
        };
        folded
            .split(',')
            .map(|stamp| {
                let mut parts = stamp.split(' ');
                let (Some(id), Some(version), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(crate::codec::corrupt(stamp, "not `id version`"));
                };
                Ok(Stamp {
                    id: Uuid::parse_str(id).map_err(|e| crate::codec::corrupt(id, e))?,
                    version: version.parse().map_err(|e| crate::codec::corrupt(id, e))?,
                })
            })
            .collect()
    }

    async fn load_ids(&self, ids: &[Uuid]) -> Result<Vec<Postmortem>> {
        crate::sql::load_ids(&self.pool, ids, decode_doc).await
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
        let rows = actions_query::<Sqlite>(filter)
            .build()
            .fetch_all(&self.pool)
            .await?;
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

    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let rows = audit_query::<Sqlite>(query)
            .build()
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRecord {
                    entry: row.try_get("entry")?,
                    audit: rows::audit_entry(row)?,
                })
            })
            .collect()
    }

    async fn count_matching(&self, filter: &Filter) -> Result<u64> {
        let n: i64 = count_query::<Sqlite>(filter)
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn pool_stats(&self) -> PoolStats {
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        PoolStats {
            open: self.pool.size(),
            idle,
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn schema(&self) -> Result<Schema> {
        let migrations = sqlx::query_as::<_, (i64, String)>(MIGRATIONS_APPLIED)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(version, description)| Migration {
                version,
                description,
            })
            .collect();
        Ok(Schema {
            backend: "sqlite",
            migrations,
            known: MIGRATOR.iter().count(),
        })
    }

    async fn dump(&self) -> Result<Dump> {
        // A deferred transaction reads one WAL snapshot throughout.
        let mut tx = self.pool.begin().await?;
        let postmortems = sqlx::query("SELECT id, doc FROM postmortems ORDER BY seq")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(decode_doc)
            .collect::<Result<_>>()?;
        let audit_log = sqlx::query(
            "SELECT postmortem_id, at, actor, action, changes FROM audit_log ORDER BY entry",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(rows::audit_entry)
        .collect::<Result<_>>()?;
        let (users, tokens, account_events) = Self::dump_accounts(&mut tx).await?;
        tx.commit().await?;
        Ok(Dump {
            postmortems,
            audit_log,
            users,
            tokens,
            account_events,
        })
    }

    async fn restore(&self, dump: &Dump) -> Result<()> {
        let mut tx = self.write().await?;
        for pm in &dump.postmortems {
            check_restorable(pm)?;
            insert(&mut tx, pm).await?;
        }
        for entry in &dump.audit_log {
            append_audit(&mut tx, entry).await?;
        }
        Self::restore_accounts(&mut tx, dump).await?;
        tx.commit().await?;
        Ok(())
    }
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

/// Inserts the postmortem as given (key, version and times included) with its
/// projection; the key must be set.
async fn insert(tx: &mut Tx, pm: &Postmortem) -> Result<()> {
    let doc = to_json(&pm.id, pm)?;
    let q = sqlx::query(
        "INSERT INTO postmortems (key, title, kind, severity, status, visibility, owner,
            version, created_at, updated_at, published_at, closed_at, started_at, detected_at,
            acknowledged_at, mitigated_at, resolved_at, doc, id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    let done = bind_columns(q, pm, &doc)
        .bind(pm.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_violation(e, pm))?;
    write_projection(tx, done.last_insert_rowid(), pm).await
}

/// A uniqueness violation on the postmortems table: its id (only possible in a
/// restore; creates check first) or its human key is taken.
fn unique_violation(err: sqlx::Error, pm: &Postmortem) -> StoreError {
    let unique = err
        .as_database_error()
        .filter(|e| e.is_unique_violation())
        .map(|e| e.message().contains("postmortems.id"));
    match unique {
        Some(true) => StoreError::Duplicate(format!("postmortem {} already exists", pm.id)),
        Some(false) => StoreError::Duplicate(format!(
            "key {} is already used by another postmortem",
            pm.key.as_deref().unwrap_or("?")
        )),
        None => StoreError::Database(err),
    }
}

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
    let readers = readers(pm);
    for (table, column, values) in [
        ("postmortem_services", "service", &pm.services),
        ("postmortem_tags", "tag", &pm.tags),
        ("postmortem_access", "principal", &readers),
    ] {
        for value in distinct(values) {
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
        let item = to_json(&pm.id, a)?;
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
    changes: Vec<diff::Change>,
) -> Result<()> {
    let entry = AuditEntry {
        postmortem_id: id,
        at: Utc::now(),
        actor: actor.to_string(),
        action: action.to_string(),
        changes,
    };
    append_audit(tx, &entry).await
}

async fn append_audit(tx: &mut Tx, entry: &AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (postmortem_id, at, actor, action, changes) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(entry.postmortem_id.to_string())
    .bind(timestamp(entry.at))
    .bind(entry.actor.clone())
    .bind(entry.action.clone())
    .bind(to_json(&entry.postmortem_id, &entry.changes)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
