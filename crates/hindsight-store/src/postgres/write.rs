//! The statements that write a postmortem: its row, its projection (child tables
//! and search text) and audit entries. All run inside the caller's transaction.
//! Child rows are written with one `unnest` insert per table, not one per row.

use std::borrow::Cow;

use hindsight_core::{AuditEntry, Postmortem};
use sqlx::postgres::PgArguments;
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use crate::codec::to_json;
use crate::search_text::SearchText;
use crate::sql::{PROJECTION_TABLES, distinct, readers};
use crate::{Result, StoreError};

pub(super) type Tx = Transaction<'static, Postgres>;
type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// The advisory lock that serialises key allocation (any constant unlikely to
/// be used by another application in the same database).
const KEY_LOCK: i64 = 0x6869_6e64_7369_6768; // "hindsigh"

/// Makes every other transaction that allocates or sets a key wait until this
/// one ends. Held to commit, so the next allocator's statement snapshot (READ
/// COMMITTED takes one per statement) already sees the key this one inserted.
pub(super) async fn lock_keys(tx: &mut Tx) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(KEY_LOCK)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The next free `PM-n` key: one past the highest number in use, as on SQLite.
/// The caller holds [`lock_keys`]. The expression matches the
/// `postmortems_key_number` index, which makes this one index probe.
pub(super) async fn next_key(tx: &mut Tx) -> Result<String> {
    let highest: Option<i64> = sqlx::query_scalar(
        "SELECT max((substring(key FROM '^[Pp][Mm]-([0-9]{1,18})'))::bigint) FROM postmortems",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(format!("PM-{}", highest.unwrap_or(0) + 1))
}

/// PostgreSQL text cannot hold NUL characters. The JSON document keeps them
/// (escaped), so the postmortem reads back exactly; the projection, which is only
/// filtered, sorted and searched, drops them.
fn clean(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', ""))
    } else {
        Cow::Borrowed(text)
    }
}

fn clean_owned(text: &str) -> String {
    clean(text).into_owned()
}

fn clean_opt(text: Option<&String>) -> Option<String> {
    text.map(|t| clean_owned(t))
}

/// Binds the projected columns in the order of the INSERT and UPDATE statements.
fn bind_columns<'q>(q: Query<'q>, pm: &Postmortem, doc: String) -> Query<'q> {
    let m = &pm.milestones;
    q.bind(clean_owned(pm.key.as_deref().unwrap_or_default()))
        .bind(clean_owned(&pm.title))
        .bind(pm.kind.as_str())
        .bind(pm.severity.map(|s| s.as_str()))
        .bind(pm.status.as_str())
        .bind(pm.visibility.as_str())
        .bind(clean_opt(pm.owner.as_ref()))
        .bind(pm.version)
        .bind(pm.created_at)
        .bind(pm.updated_at)
        .bind(pm.published_at)
        .bind(pm.closed_at)
        .bind(m.started)
        .bind(m.detected)
        .bind(m.acknowledged)
        .bind(m.mitigated)
        .bind(m.resolved)
        .bind(doc)
}

/// Inserts the postmortem as given (key, version and times included) with its
/// projection; the key must be set.
pub(super) async fn insert(tx: &mut Tx, pm: &Postmortem) -> Result<()> {
    let q = sqlx::query(
        "INSERT INTO postmortems (key, title, kind, severity, status, visibility, owner,
            version, created_at, updated_at, published_at, closed_at, started_at, detected_at,
            acknowledged_at, mitigated_at, resolved_at, doc, id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19)
         RETURNING seq",
    );
    let row = bind_columns(q, pm, to_json(&pm.id, pm)?)
        .bind(pm.id)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| unique_violation(e, pm))?;
    let seq: i64 = row.try_get("seq")?;
    write_projection(tx, seq, pm).await
}

