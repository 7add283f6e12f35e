//! What the store takes and gives besides whole postmortems.

use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::access::Reader;
use hindsight_core::{
    ActionItem, ActionStatus, AuditEntry, Kind, Milestone, Postmortem, Severity, Status, Visibility,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Narrows lists and searches. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub service: Option<String>,
    pub severity: Option<Severity>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub tag: Option<String>,
    pub owner: Option<String>,
    /// Only postmortems whose milestone falls in the window.
    pub window: Option<Window>,
    pub limit: Option<u32>,
    /// The order of lists (searches are ordered by rank).
    pub sort: Sort,
    /// Keyset paging: only rows after this postmortem in `sort` order.
    pub after: Option<Uuid>,
    /// Only what this reader may see ([`Reader::can_read`]); `None` is every
    /// postmortem (operators on the command line).
    pub reader: Option<Reader>,
}

/// A stored postmortem's id and version ([`crate::Store::stamps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub id: Uuid,
    pub version: i64,
}

impl Filter {
    /// Whether `pm` is one the filter selects (paging, limit and order aside):
    /// the rule the SQL of both backends applies (`sql::push_filter`), for
    /// postmortems already in memory. The store tests hold the two equal.
    pub fn matches(&self, pm: &Postmortem) -> bool {
        let same = |want: Option<&str>, have: Option<&str>| want.is_none_or(|w| have == Some(w));
        let has = |want: &Option<String>, values: &[String]| {
            want.as_ref().is_none_or(|w| values.contains(w))
        };
        same(
            self.severity.map(|s| s.as_str()),
            pm.severity.map(|s| s.as_str()),
        ) && same(self.kind.map(|k| k.as_str()), Some(pm.kind.as_str()))
            && same(self.status.map(|s| s.as_str()), Some(pm.status.as_str()))
            && same(self.owner.as_deref(), pm.owner.as_deref())
            && has(&self.service, &pm.services)
            && has(&self.tag, &pm.tags)
            && self.reader.as_ref().is_none_or(|r| r.can_read(pm))
            && self.window.is_none_or(|w| {
                pm.milestones.get(w.milestone).is_some_and(|at| {
                    w.from.is_none_or(|from| at >= from) && w.to.is_none_or(|to| at < to)
                })
            })
    }
}

/// What a list can be ordered by. Ties are broken by storage order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortField {
    /// The incident's start (its creation when no start is known).
    #[default]
    Started,
    Updated,
    /// `PM-9` before `PM-10`.
    Key,
    /// SEV1 first; unknown severities last.
    Severity,
    /// Case-insensitive.
    Title,
}

/// A list order: a field, ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest incident first.
    fn default() -> Self {
        Sort {
            field: SortField::Started,
            descending: true,
        }
    }
}

/// A time window on one milestone, each end optional (`from` inclusive, `to` exclusive).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub milestone: Milestone,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One row of a postmortem list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub kind: Kind,
    pub severity: Option<Severity>,
    pub status: Status,
    pub visibility: Visibility,
    pub owner: Option<String>,
    pub services: Vec<String>,
    pub started: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub open_actions: u32,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub postmortem: Summary,
    /// Higher is better; only comparable within one search.
    pub score: f64,
    /// The best-matching passage, split into plain and matched parts.
    pub snippet: Vec<SnippetPart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnippetPart {
    pub text: String,
    pub matched: bool,
}

/// Narrows action-item lists. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub owner: Option<String>,
    pub service: Option<String>,
    pub status: Option<ActionStatus>,
    /// Only unfinished items due before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only the items of this postmortem (id or key).
    pub postmortem: Option<String>,
    /// Only items of postmortems this reader may see; `None` is all.
    pub reader: Option<Reader>,
}

/// Narrows the audit log across postmortems (the admin's view). Empty fields
/// do not filter; entries come newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub postmortem: Option<Uuid>,
    /// An account name (its sessions and its tokens) or a recorded actor.
    pub actor: Option<String>,
    /// `create`, `update`, `transition`, `import`, `review-request`, `review`, `delete`.
    pub action: Option<String>,
    /// Entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub to: Option<DateTime<Utc>>,
    /// Only entries older than this entry number (the previous page's last).
    pub before: Option<i64>,
    pub limit: u32,
}

/// An audit entry with its place in the log (for paging).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// Increases with every entry written.
    pub entry: i64,
    #[serde(flatten)]
    pub audit: AuditEntry,
}

/// An action item with the postmortem it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRow {
    pub postmortem_id: Uuid,
    pub postmortem_key: String,
    pub postmortem_title: String,
    pub item: ActionItem,
}

/// The connection pool of a store, for the server's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PoolStats {
    /// Connections open now (idle ones included).
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// The database behind a store and the schema migrations applied to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Applied migrations, oldest first.
    pub migrations: Vec<Migration>,
    /// How many migrations this build knows; more than applied means the
    /// database was migrated by an older build (never the case after `open`).
    pub known: usize,
}

/// One applied schema migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    pub version: i64,
    pub description: String,
}

/// What kind of change an update is, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Update,
    Transition,
    Import,
    /// Reviewers asked (and, from a draft, the move to in-review).
    ReviewRequest,
    /// A reviewer's verdict or comment.
    Review,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Update => "update",
            AuditAction::Transition => "transition",
            AuditAction::Import => "import",
            AuditAction::ReviewRequest => "review-request",
            AuditAction::Review => "review",
        }
    }
}
