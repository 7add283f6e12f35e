//! Hindsight's persistence.
//!
//! The rest of the code talks to the [`Store`] trait only. [`open`] picks the
//! backend, SQLite or PostgreSQL, from a database URL or path, once. Every
//! backend passes the same test suite (`tests/store.rs`).

mod account_sql;
mod account_store;
mod accounts;
mod codec;
mod deliveries;
mod dump;
mod error;
mod postgres;
pub mod scratch;
mod search_text;
mod snippet;
mod sql;
mod sqlite;
mod types;

use async_trait::async_trait;
use hindsight_core::{AuditEntry, Postmortem};

pub use accounts::{AccountEvent, Accounts, ApiToken, EventPlace, LoggedEvent, Session, User};
pub use deliveries::{
    Deliveries, Delivery, DeliveryStatus, NewDelivery, Outcome, Recorded, StoredEvent, Trigger,
    Triggered, strip_secrets,
};
pub use dump::{Copied, Dump, TokenRecord, UserRecord, copy};
pub use error::StoreError;
pub use postgres::PgStore;
pub use search_text::{SearchText, fts_query, ts_terms};
pub use sqlite::SqliteStore;
pub use types::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where postmortems (and, through [`Accounts`], accounts) live. Every method
/// that changes data runs in one transaction and writes an audit entry in it.
#[async_trait]
pub trait Store: Accounts + Deliveries + Send + Sync {
    /// Saves a new postmortem. Gives it the next `PM-n` key unless it has one,
    /// and version 1 unless it carries a version (an import of an exported file).
    async fn create(&self, pm: &Postmortem, actor: &str) -> Result<Postmortem>;

    /// Loads a postmortem by id or key.
    async fn get(&self, handle: &str) -> Result<Option<Postmortem>>;

    /// Saves a changed postmortem. `pm.version` must be the stored version,
    /// else [`StoreError::Conflict`]; the saved copy has the next version.
    async fn update(&self, pm: &Postmortem, actor: &str, action: AuditAction)
    -> Result<Postmortem>;

    /// Deletes a postmortem at the given version; its audit history stays.
    async fn delete(&self, handle: &str, version: i64, actor: &str) -> Result<()>;

    /// Postmortems matching the filter, newest incident first.
    async fn list(&self, filter: &Filter) -> Result<Vec<Summary>>;

    /// Every postmortem matching the filter, whole, newest incident first.
    async fn load_all(&self, filter: &Filter) -> Result<Vec<Postmortem>>;

    /// A number that changes with every change to any postmortem (created,
    /// updated, deleted, restored; moved by the database itself): when it is
    /// unchanged, so is every postmortem.
    async fn revision(&self) -> Result<i64>;

    /// Every stored postmortem's id and version, newest incident first: what
    /// a cache of whole postmortems reads to learn what changed.
    async fn stamps(&self) -> Result<Vec<Stamp>>;

    /// The postmortems with these ids that are still stored, whole, in no
    /// particular order.
    async fn load_ids(&self, ids: &[uuid::Uuid]) -> Result<Vec<Postmortem>>;

    /// Full-text search, best match first, with a snippet of the best column.
    async fn search(&self, query: &str, filter: &Filter) -> Result<Vec<SearchHit>>;

    /// Action items across postmortems, most urgent first (earliest due date).
    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionRow>>;

    /// The audit history of one postmortem, oldest first (also after deletion).
    async fn audit(&self, id: uuid::Uuid) -> Result<Vec<AuditEntry>>;
    /// The audit log across postmortems, newest first (the admin's view; it
    /// includes deleted postmortems' entries).
    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>>;

    /// How many postmortems are stored.
    async fn count(&self) -> Result<u64> {
        self.count_matching(&Filter::default()).await
    }

    /// How many postmortems match the filter (its limit ignored): the total
    /// behind a page of [`Store::list`], counting only what its reader may see.
    async fn count_matching(&self, filter: &Filter) -> Result<u64>;

    /// The backend and its applied schema migrations.
    async fn schema(&self) -> Result<Schema>;
    /// The connection pool's state now.
    fn pool_stats(&self) -> PoolStats;

    /// Everything stored, read in one snapshot: every postmortem in the order
    /// it was first stored, and the whole audit log, oldest first.
    async fn dump(&self) -> Result<Dump>;

    /// Writes a dump back exactly as given, in one transaction: each postmortem
    /// with its key, version and times (no new key, no audit entry of its own),
    /// then the audit entries in their order. Nothing is written if any id or key
    /// is already stored ([`StoreError::Duplicate`]) or a postmortem has no key.
    /// [`copy`] uses it to move a whole store; restoring into a store that is not
    /// empty appends the dump's audit entries to its log.
    async fn restore(&self, dump: &Dump) -> Result<()>;
}

/// Opens the store named by `target`: a `postgres://` or `postgresql://` URL, a
/// `sqlite:` URL or a file path. A SQLite file is created when needed; a
/// PostgreSQL database must exist. Either is migrated when needed.
pub async fn open(target: &str) -> Result<Box<dyn Store>> {
    if target.starts_with("postgres://") || target.starts_with("postgresql://") {
        return Ok(Box::new(PgStore::open(target).await?));
    }
    let path = target
        .strip_prefix("sqlite://")
        .or_else(|| target.strip_prefix("sqlite:"));
    match path {
        Some(path) => Ok(Box::new(SqliteStore::open(path).await?)),
        None if target.contains("://") => Err(StoreError::Invalid(format!(
            "unsupported database URL `{target}`: use a file path, a sqlite: URL or a postgres:// URL"
        ))),
        None => Ok(Box::new(SqliteStore::open(target).await?)),
    }
}
