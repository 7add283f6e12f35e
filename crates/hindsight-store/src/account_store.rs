//! [`Accounts`](crate::Accounts) for both backends, written once: the macro
//! below is expanded for `SqliteStore` and `PgStore`, whose statements and row
//! decoding come from [`crate::account_sql`]. A macro rather than generic code
//! because the transactions are concrete per backend.

/// Implements `Accounts` for `$store`, which has a `pool` of `$db` and an async
/// method `$begin` starting a write transaction; also gives it
/// `dump_accounts` and `restore_accounts` for [`crate::Dump`].
macro_rules! impl_accounts {
    ($store:ty, $db:ty, $begin:ident) => {
        const _: () = {
            use std::collections::HashMap;

            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use sqlx::{Database, Row};
            use uuid::Uuid;

            use $crate::Result;
            use $crate::account_sql::*;
            use $crate::accounts::{
                AccountEvent, Accounts, ApiToken, EventPlace, LoggedEvent, Session, User,
            };
            use $crate::dump::{TokenRecord, UserRecord};

            type Sql = AccountSql<$db>;
            type Conn = <$db as Database>::Connection;

            /// The account with key `key`, with its groups.
            async fn load_user(conn: &mut Conn, key: &str) -> Result<Option<User>> {
                let Some(row) = Sql::text(SELECT_USER, key)
                    .fetch_optional(&mut *conn)
                    .await?
                else {
                    return Ok(None);
                };
                let groups: Vec<String> = Sql::text(SELECT_GROUPS, key)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|r| r.try_get("grp"))
                    .collect::<std::result::Result<_, _>>()?;
                Ok(Some(Sql::user(&row, groups)?))
            }

            async fn insert_groups(conn: &mut Conn, user: &User) -> Result<()> {
                if let Some(mut q) = Sql::insert_groups(user) {
                    q.build().execute(&mut *conn).await?;
                }
                Ok(())
            }

            async fn append(conn: &mut Conn, event: &AccountEvent) -> Result<()> {
                Sql::insert_event(event).execute(&mut *conn).await?;
                Ok(())
            }

            /// Every account, by name key, with its password hash.
            async fn all_users(conn: &mut Conn) -> Result<Vec<(User, Option<String>)>> {
                let mut groups: HashMap<String, Vec<String>> = HashMap::new();
                for row in sqlx::query(SELECT_ALL_GROUPS).fetch_all(&mut *conn).await? {
                    groups
                        .entry(row.try_get("name_key")?)
                        .or_default()
                        .push(row.try_get("grp")?);
                }
                let rows = sqlx::query(SELECT_USERS).fetch_all(&mut *conn).await?;
                rows.iter()
                    .map(|row| {
                        let key: String = row.try_get("name_key")?;
                        let user = Sql::user(row, groups.remove(&key).unwrap_or_default())?;
                        Ok((user, row.try_get("password_hash")?))
                    })
                    .collect()
            }

            impl $store {
                /// The accounts part of a dump, read in the caller's snapshot.
                pub(crate) async fn dump_accounts(
                    conn: &mut Conn,
                ) -> Result<(Vec<UserRecord>, Vec<TokenRecord>, Vec<AccountEvent>)> {
                    let users = all_users(conn)
                        .await?
                        .into_iter()
                        .map(|(user, password_hash)| UserRecord {
                            user,
                            password_hash,
                        })
                        .collect();
                    let tokens = Sql::token_records()
                        .fetch_all(&mut *conn)
                        .await?
                        .iter()
                        .map(|row| {
                            Ok(TokenRecord {
                                token: Sql::token(row)?,
                                secret_hash: row.try_get("secret_hash")?,
                            })
                        })
                        .collect::<Result<_>>()?;
                    let events = Sql::all_events()
                        .fetch_all(&mut *conn)
                        .await?
                        .iter()
                        .map(Sql::event)
                        .collect::<Result<_>>()?;
                    Ok((users, tokens, events))
                }

                /// Writes the accounts of a dump as given (no events of its own).
                pub(crate) async fn restore_accounts(
                    conn: &mut Conn,
                    dump: &$crate::Dump,
                ) -> Result<()> {
                    for record in &dump.users {
                        let user = stored_user(&record.user)?;
                        Sql::insert_user(&user, record.password_hash.as_deref())
                            .execute(&mut *conn)
                            .await
                            .map_err(|e| duplicate_user(e, &user.name))?;
                        insert_groups(conn, &user).await?;
                    }
                    for record in &dump.tokens {
                        let token = &record.token;
                        Sql::insert_token(&stored_token(token), &record.secret_hash)
                            .execute(&mut *conn)
                            .await
                            .map_err(|e| duplicate_token(e, token))?;
                    }
                    for event in &dump.account_events {
                        append(conn, event).await?;
                    }
                    Ok(())
                }
            }

            #[async_trait]
            impl Accounts for $store {
                async fn create_user(
                    &self,
                    user: &User,
                    password_hash: Option<&str>,
                    actor: &str,
                ) -> Result<User> {
                    let saved = stored_user(user)?;
                    let mut tx = self.$begin().await?;
                    Sql::insert_user(&saved, password_hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| duplicate_user(e, &saved.name))?;
                    insert_groups(&mut tx, &saved).await?;
                    append(
                        &mut tx,
                        &user_created(&saved, password_hash.is_some(), actor),
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(saved)
                }

                async fn user(&self, name: &str) -> Result<Option<User>> {
                    let mut conn = self.pool.acquire().await?;
                    load_user(&mut conn, &name_key(name)).await
                }

                async fn users(&self) -> Result<Vec<User>> {
                    let mut conn = self.pool.acquire().await?;
                    let users = all_users(&mut conn).await?;
                    Ok(users.into_iter().map(|(user, _)| user).collect())
                }

                async fn update_user(&self, user: &User, actor: &str) -> Result<User> {
                    let wanted = stored_user(user)?;
                    let key = name_key(&wanted.name);
                    let mut tx = self.$begin().await?;
                    let before = load_user(&mut tx, &key)
                        .await?
                        .ok_or_else(|| no_user(&wanted.name))?;
                    let after = User {
                        name: before.name.clone(),
                        created_at: before.created_at,
                        ..wanted
                    };
                    Sql::update_user(&after).execute(&mut *tx).await?;
                    Sql::text(DELETE_GROUPS, &key).execute(&mut *tx).await?;
                    insert_groups(&mut tx, &after).await?;
                    append(&mut tx, &user_updated(&before, &after, actor)).await?;
                    tx.commit().await?;
                    Ok(after)
                }

                async fn set_password(
                    &self,
                    name: &str,
                    password_hash: &str,
                    actor: &str,
                ) -> Result<()> {
                    let mut tx = self.$begin().await?;
                    let row = Sql::set_password(name, password_hash)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(|| no_user(name))?;
                    let stored: String = row.try_get("name")?;
                    append(&mut tx, &password_set(&stored, actor)).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn password_hash(&self, name: &str) -> Result<Option<String>> {
                    let row = Sql::text(SELECT_PASSWORD, &name_key(name))
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row
                        .map(|r| r.try_get("password_hash"))
                        .transpose()?
                        .flatten())
                }

                async fn create_session(&self, session: &Session) -> Result<()> {
                    Sql::insert_session(session)
                        .execute(&self.pool)
                        .await
                        .map_err(|e| write_error(e, "that session", &session.user))?;
                    Ok(())
                }

                async fn session(
                    &self,
                    id_hash: &str,
                    now: DateTime<Utc>,
                ) -> Result<Option<(Session, User)>> {
                    let mut conn = self.pool.acquire().await?;
                    let Some(row) = Sql::text_at(SELECT_SESSION, id_hash, now)
                        .fetch_optional(&mut *conn)
                        .await?
                    else {
                        return Ok(None);
                    };
                    let key: String = row.try_get("name_key")?;
                    let Some(user) = load_user(&mut conn, &key).await? else {
                        return Ok(None);
                    };
                    Ok(Some((Sql::session(&row, &user)?, user)))
                }

                async fn delete_session(&self, id_hash: &str) -> Result<()> {
                    Sql::text(DELETE_SESSION, id_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
                    let done = Sql::at(DELETE_EXPIRED_SESSIONS, now)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected())
                }

                async fn create_token(
                    &self,
                    token: &ApiToken,
                    secret_hash: &str,
                    actor: &str,
                ) -> Result<()> {
                    let saved = stored_token(token);
                    let mut tx = self.$begin().await?;
                    Sql::insert_token(&saved, secret_hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| duplicate_token(e, &saved))?;
                    append(&mut tx, &token_created(&saved, actor)).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn use_token(
                    &self,
                    secret_hash: &str,
                    now: DateTime<Utc>,
                ) -> Result<Option<(ApiToken, User)>> {
                    // A token used within the last minute is not written again:
                    // API traffic must not queue behind SQLite's one writer for
                    // bookkeeping. The same usability rules as TOUCH_TOKEN.
                    let mut conn = self.pool.acquire().await?;
                    if let Some(row) = Sql::token_by_hash(secret_hash)
                        .fetch_optional(&mut *conn)
                        .await?
                    {
                        let token = Sql::token(&row)?;
                        let recent = token
                            .last_used_at
                            .is_some_and(|last| last <= now && now - last < TOKEN_USE_GRANULARITY);
                        let usable = token.revoked_at.is_none()
                            && token.expires_at.is_none_or(|end| end > now);
                        if recent && usable {
                            let key: String = row.try_get("name_key")?;
                            if let Some(user) =
                                load_user(&mut conn, &key).await?.filter(|u| !u.disabled)
                            {
                                return Ok(Some((token, user)));
                            }
                        }
                    }
                    drop(conn);
                    let mut tx = self.$begin().await?;
                    let touched = Sql::text_at(TOUCH_TOKEN, secret_hash, now)
                        .execute(&mut *tx)
                        .await?;
                    if touched.rows_affected() == 0 {
                        return Ok(None);
                    }
                    let row = Sql::token_by_hash(secret_hash).fetch_one(&mut *tx).await?;
                    let key: String = row.try_get("name_key")?;
                    let token = Sql::token(&row)?;
                    let user = load_user(&mut tx, &key)
                        .await?
                        .ok_or_else(|| no_user(&token.user))?;
                    tx.commit().await?;
                    Ok(Some((token, user)))
                }

                async fn tokens(&self, user: Option<&str>) -> Result<Vec<ApiToken>> {
                    let rows = Sql::tokens(user).fetch_all(&self.pool).await?;
                    rows.iter().map(Sql::token).collect()
                }

                async fn revoke_token(
                    &self,
                    id: Uuid,
                    now: DateTime<Utc>,
                    actor: &str,
                ) -> Result<bool> {
                    let mut tx = self.$begin().await?;
                    let Some(row) = Sql::revoke_token(id, now).fetch_optional(&mut *tx).await?
                    else {
                        return Ok(false);
                    };
                    let user: String = row.try_get(0)?;
                    append(&mut tx, &token_revoked(id, &user, actor)).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn record_account_event(&self, event: &AccountEvent) -> Result<()> {
                    let mut conn = self.pool.acquire().await?;
                    append(&mut conn, event).await
                }

                async fn account_events(
                    &self,
                    after: Option<EventPlace>,
                    limit: u32,
                ) -> Result<Vec<LoggedEvent>> {
                    let rows = Sql::events(after, limit).fetch_all(&self.pool).await?;
                    rows.iter().map(Sql::logged_event).collect()
                }
            }
        };
    };
}

pub(crate) use impl_accounts;
