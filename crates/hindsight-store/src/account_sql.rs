//! What both backends share to store accounts: the rules (names, groups, time
//! precision), the events every change appends, the statements and the row
//! decoding. Statements use `$n` placeholders, which SQLite accepts too; each
//! backend only runs them in its own transactions.

use std::marker::PhantomData;

use chrono::{DateTime, SubsecRound, Utc};
use hindsight_core::vocab::{Role, TokenScope};
use serde_json::{Value, json};
use sqlx::{ColumnIndex, Database, Decode, Encode, Type};
use uuid::Uuid;

use crate::accounts::{AccountEvent, ApiToken, EventPlace, LoggedEvent, Session, User};
use crate::codec::corrupt;
use crate::sql::{Dialect, distinct};
use crate::{Result, StoreError};

/// The key an account name is unique under (and referred to by): lowercase,
/// with Unicode rules, computed here so both backends agree.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// The longest account or group name accepted.
const MAX_NAME: usize = 64;

/// Account and group names are logins and `restricted_to` entries: no spaces,
/// no control characters, not empty, at most [`MAX_NAME`] characters.
fn check_name(what: &str, name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.chars().count() > MAX_NAME
        || name.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad {
        return Err(StoreError::Invalid(format!(
            "{what} name `{}` is not valid: use 1 to {MAX_NAME} characters without spaces",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// Times are kept to the microsecond on both backends.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// The account as it will read back: names checked, groups distinct and
/// sorted, the creation time to the microsecond.
pub(crate) fn stored_user(user: &User) -> Result<User> {
    check_name("user", &user.name)?;
    for group in &user.groups {
        check_name("group", group)?;
    }
    Ok(User {
        groups: distinct(user.groups.iter().cloned()),
        created_at: micros(user.created_at),
        ..user.clone()
    })
}

/// The token as it will read back (times to the microsecond).
pub(crate) fn stored_token(token: &ApiToken) -> ApiToken {
    ApiToken {
        created_at: micros(token.created_at),
        expires_at: token.expires_at.map(micros),
        last_used_at: token.last_used_at.map(micros),
        revoked_at: token.revoked_at.map(micros),
        ..token.clone()
    }
}

fn event(actor: &str, action: &str, subject: &str, detail: Value) -> AccountEvent {
    AccountEvent {
        at: micros(Utc::now()),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail,
    }
}

pub(crate) fn user_created(user: &User, has_password: bool, actor: &str) -> AccountEvent {
    let detail = json!({
        "display_name": user.display_name,
        "role": user.role,
        "groups": user.groups,
        "disabled": user.disabled,
        "password": has_password,
    });
    event(actor, "user-create", &user.name, detail)
}

/// The fields that changed, each as `{"from": .., "to": ..}`.
pub(crate) fn user_updated(before: &User, after: &User, actor: &str) -> AccountEvent {
    let mut changes = serde_json::Map::new();
    let mut compare = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.insert(field.to_string(), json!({ "from": from, "to": to }));
        }
    };
    compare(
        "display_name",
        json!(before.display_name),
        json!(after.display_name),
    );
    compare("role", json!(before.role), json!(after.role));
    compare("groups", json!(before.groups), json!(after.groups));
    compare("disabled", json!(before.disabled), json!(after.disabled));
    event(actor, "user-update", &after.name, Value::Object(changes))
}

pub(crate) fn password_set(name: &str, actor: &str) -> AccountEvent {
    event(actor, "password-set", name, json!({}))
}

pub(crate) fn token_created(token: &ApiToken, actor: &str) -> AccountEvent {
    let detail = json!({
        "user": token.user,
        "name": token.name,
        "scope": token.scope,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
    });
    event(actor, "token-create", &token.id.to_string(), detail)
}

pub(crate) fn token_revoked(id: Uuid, user: &str, actor: &str) -> AccountEvent {
    event(
        actor,
        "token-revoke",
        &id.to_string(),
        json!({ "user": user }),
    )
}

pub(crate) fn no_user(name: &str) -> StoreError {
    StoreError::NoAccount(format!("no user `{name}`"))
}

/// A unique violation is `what` already stored; a foreign key violation names
/// an account `user` that does not exist.
pub(crate) fn write_error(err: sqlx::Error, what: &str, user: &str) -> StoreError {
    match err.as_database_error() {
        Some(e) if e.is_unique_violation() => {
            StoreError::Duplicate(format!("{what} already exists"))
        }
        Some(e) if e.is_foreign_key_violation() => no_user(user),
        _ => StoreError::Database(err),
    }
}

pub(crate) fn duplicate_user(err: sqlx::Error, name: &str) -> StoreError {
    let what = format!("a user named `{name}` (names are case-insensitive)");
    write_error(err, &what, name)
}

pub(crate) fn duplicate_token(err: sqlx::Error, token: &ApiToken) -> StoreError {
    write_error(
        err,
        &format!("token {} or its secret", token.id),
        &token.user,
    )
}

pub(crate) const SELECT_USER: &str =
    "SELECT name, display_name, role, disabled, created_at FROM users WHERE name_key = $1";

/// Every account with its key and password hash.
pub(crate) const SELECT_USERS: &str = "SELECT name_key, name, display_name, role, disabled,
    created_at, password_hash FROM users ORDER BY name_key";

pub(crate) const SELECT_GROUPS: &str = "SELECT grp FROM user_groups WHERE name_key = $1";

/// Every membership, with the member's key.
pub(crate) const SELECT_ALL_GROUPS: &str = "SELECT name_key, grp FROM user_groups";

pub(crate) const DELETE_GROUPS: &str = "DELETE FROM user_groups WHERE name_key = $1";

pub(crate) const SELECT_PASSWORD: &str = "SELECT password_hash FROM users WHERE name_key = $1";

/// A session that is live at `$2`, with its enabled account.
pub(crate) const SELECT_SESSION: &str = "SELECT s.id_hash, s.csrf_token,
        s.created_at AS session_created_at, s.expires_at, u.name, u.display_name, u.role,
        u.disabled, u.created_at, u.name_key
    FROM sessions s JOIN users u ON u.name_key = s.name_key
    WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled";

pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";

pub(crate) const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";

const TOKEN_COLUMNS: &str = "t.id, u.name AS token_user, t.name AS token_name, t.scope,
    t.prefix, t.created_at AS token_created_at, t.expires_at, t.last_used_at, t.revoked_at";

/// How often a token's last use is written: uses closer together than this
/// are not recorded again.
pub(crate) const TOKEN_USE_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// Records use at `$2` of the token with secret hash `$1`, if it is usable then.
pub(crate) const TOUCH_TOKEN: &str = "UPDATE api_tokens SET last_used_at = $2
    WHERE secret_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
        AND name_key IN (SELECT name_key FROM users WHERE NOT disabled)";

/// Tokens, newest first: of the account `$1` when `one_user`, else of all.
fn select_tokens(one_user: bool) -> String {
    let only = if one_user {
        "WHERE t.name_key = $1"
    } else {
        ""
    };
    format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.name_key = t.name_key
         {only} ORDER BY t.created_at DESC, t.seq DESC"
    )
}

/// Revokes the token `$1` at `$2` unless it already is; returns its account's name.
const REVOKE_TOKEN: &str = "UPDATE api_tokens SET revoked_at = $2
    WHERE id = $1 AND revoked_at IS NULL
    RETURNING (SELECT u.name FROM users u WHERE u.name_key = api_tokens.name_key)";

const EVENT_COLUMNS: &str = "at, actor, action, subject, detail";

/// The newest `$1` events (or before `$2` when `before`).
fn select_events(after: bool) -> String {
    let only = if after {
        "WHERE at < $2 OR (at = $2 AND entry < $3)"
    } else {
        ""
    };
    format!(
        "SELECT entry, {EVENT_COLUMNS} FROM account_events {only}
         ORDER BY at DESC, entry DESC LIMIT $1"
    )
}

type Query<DB> = sqlx::query::Query<'static, DB, <DB as Database>::Arguments>;

/// The statements that write accounts and the decoding of their rows, for a
/// backend `DB`; the bounds say which values a backend binds and reads.
pub(crate) struct AccountSql<DB>(PhantomData<DB>);

impl<DB: Dialect> AccountSql<DB>
where
    String: for<'q> Encode<'q, DB> + Type<DB> + for<'r> Decode<'r, DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB> + for<'r> Decode<'r, DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB> + for<'r> Decode<'r, DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB> + for<'r> Decode<'r, DB>,
    Option<DB::Time>: for<'q> Encode<'q, DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    fn query(sql: &'static str) -> Query<DB> {
        sqlx::query::<DB>(sql)
    }

    fn owned(sql: String) -> Query<DB> {
        sqlx::query::<DB>(sqlx::AssertSqlSafe(sql))
    }

    pub(crate) fn text(sql: &'static str, value: &str) -> Query<DB> {
        Self::query(sql).bind(value.to_string())
    }

    pub(crate) fn text_at(sql: &'static str, value: &str, at: DateTime<Utc>) -> Query<DB> {
        Self::text(sql, value).bind(DB::time(at))
    }

    pub(crate) fn at(sql: &'static str, at: DateTime<Utc>) -> Query<DB> {
        Self::query(sql).bind(DB::time(at))
    }

    pub(crate) fn insert_user(user: &User, password_hash: Option<&str>) -> Query<DB> {
        Self::query(
            "INSERT INTO users (name_key, name, display_name, role, disabled, password_hash,
                created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(name_key(&user.name))
        .bind(user.name.clone())
        .bind(user.display_name.clone())
        .bind(user.role.as_str().to_string())
        .bind(user.disabled)
        .bind(password_hash.map(str::to_string))
        .bind(DB::time(user.created_at))
    }

    pub(crate) fn update_user(user: &User) -> Query<DB> {
        Self::query(
            "UPDATE users SET display_name = $2, role = $3, disabled = $4 WHERE name_key = $1",
        )
        .bind(name_key(&user.name))
        .bind(user.display_name.clone())
        .bind(user.role.as_str().to_string())
        .bind(user.disabled)
    }

    /// One statement adding every group of `user` (none when it has none).
    pub(crate) fn insert_groups(user: &User) -> Option<sqlx::QueryBuilder<DB>> {
        if user.groups.is_empty() {
            return None;
        }
        let key = name_key(&user.name);
        let mut q = sqlx::QueryBuilder::new("INSERT INTO user_groups (name_key, grp) ");
        q.push_values(&user.groups, |mut row, group| {
            row.push_bind(key.clone()).push_bind(group.clone());
        });
        Some(q)
    }

    pub(crate) fn set_password(name: &str, password_hash: &str) -> Query<DB> {
        Self::query("UPDATE users SET password_hash = $2 WHERE name_key = $1 RETURNING name")
            .bind(name_key(name))
            .bind(password_hash.to_string())
    }

    pub(crate) fn insert_session(session: &Session) -> Query<DB> {
        Self::query(
            "INSERT INTO sessions (id_hash, name_key, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.id_hash.clone())
        .bind(name_key(&session.user))
        .bind(session.csrf_token.clone())
        .bind(DB::time(session.created_at))
        .bind(DB::time(session.expires_at))
    }

    pub(crate) fn insert_token(token: &ApiToken, secret_hash: &str) -> Query<DB> {
        Self::query(
            "INSERT INTO api_tokens (id, name_key, name, scope, prefix, secret_hash, created_at,
                expires_at, last_used_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(DB::id(token.id))
        .bind(name_key(&token.user))
        .bind(token.name.clone())
        .bind(token.scope.as_str().to_string())
        .bind(token.prefix.clone())
        .bind(secret_hash.to_string())
        .bind(DB::time(token.created_at))
        .bind(token.expires_at.map(DB::time))
        .bind(token.last_used_at.map(DB::time))
        .bind(token.revoked_at.map(DB::time))
    }

    pub(crate) fn revoke_token(id: Uuid, at: DateTime<Utc>) -> Query<DB> {
        Self::query(REVOKE_TOKEN)
            .bind(DB::id(id))
            .bind(DB::time(at))
    }

    pub(crate) fn insert_event(event: &AccountEvent) -> Query<DB> {
        Self::query(
            "INSERT INTO account_events (at, actor, action, subject, detail)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(DB::time(event.at))
        .bind(event.actor.clone())
        .bind(event.action.clone())
        .bind(event.subject.clone())
        .bind(event.detail.to_string())
    }

    pub(crate) fn events(after: Option<EventPlace>, limit: u32) -> Query<DB> {
        let q = Self::owned(select_events(after.is_some())).bind(i64::from(limit));
        match after {
            Some(place) => q.bind(DB::time(place.at)).bind(place.entry),
            None => q,
        }
    }

    pub(crate) fn all_events() -> Query<DB> {
        Self::owned(format!(
            "SELECT {EVENT_COLUMNS} FROM account_events ORDER BY entry"
        ))
    }

    pub(crate) fn tokens(user: Option<&str>) -> Query<DB> {
        let q = Self::owned(select_tokens(user.is_some()));
        match user {
            Some(name) => q.bind(name_key(name)),
            None => q,
        }
    }

    /// Every token with its secret hash, oldest first (for a dump).
    pub(crate) fn token_records() -> Query<DB> {
        Self::owned(format!(
            "SELECT {TOKEN_COLUMNS}, t.secret_hash FROM api_tokens t
             JOIN users u ON u.name_key = t.name_key ORDER BY t.seq"
        ))
    }

    /// The token with this secret hash and its account, whatever their state.
    pub(crate) fn token_by_hash(secret_hash: &str) -> Query<DB> {
        Self::owned(format!(
            "SELECT {TOKEN_COLUMNS}, u.name, u.display_name, u.role, u.disabled, u.created_at,
                u.name_key
             FROM api_tokens t JOIN users u ON u.name_key = t.name_key WHERE t.secret_hash = $1"
        ))
        .bind(secret_hash.to_string())
    }

    fn word<T: std::str::FromStr>(row: &DB::Row, column: &str, ctx: &str) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        let text: String = sqlx::Row::try_get(row, column)?;
        text.parse().map_err(|e| corrupt(ctx, e))
    }

    fn time(row: &DB::Row, column: &str, ctx: &str) -> Result<DateTime<Utc>> {
        DB::read_time(row, column)?.ok_or_else(|| corrupt(ctx, format!("{column} is empty")))
    }

    /// An account from a row of [`SELECT_USER`], with its groups.
    pub(crate) fn user(row: &DB::Row, groups: Vec<String>) -> Result<User> {
        let name: String = sqlx::Row::try_get(row, "name")?;
        let mut groups = groups;
        groups.sort();
        Ok(User {
            display_name: sqlx::Row::try_get(row, "display_name")?,
            role: Self::word::<Role>(row, "role", &name)?,
            groups,
            disabled: sqlx::Row::try_get(row, "disabled")?,
            created_at: Self::time(row, "created_at", &name)?,
            name,
        })
    }

    pub(crate) fn session(row: &DB::Row, user: &User) -> Result<Session> {
        Ok(Session {
            id_hash: sqlx::Row::try_get(row, "id_hash")?,
            user: user.name.clone(),
            csrf_token: sqlx::Row::try_get(row, "csrf_token")?,
            created_at: Self::time(row, "session_created_at", &user.name)?,
            expires_at: Self::time(row, "expires_at", &user.name)?,
        })
    }

    pub(crate) fn token(row: &DB::Row) -> Result<ApiToken> {
        let id = DB::read_id(row, "id")?;
        let ctx = id.to_string();
        Ok(ApiToken {
            id,
            user: sqlx::Row::try_get(row, "token_user")?,
            name: sqlx::Row::try_get(row, "token_name")?,
            scope: Self::word::<TokenScope>(row, "scope", &ctx)?,
            prefix: sqlx::Row::try_get(row, "prefix")?,
            created_at: Self::time(row, "token_created_at", &ctx)?,
            expires_at: DB::read_time(row, "expires_at")?,
            last_used_at: DB::read_time(row, "last_used_at")?,
            revoked_at: DB::read_time(row, "revoked_at")?,
        })
    }

    pub(crate) fn logged_event(row: &DB::Row) -> Result<LoggedEvent> {
        let event = Self::event(row)?;
        Ok(LoggedEvent {
            place: EventPlace {
                at: event.at,
                entry: sqlx::Row::try_get(row, "entry")?,
            },
            event,
        })
    }

    pub(crate) fn event(row: &DB::Row) -> Result<AccountEvent> {
        let subject: String = sqlx::Row::try_get(row, "subject")?;
        let detail: String = sqlx::Row::try_get(row, "detail")?;
        Ok(AccountEvent {
            at: Self::time(row, "at", &subject)?,
            actor: sqlx::Row::try_get(row, "actor")?,
            action: sqlx::Row::try_get(row, "action")?,
            detail: serde_json::from_str(&detail).map_err(|source| StoreError::Corrupt {
                id: subject.clone(),
                source,
            })?,
            subject,
        })
    }
}