/// Overwrites row `seq` with `pm` if its stored version is still `version`, and
/// rewrites its projection. `false` when the version had moved on (or the row is
/// gone): nothing was written.
pub(super) async fn update(tx: &mut Tx, seq: i64, version: i64, pm: &Postmortem) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE postmortems SET key = $1, title = $2, kind = $3, severity = $4, status = $5,
            visibility = $6, owner = $7, version = $8, created_at = $9, updated_at = $10,
            published_at = $11, closed_at = $12, started_at = $13, detected_at = $14,
            acknowledged_at = $15, mitigated_at = $16, resolved_at = $17, doc = $18
         WHERE seq = $19 AND version = $20",
    );
    let done = bind_columns(q, pm, to_json(&pm.id, pm)?)
        .bind(seq)
        .bind(version)
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_violation(e, pm))?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    clear_projection(tx, seq).await?;
    write_projection(tx, seq, pm).await?;
    Ok(true)
}

/// A uniqueness violation on the postmortems table: its id or its key is taken.
fn unique_violation(err: sqlx::Error, pm: &Postmortem) -> StoreError {
    let constraint = err
        .as_database_error()
        .filter(|e| e.is_unique_violation())
        .and_then(|e| e.constraint());
    match constraint {
        Some("postmortems_id_unique") => {
            StoreError::Duplicate(format!("postmortem {} already exists", pm.id))
        }
        Some("postmortems_key_unique") => StoreError::Duplicate(format!(
            "key {} is already used by another postmortem",
            pm.key.as_deref().unwrap_or("?")
        )),
        _ => StoreError::Database(err),
    }
}

