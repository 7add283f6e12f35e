//! The SQL both backends build the same way: list and search filters, limits,
//! action-item queries and lookups by id or key. Both schemas use the same table
//! and column names; what differs is how a time, a day or an id is bound, which
//! each backend says by implementing [`Dialect`].

use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::Postmortem;
use hindsight_core::access::{Reader, readers_of};
use hindsight_core::vocab::{Role, Visibility};
use sqlx::{Database, Encode, QueryBuilder, Type};
use uuid::Uuid;

use crate::Result;
use crate::types::{ActionFilter, AuditQuery, Filter, SortField};

/// Most ids bound in one `IN (...)` list (far below either backend's limit).
pub(crate) const IDS_PER_QUERY: usize = 1000;

/// How one backend encodes the values the shared queries bind.
pub(crate) trait Dialect: Database {
    type Time: for<'q> Encode<'q, Self> + Type<Self>;
    type Day: for<'q> Encode<'q, Self> + Type<Self>;
    type Id: for<'q> Encode<'q, Self> + Type<Self>;

    fn time(at: DateTime<Utc>) -> Self::Time;
    fn day(day: NaiveDate) -> Self::Day;
    fn id(id: Uuid) -> Self::Id;

    /// The time in `column` of `row`, if not NULL.
    fn read_time(row: &Self::Row, column: &str) -> Result<Option<DateTime<Utc>>>;
    /// The id in `column` of `row`.
    fn read_id(row: &Self::Row, column: &str) -> Result<Uuid>;

    /// Pushes a condition true for the postmortem `p` named by `handle`: its id,
    /// or its key in any letter case.
    fn push_handle(q: &mut QueryBuilder<Self>, handle: &str);
}

/// The schema migrations sqlx recorded as applied, oldest first (same table on
/// both backends).
pub(crate) const MIGRATIONS_APPLIED: &str =
    "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version";

/// The store's revision counter (moved by triggers on `postmortems`).
pub(crate) const REVISION: &str = "SELECT n FROM store_revision WHERE id = 1";

/// The child tables holding a postmortem's projection, keyed by `seq`.
pub(crate) const PROJECTION_TABLES: &[&str] = &[
    "postmortem_services",
    "postmortem_tags",
    "postmortem_access",
    "timeline_events",
    "contributing_factors",
    "action_items",
];

/// The expressions a list is ordered by, on the postmortems table `t`, ending
/// with `seq` so that the order is total. None is ever NULL, so rows compare.
fn sort_keys(field: SortField, t: &str) -> Vec<String> {
    let mut keys = match field {
        SortField::Started => vec![format!("coalesce({t}.started_at, {t}.created_at)")],
        SortField::Updated => vec![format!("{t}.updated_at")],
        SortField::Key => vec![format!("length({t}.key)"), format!("upper({t}.key)")],
        SortField::Severity => vec![format!("coalesce({t}.severity, 'SEV9')")],
        SortField::Title => vec![format!("lower({t}.title)")],
    };
    keys.push(format!("{t}.seq"));
    keys
}

/// `SELECT {columns} FROM postmortems p`, narrowed by `filter`, in its order,
/// after the row `filter.after` (keyset paging: compares row values, so pages
/// neither skip nor repeat rows when others are added in between).
pub(crate) fn list_query<DB: Dialect>(columns: &str, filter: &Filter) -> QueryBuilder<DB>
where
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(format!("SELECT {columns} FROM postmortems p WHERE 1 = 1"));
    push_filter(&mut q, filter);
    let (direction, beyond) = if filter.sort.descending {
        ("DESC", "<")
    } else {
        ("ASC", ">")
    };
    if let Some(after) = filter.after {
        q.push(format!(
            " AND ({}) {beyond} (SELECT {} FROM postmortems q WHERE q.id = ",
            sort_keys(filter.sort.field, "p").join(", "),
            sort_keys(filter.sort.field, "q").join(", ")
        ))
        .push_bind(DB::id(after))
        .push(")");
    }
    let order: Vec<String> = sort_keys(filter.sort.field, "p")
        .into_iter()
        .map(|key| format!("{key} {direction}"))
        .collect();
    q.push(format!(" ORDER BY {}", order.join(", ")));
    push_limit(&mut q, filter.limit);
    q
}

/// Every postmortem's id and version in list order, all in one row:
/// `SELECT {aggregate} FROM (...) s`, where `aggregate` folds the columns `id`
/// and `version` of `s` (one row instead of one per postmortem: decoding
/// 100,000 rows costs more than the query).
pub(crate) fn stamps_query(aggregate: &str) -> String {
    let order: Vec<String> = sort_keys(SortField::Started, "p")
        .into_iter()
        .map(|key| format!("{key} DESC"))
        .collect();
    format!(
        "SELECT {aggregate} FROM (SELECT p.id, p.version FROM postmortems p ORDER BY {}) s",
        order.join(", ")
    )
}

/// The postmortems with these ids that are still stored ([`Store::load_ids`]),
/// read `IDS_PER_QUERY` at a time and decoded by the backend's `decode`.
///
/// [`Store::load_ids`]: crate::Store::load_ids
pub(crate) async fn load_ids<DB: Dialect>(
    pool: &sqlx::Pool<DB>,
    ids: &[Uuid],
    decode: fn(&DB::Row) -> Result<Postmortem>,
) -> Result<Vec<Postmortem>>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut q =
            QueryBuilder::<DB>::new("SELECT p.id, p.doc FROM postmortems p WHERE p.id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(DB::id(*id));
        }
        q.push(")");
        for row in q.build().fetch_all(pool).await? {
            out.push(decode(&row)?);
        }
    }
    Ok(out)
}

