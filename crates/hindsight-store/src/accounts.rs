//! Accounts, sessions and API tokens: the interface the server authenticates
//! and authorises with. Secrets never reach the store: it keeps password hashes
//! (argon2id PHC strings, made by the caller) and SHA-256 hashes of session ids
//! and token secrets, and finds sessions and tokens by those hashes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hindsight_core::access::Reader;
use hindsight_core::vocab::{Role, TokenScope};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Result;

/// An account. `name` is its login and the name postmortems use for owners,
/// authors, reviewers and `restricted_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    /// Groups, for `restricted_to` (one namespace with user names).
    pub groups: Vec<String>,
    /// A disabled account cannot log in and its sessions and tokens stop working.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The account as a reader of postmortems.
    pub fn reader(&self) -> Reader {
        Reader {
            name: self.name.clone(),
            role: self.role,
            groups: self.groups.clone(),
        }
    }
}

/// A login session; the cookie holds a secret whose SHA-256 is `id_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id_hash: String,
    pub user: String,
    /// The CSRF token of this session (sent back in a header on mutations).
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An API token's record. The secret is shown once at creation; `prefix` (its
/// first characters) lets people tell their tokens apart in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: Uuid,
    pub user: String,
    pub name: String,
    pub scope: TokenScope,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// The record of a token just made for `user`: a new id, never used,
    /// not revoked. `prefix` is the secret's first characters.
    pub fn issued(
        user: &str,
        name: &str,
        scope: TokenScope,
        prefix: &str,
        created_at: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
    ) -> ApiToken {
        ApiToken {
            id: Uuid::new_v4(),
            user: user.to_string(),
            name: name.to_string(),
            scope,
            prefix: prefix.to_string(),
            created_at,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        }
    }
}

/// An account change, for the account audit log (who did what to which account
/// or token, when). Postmortem changes have their own log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `user-create`, `user-update`, `password-set`, `token-create`,
    /// `token-revoke`, `login`, `login-failed`, `logout`.
    pub action: String,
    /// The user name or token id the event is about.
    pub subject: String,
    /// Changed fields or details (never a secret or a hash).
    pub detail: serde_json::Value,
}

/// Accounts in the store. Every method that changes something runs in one
/// transaction and, except for sessions and token use, appends an
/// [`AccountEvent`] in it.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Adds an account, with a password hash or none (token-only accounts).
    /// A name already taken (case-insensitively) is [`crate::StoreError::Duplicate`].
    async fn create_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        actor: &str,
    ) -> Result<User>;
    /// An account by name (case-insensitive).
    async fn user(&self, name: &str) -> Result<Option<User>>;
    /// Every account, by name.
    async fn users(&self) -> Result<Vec<User>>;
    /// Saves the display name, role, groups and disabled flag of an existing account.
    async fn update_user(&self, user: &User, actor: &str) -> Result<User>;
    /// Replaces the password hash of an existing account.
    async fn set_password(&self, name: &str, password_hash: &str, actor: &str) -> Result<()>;
    /// The stored password hash of an account, if it has one.
    async fn password_hash(&self, name: &str) -> Result<Option<String>>;

    async fn create_session(&self, session: &Session) -> Result<()>;
    /// A session that has not expired at `now`, with its enabled account.
    async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<(Session, User)>>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Removes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64>;

    /// Stores a new token by the SHA-256 of its secret.
    async fn create_token(&self, token: &ApiToken, secret_hash: &str, actor: &str) -> Result<()>;
    /// A token that is neither revoked nor expired at `now`, with its enabled
    /// account; records `now` as its last use, unless it was recorded less than
    /// a minute before (so busy API clients do not write on every request).
    async fn use_token(
        &self,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(ApiToken, User)>>;
    /// Tokens of one account, or of all; newest first; revoked ones included.
    async fn tokens(&self, user: Option<&str>) -> Result<Vec<ApiToken>>;
    /// Revokes a token; false if there is no such token or it was already revoked.
    async fn revoke_token(&self, id: Uuid, now: DateTime<Utc>, actor: &str) -> Result<bool>;

    /// Appends an event that is not a change of stored data (login, logout,
    /// failed login).
    async fn record_account_event(&self, event: &AccountEvent) -> Result<()>;
    /// The account audit log, newest first, at most `limit` events after
    /// `after` in that order (for paging).
    async fn account_events(
        &self,
        after: Option<EventPlace>,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>>;
}

/// Where an event stands in the account log: its time, and its entry number
/// for events of the same microsecond (a page boundary between two of them
/// neither skips nor repeats one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPlace {
    pub at: DateTime<Utc>,
    pub entry: i64,
}

/// An account event and its place in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    pub place: EventPlace,
    pub event: AccountEvent,
}