/// Deletes the projection of row `seq`, in one statement.
async fn clear_projection(tx: &mut Tx, seq: i64) -> Result<()> {
    let deletes: Vec<String> = PROJECTION_TABLES
        .iter()
        .enumerate()
        .map(|(i, table)| format!("d{i} AS (DELETE FROM {table} WHERE seq = $1)"))
        .collect();
    let sql = format!(
        "WITH {} DELETE FROM postmortem_search WHERE seq = $1",
        deletes.join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The first id used twice, if any.
fn first_duplicate<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().find(|id| !seen.insert(*id))
}

/// Writes the queryable copy of the nested records and the search text.
async fn write_projection(tx: &mut Tx, seq: i64, pm: &Postmortem) -> Result<()> {
    // Checked here rather than left to the primary keys, so the error can name the id.
    let factor_ids: Vec<String> = pm
        .analysis
        .factors
        .iter()
        .map(|f| clean_owned(&f.id))
        .collect();
    if let Some(id) = first_duplicate(factor_ids.iter().map(String::as_str)) {
        return Err(StoreError::Invalid(format!(
            "contributing factor id {id} is used twice"
        )));
    }
    let action_ids: Vec<String> = pm.actions.iter().map(|a| clean_owned(&a.id)).collect();
    if let Some(id) = first_duplicate(action_ids.iter().map(String::as_str)) {
        return Err(StoreError::Invalid(format!(
            "action item id {id} is used twice"
        )));
    }

    let readers = readers(pm);
    for (table, column, values) in [
        ("postmortem_services", "service", &pm.services),
        ("postmortem_tags", "tag", &pm.tags),
        ("postmortem_access", "principal", &readers),
    ] {
        if values.is_empty() {
            continue;
        }
        let values: Vec<String> = distinct(values.iter().map(|v| clean_owned(v)));
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (seq, {column}) SELECT $1, unnest($2::text[])"
        )))
        .bind(seq)
        .bind(values)
        .execute(&mut **tx)
        .await?;
    }

    if !pm.timeline.is_empty() {
        let t = &pm.timeline;
        sqlx::query(
            "INSERT INTO timeline_events (seq, position, at, kind, source, source_ref, milestone, text)
             SELECT $1, position - 1, at, kind, source, source_ref, milestone, text
             FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::text[]) WITH ORDINALITY
                 AS e(at, kind, source, source_ref, milestone, text, position)",
        )
        .bind(seq)
        .bind(t.iter().map(|e| e.at).collect::<Vec<_>>())
        .bind(t.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>())
        .bind(t.iter().map(|e| clean_owned(&e.source)).collect::<Vec<_>>())
        .bind(t.iter().map(|e| clean_opt(e.source_ref.as_ref())).collect::<Vec<_>>())
        .bind(t.iter().map(|e| e.milestone.map(|m| m.as_str())).collect::<Vec<_>>())
        .bind(t.iter().map(|e| clean_owned(&e.text)).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }

    let factors = &pm.analysis.factors;
    if !factors.is_empty() {
        sqlx::query(
            "INSERT INTO contributing_factors (seq, factor_id, category, grp, text)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
        )
        .bind(seq)
        .bind(factor_ids)
        .bind(
            factors
                .iter()
                .map(|f| f.category.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(factors.iter().map(|f| f.group.as_str()).collect::<Vec<_>>())
        .bind(
            factors
                .iter()
                .map(|f| clean_owned(&f.text))
                .collect::<Vec<_>>(),
        )
        .execute(&mut **tx)
        .await?;
    }

    let actions = &pm.actions;
    if !actions.is_empty() {
        let items = actions
            .iter()
            .map(|a| to_json(&pm.id, a))
            .collect::<Result<Vec<_>>>()?;
        sqlx::query(
            "INSERT INTO action_items (seq, action_id, position, title, type, priority, owner,
                due, status, factor_id, item)
             SELECT $1, action_id, position - 1, title, type, priority, owner, due, status,
                 factor_id, item
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::date[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY
                 AS a(action_id, title, type, priority, owner, due, status, factor_id, item,
                     position)",
        )
        .bind(seq)
        .bind(action_ids)
        .bind(
            actions
                .iter()
                .map(|a| clean_owned(&a.title))
                .collect::<Vec<_>>(),
        )
        .bind(
            actions
                .iter()
                .map(|a| a.action_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            actions
                .iter()
                .map(|a| a.priority.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            actions
                .iter()
                .map(|a| clean_opt(a.owner.as_ref()))
                .collect::<Vec<_>>(),
        )
        .bind(actions.iter().map(|a| a.due).collect::<Vec<_>>())
        .bind(
            actions
                .iter()
                .map(|a| a.status.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            actions
                .iter()
                .map(|a| clean_opt(a.factor.as_ref()))
                .collect::<Vec<_>>(),
        )
        .bind(items)
        .execute(&mut **tx)
        .await?;
    }

    let text = SearchText::of(pm);
    sqlx::query(
        "INSERT INTO postmortem_search (seq, tokens, title, summary, analysis, timeline, actions)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(seq)
    .bind(i32::try_from(text.length()).unwrap_or(i32::MAX))
    .bind(clean_owned(&text.title))
    .bind(clean_owned(&text.summary))
    .bind(clean_owned(&text.analysis))
    .bind(clean_owned(&text.timeline))
    .bind(clean_owned(&text.actions))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Appends audit entries as given, in order, with one statement per thousand.
pub(super) async fn append_audit(tx: &mut Tx, entries: &[AuditEntry]) -> Result<()> {
    for chunk in entries.chunks(1000) {
        let changes = chunk
            .iter()
            .map(|e| to_json(&e.postmortem_id, &e.changes))
            .collect::<Result<Vec<_>>>()?;
        sqlx::query(
            "INSERT INTO audit_log (postmortem_id, at, actor, action, changes)
             SELECT postmortem_id, at, actor, action, changes
             FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])
                 WITH ORDINALITY AS e(postmortem_id, at, actor, action, changes, n)
             ORDER BY n",
        )
        .bind(chunk.iter().map(|e| e.postmortem_id).collect::<Vec<Uuid>>())
        .bind(chunk.iter().map(|e| e.at).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|e| clean_owned(&e.actor))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|e| clean_owned(&e.action))
                .collect::<Vec<_>>(),
        )
        .bind(changes)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
