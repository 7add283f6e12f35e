//! The PostgreSQL backend, for teams with several server processes sharing one
//! database. Same schema design, semantics and errors as the SQLite backend.
//!
//! # Concurrency
//!
//! Transactions run at READ COMMITTED (PostgreSQL's default), which is enough
//! because every write decides on the row it writes, not on what it read:
//!
//! - Updates and deletes repeat the version check in the writing statement
//!   (`UPDATE ... WHERE seq = $1 AND version = $2`). Two writers that read the
//!   same version both get there; the second waits for the first's row lock and,
//!   once the first commits, PostgreSQL re-evaluates its `WHERE` on the new row,
//!   whose version has moved on: no row is affected, and the store reports a
//!   conflict. No update is lost, no retry loop is needed. (SERIALIZABLE would also
//!   be safe, but fails whole transactions on unrelated predicate-lock overlaps in
//!   the projection tables, and every caller would have to retry.)
//! - Keys: every transaction that allocates or changes a key first takes a
//!   transaction-scoped advisory lock ([`write::lock_keys`]), then computes
//!   `max + 1`; the unique constraint on `key` is the backstop. Creates queue for
//!   a few milliseconds each; nothing else does.
//! - Children of a postmortem (services, actions, search text, ...) are only
//!   written by the transaction that holds the postmortem's row lock, so they
//!   cannot interleave.