/// Appends ` AND ...` conditions on the postmortem `p` for every set field.
pub(crate) fn push_filter<DB: Dialect>(q: &mut QueryBuilder<DB>, f: &Filter)
where
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
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
    push_reader(q, f.reader.as_ref());
    if let Some(w) = f.window {
        let column = format!("p.{}_at", w.milestone.as_str());
        if let Some(from) = w.from {
            q.push(format!(" AND {column} >= "))
                .push_bind(DB::time(from));
        }
        if let Some(to) = w.to {
            q.push(format!(" AND {column} < ")).push_bind(DB::time(to));
        }
        if w.from.is_none() && w.to.is_none() {
            q.push(format!(" AND {column} IS NOT NULL"));
        }
    }
}

/// Appends ` AND` the access rule of [`Reader::can_read`] for the postmortem
/// `p`: it is not restricted, or the reader is an admin, or one of the
/// reader's principals is in its `postmortem_access` rows (which hold
/// `readers_of(p)`). No reader, no condition.
pub(crate) fn push_reader<DB: Database>(q: &mut QueryBuilder<DB>, reader: Option<&Reader>)
where
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    let Some(reader) = reader.filter(|r| r.role != Role::Admin) else {
        return;
    };
    q.push(" AND (p.visibility <> ")
        .push_bind(Visibility::Restricted.as_str().to_string())
        .push(" OR EXISTS (SELECT 1 FROM postmortem_access x WHERE x.seq = p.seq AND x.principal IN (");
    let mut principals = q.separated(", ");
    for principal in reader.principals() {
        principals.push_bind(principal.to_string());
    }
    q.push(")))");
}

/// `SELECT count(*) FROM postmortems p`, narrowed by `filter` (its limit ignored).
pub(crate) fn count_query<DB: Dialect>(filter: &Filter) -> QueryBuilder<DB>
where
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new("SELECT count(*) FROM postmortems p WHERE 1 = 1");
    push_filter(&mut q, filter);
    q
}

pub(crate) fn push_limit<DB: Database>(q: &mut QueryBuilder<DB>, limit: Option<u32>)
where
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    if let Some(limit) = limit {
        q.push(" LIMIT ").push_bind(i64::from(limit));
    }
}

/// Action items with their postmortem's id, key and title, most urgent first:
/// columns `id`, `key`, `title` and `item` (the item as JSON).
pub(crate) fn actions_query<DB: Dialect>(filter: &ActionFilter) -> QueryBuilder<DB>
where
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(
        "SELECT p.id, p.key, p.title, a.item FROM action_items a
         JOIN postmortems p ON p.seq = a.seq WHERE 1 = 1",
    );
    if let Some(owner) = &filter.owner {
        q.push(" AND a.owner = ").push_bind(owner.clone());
    }
    if let Some(service) = &filter.service {
        q.push(
            " AND EXISTS (SELECT 1 FROM postmortem_services s WHERE s.seq = p.seq AND s.service = ",
        )
        .push_bind(service.clone())
        .push(")");
    }
    if let Some(status) = filter.status {
        q.push(" AND a.status = ")
            .push_bind(status.as_str().to_string());
    }
    if let Some(day) = filter.overdue_on {
        q.push(" AND a.status IN ('open', 'in-progress') AND a.due < ")
            .push_bind(DB::day(day));
    }
    if let Some(handle) = &filter.postmortem {
        q.push(" AND ");
        DB::push_handle(&mut q, handle);
    }
    push_reader(&mut q, filter.reader.as_ref());
    q.push(" ORDER BY a.due IS NULL, a.due, p.seq, a.position");
    q
}

/// The audit log across postmortems, newest first: columns `entry`,
/// `postmortem_id`, `at`, `actor`, `action`, `changes`.
pub(crate) fn audit_query<DB: Dialect>(query: &AuditQuery) -> QueryBuilder<DB>
where
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(
        "SELECT entry, postmortem_id, at, actor, action, changes FROM audit_log WHERE 1 = 1",
    );
    if let Some(id) = query.postmortem {
        q.push(" AND postmortem_id = ").push_bind(DB::id(id));
    }
    if let Some(actor) = &query.actor {
        // An account acts as itself (sessions) or as `name (token PREFIX)`.
        let escaped = actor
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND (actor = ")
            .push_bind(actor.clone())
            .push(" OR actor LIKE ")
            .push_bind(format!("{escaped} (token %"))
            .push(" ESCAPE '\\')");
    }
    if let Some(action) = &query.action {
        q.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(from) = query.from {
        q.push(" AND at >= ").push_bind(DB::time(from));
    }
    if let Some(to) = query.to {
        q.push(" AND at < ").push_bind(DB::time(to));
    }
    if let Some(before) = query.before {
        q.push(" AND entry < ").push_bind(before);
    }
    q.push(" ORDER BY entry DESC LIMIT ")
        .push_bind(i64::from(query.limit));
    q
}

/// What `postmortem_access` holds for `pm`: every principal it is shared with
/// ([`readers_of`]), kept for every postmortem so a change of visibility needs
/// no rewrite of the rows.
pub(crate) fn readers(pm: &Postmortem) -> Vec<String> {
    readers_of(pm).map(str::to_string).collect()
}

/// `values` without repeats, in order: what a set-valued child table holds.
pub(crate) fn distinct<T: Ord>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut distinct: Vec<T> = values.into_iter().collect();
    distinct.sort();
    distinct.dedup();
    distinct
}