mod deliveries;
mod rows;
mod search;
mod write;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::{AuditEntry, Postmortem, diff};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::dump::Dump;
use crate::sql::{
    Dialect, MIGRATIONS_APPLIED, REVISION, actions_query, audit_query, count_query, list_query,
    stamps_query,
};
use crate::types::*;
use crate::{Result, Store, StoreError};
use rows::{SUMMARY_COLUMNS, decode_doc, summary};
use write::Tx;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Postmortems in a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host/db`, or with
    /// `?host=/socket/dir`) and migrates it. The database must exist.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with(PgConnectOptions::from_str(url)?).await
    }

    /// Like [`PgStore::open`], from connection options.
    pub async fn open_with(options: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // `to_tsquery` reports every stop word of a search as a NOTICE,
                    // which sqlx would log at INFO level.
                    sqlx::query("SET client_min_messages = warning")
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        // sqlx serialises concurrent migrators with an advisory lock, so several
        // servers may start at once.
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }

    /// Closes every connection, waiting for the ones in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> Result<Tx> {
        Ok(self.pool.begin().await?)
    }
}

crate::account_store::impl_accounts!(PgStore, Postgres, begin);

impl Dialect for Postgres {
    type Time = DateTime<Utc>;
    type Day = NaiveDate;

    fn time(at: DateTime<Utc>) -> DateTime<Utc> {
        at
    }

    fn day(day: NaiveDate) -> NaiveDate {
        day
    }

    type Id = Uuid;

    fn id(id: Uuid) -> Uuid {
        id
    }

    fn read_time(row: &PgRow, column: &str) -> Result<Option<DateTime<Utc>>> {
        Ok(row.try_get(column)?)
    }

    fn read_id(row: &PgRow, column: &str) -> Result<Uuid> {
        Ok(row.try_get(column)?)
    }

    /// Ids are `uuid` here: only a handle written exactly as SQLite stores ids
    /// (lowercase, hyphenated) is compared to them, so both backends find the
    /// same postmortems.
    fn push_handle(q: &mut QueryBuilder<Postgres>, handle: &str) {
        let id = Uuid::parse_str(handle)
            .ok()
            .filter(|id| id.to_string() == handle);
        q.push("(p.id = ")
            .push_bind(id)
            .push(" OR upper(p.key) = upper(")
            .push_bind(handle.to_string())
            .push("))");
    }
}

fn audit(id: Uuid, actor: &str, action: &str, changes: Vec<diff::Change>) -> AuditEntry {
    AuditEntry {
        postmortem_id: id,
        at: Utc::now(),
        actor: actor.to_string(),
        action: action.to_string(),
        changes,
    }
}

/// Why a version-checked write of row `seq` affected nothing: someone saved a
/// newer version, or deleted the postmortem.
async fn conflict_or_gone(
    tx: &mut Tx,
    seq: i64,
    id: Uuid,
    expected: i64,
    handle: String,
) -> StoreError {
    let current: std::result::Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT version FROM postmortems WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut **tx)
            .await;
    match current {
        Ok(Some(current)) => StoreError::Conflict {
            id,
            expected,
            current,
        },
        Ok(None) => StoreError::NotFound(handle),
        Err(e) => StoreError::Database(e),
    }
}

#[async_trait]
impl Store for PgStore {
    async fn create(&self, pm: &Postmortem, actor: &str) -> Result<Postmortem> {
        let mut tx = self.begin().await?;
        write::lock_keys(&mut tx).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT seq FROM postmortems WHERE id = $1")
            .bind(pm.id)
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
            saved.key = Some(write::next_key(&mut tx).await?);
        }
        saved.version = saved.version.max(1);
        write::insert(&mut tx, &saved).await?;
        write::append_audit(&mut tx, &[audit(saved.id, actor, "create", Vec::new())]).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn get(&self, handle: &str) -> Result<Option<Postmortem>> {
        let mut q = QueryBuilder::<Postgres>::new("SELECT p.id, p.doc FROM postmortems p WHERE ");
        Postgres::push_handle(&mut q, handle.trim());
        let row = q.build().fetch_optional(&self.pool).await?;
        row.map(|r| decode_doc(&r)).transpose()
    }

    async fn update(
        &self,
        pm: &Postmortem,
        actor: &str,
        action: AuditAction,
    ) -> Result<Postmortem> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT seq, id, doc FROM postmortems WHERE id = $1")
            .bind(pm.id)
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
        if saved.key != before.key {
            write::lock_keys(&mut tx).await?;
        }
        // `before` is what the diff is taken from: still accurate when this
        // version-checked write succeeds, as every save bumps the version.
        if !write::update(&mut tx, seq, before.version, &saved).await? {
            return Err(conflict_or_gone(&mut tx, seq, pm.id, pm.version, pm.handle()).await);
        }
        let changes = diff::diff(&before, &saved);
        write::append_audit(&mut tx, &[audit(saved.id, actor, action.as_str(), changes)]).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete(&self, handle: &str, version: i64, actor: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut q = QueryBuilder::<Postgres>::new(
            "SELECT p.seq, p.id, p.version FROM postmortems p WHERE ",
        );
        Postgres::push_handle(&mut q, handle.trim());
        let row = q
            .build()
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(handle.to_string()))?;
        let seq: i64 = row.try_get("seq")?;
        let id: Uuid = row.try_get("id")?;
        let current: i64 = row.try_get("version")?;
        if current != version {
            return Err(StoreError::Conflict {
                id,
                expected: version,
                current,
            });
        }
        // The projection goes with the row (ON DELETE CASCADE).
        let done = sqlx::query("DELETE FROM postmortems WHERE seq = $1 AND version = $2")
            .bind(seq)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(conflict_or_gone(&mut tx, seq, id, version, handle.to_string()).await);
        }
        write::append_audit(&mut tx, &[audit(id, actor, "delete", Vec::new())]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let rows = list_query::<Postgres>(SUMMARY_COLUMNS, filter)
            .build()
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
    }

    async fn load_all(&self, filter: &Filter) -> Result<Vec<Postmortem>> {
        let rows = list_query::<Postgres>("p.id, p.doc", filter)
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
        let query = stamps_query("array_agg(s.id) AS ids, array_agg(s.version) AS versions");
        let row = sqlx::query(sqlx::AssertSqlSafe(query))
            .fetch_one(&self.pool)
            .await?;
        let ids: Option<Vec<Uuid>> = row.try_get("ids")?;
        let versions: Option<Vec<i64>> = row.try_get("versions")?;
        Ok(ids
            .unwrap_or_default()
            .into_iter()
            .zip(versions.unwrap_or_default())
            .map(|(id, version)| Stamp { id, version })
            .collect())
    }

    async fn load_ids(&self, ids: &[Uuid]) -> Result<Vec<Postmortem>> {
        crate::sql::load_ids(&self.pool, ids, decode_doc).await
    }

    async fn search(&self, query: &str, filter: &Filter) -> Result<Vec<SearchHit>> {
        search::search(&self.pool, query, filter).await
    }

    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionRow>> {
        let rows = actions_query::<Postgres>(filter)
            .build()
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::action_row).collect()
    }

    async fn audit(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT postmortem_id, at, actor, action, changes FROM audit_log
             WHERE postmortem_id = $1 ORDER BY entry",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::audit_entry).collect()
    }

    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let rows = audit_query::<Postgres>(query)
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
        let n: i64 = count_query::<Postgres>(filter)
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
            backend: "postgres",
            migrations,
            known: MIGRATOR.iter().count(),
        })
    }

    async fn dump(&self) -> Result<Dump> {
        // One snapshot for both reads, so the log matches the postmortems.
        let mut tx = self.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await?;
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
        let mut tx = self.begin().await?;
        write::lock_keys(&mut tx).await?;
        for pm in &dump.postmortems {
            crate::dump::check_restorable(pm)?;
            write::insert(&mut tx, pm).await?;
        }
        write::append_audit(&mut tx, &dump.audit_log).await?;
        Self::restore_accounts(&mut tx, dump).await?;
        tx.commit().await?;
        Ok(())
    }
}
