//! `hindsight user` and `hindsight token`: accounts and API tokens for
//! operators and scripts. Passwords are read from standard input only (never
//! from arguments, which other users can see); a new token is printed once,
//! alone on the last line, and never again.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::{Duration, Utc};
use clap::{Args, Subcommand};
use hindsight_auth::{Token, allowed_scopes, hash_password, scope_allowed};
use hindsight_core::vocab::{Role, TokenScope};
use hindsight_store::{ApiToken, Store, User};
use uuid::Uuid;

use crate::database::Context;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (the first admin is added this way).
    Add(UserAddArgs),
    /// List accounts.
    List(ListArgs),
    /// Change an account's role, groups, display name, or disable it.
    Update(UserUpdateArgs),
    /// Set an account's password, read from standard input.
    Password(UserPasswordArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The login, also the name postmortems use for owners and readers.
    pub name: String,
    #[arg(long)]
    pub role: Role,
    /// Default: the name.
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// A group the account belongs to (repeatable), for restricted postmortems.
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// Read the password from the first line of standard input. Without it the
    /// account cannot log in and uses API tokens only.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserUpdateArgs {
    pub name: String,
    #[arg(long)]
    pub role: Option<Role>,
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// Replaces the account's groups (repeatable).
    #[arg(long = "group", value_name = "GROUP", conflicts_with = "no_groups")]
    pub groups: Vec<String>,
    /// Removes the account from every group.
    #[arg(long)]
    pub no_groups: bool,
    /// Stops logins, sessions and tokens of the account.
    #[arg(long, conflicts_with = "enable")]
    pub disable: bool,
    #[arg(long)]
    pub enable: bool,
}

#[derive(Debug, Args)]
pub struct UserPasswordArgs {
    pub name: String,
    /// Read the new password from the first line of standard input (required:
    /// passwords are never taken from arguments).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; it is printed once, alone on the last line.
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List(TokenListArgs),
    /// Revoke a token by its id.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The account the token acts as.
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// At most what the account's role allows: viewer read; editor read,
    /// write, webhook; admin any.
    #[arg(long)]
    pub scope: TokenScope,
    /// What the token is for, to tell it apart in lists.
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Expire the token after this many days (default: never).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Only the tokens of this account.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (from `hindsight token list`).
    pub id: Uuid,
}

pub async fn user(ctx: &Context, command: UserCommand) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let store = store.as_ref();
    match command {
        UserCommand::Add(args) => add_user(store, ctx, args).await,
        UserCommand::List(args) => list_users(store, &args).await,
        UserCommand::Update(args) => update_user(store, ctx, args).await,
        UserCommand::Password(args) => set_password(store, ctx, &args).await,
    }
}

pub async fn token(ctx: &Context, command: TokenCommand) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let store = store.as_ref();
    match command {
        TokenCommand::Create(args) => create_token(store, ctx, args).await,
        TokenCommand::List(args) => list_tokens(store, &args).await,
        TokenCommand::Revoke(args) => revoke_token(store, ctx, &args).await,
    }
}

/// The first line of standard input, without its line ending, hashed after the
/// password policy.
fn password_from_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        bail!("no password on standard input (give it as the first line)");
    }
    hash_password(password).context("password refused")
}

async fn existing_user(store: &dyn Store, name: &str) -> Result<User> {
    store
        .user(name)
        .await?
        .with_context(|| format!("no user `{name}` (see `hindsight user list`)"))
}

async fn add_user(store: &dyn Store, ctx: &Context, args: UserAddArgs) -> Result<ExitCode> {
    let hash = if args.password_stdin {
        Some(password_from_stdin()?)
    } else {
        None
    };
    let user = User {
        display_name: args.display_name.unwrap_or_else(|| args.name.clone()),
        name: args.name,
        role: args.role,
        groups: args.groups,
        disabled: false,
        created_at: Utc::now(),
    };
    let saved = store
        .create_user(&user, hash.as_deref(), &ctx.actor)
        .await?;
    let login = if hash.is_some() {
        "can log in"
    } else {
        "has no password (API tokens only; `hindsight user password` sets one)"
    };
    println!("added {} {} ({login})", saved.role, saved.name);
    Ok(ExitCode::SUCCESS)
}

async fn list_users(store: &dyn Store, args: &ListArgs) -> Result<ExitCode> {
    let users = store.users().await?;
    if args.json {
        output::json(&users)?;
        return Ok(ExitCode::SUCCESS);
    }
    if users.is_empty() {
        println!(
            "no users; `hindsight user add NAME --role admin --password-stdin` adds the first"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                u.display_name.clone(),
                u.role.to_string(),
                u.groups.join(","),
                if u.disabled { "disabled" } else { "active" }.to_string(),
                output::time(u.created_at),
            ]
        })
        .collect();
    output::table(
        &[
            "NAME",
            "DISPLAY NAME",
            "ROLE",
            "GROUPS",
            "STATUS",
            "CREATED",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

async fn update_user(store: &dyn Store, ctx: &Context, args: UserUpdateArgs) -> Result<ExitCode> {
    let mut user = existing_user(store, &args.name).await?;
    if let Some(role) = args.role {
        user.role = role;
    }
    if let Some(display_name) = args.display_name {
        user.display_name = display_name;
    }
    if args.no_groups {
        user.groups.clear();
    } else if !args.groups.is_empty() {
        user.groups = args.groups;
    }
    if args.disable {
        user.disabled = true;
    } else if args.enable {
        user.disabled = false;
    }
    let saved = store.update_user(&user, &ctx.actor).await?;
    let status = if saved.disabled { "disabled" } else { "active" };
    println!(
        "updated {}: {}, groups [{}], {status}",
        saved.name,
        saved.role,
        saved.groups.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

async fn set_password(
    store: &dyn Store,
    ctx: &Context,
    args: &UserPasswordArgs,
) -> Result<ExitCode> {
    let user = existing_user(store, &args.name).await?;
    let hash = password_from_stdin()?;
    store.set_password(&user.name, &hash, &ctx.actor).await?;
    println!("password set for {}", user.name);
    Ok(ExitCode::SUCCESS)
}

async fn create_token(store: &dyn Store, ctx: &Context, args: TokenCreateArgs) -> Result<ExitCode> {
    let user = existing_user(store, &args.user).await?;
    if user.disabled {
        bail!(
            "user `{}` is disabled: its tokens would not work",
            user.name
        );
    }
    if !scope_allowed(user.role, args.scope) {
        let allowed: Vec<String> = allowed_scopes(user.role)
            .iter()
            .map(ToString::to_string)
            .collect();
        bail!(
            "{} tokens are above the {} role of `{}` (allowed scopes: {})",
            args.scope,
            user.role,
            user.name,
            allowed.join(", ")
        );
    }
    let secret = Token::generate().context("cannot generate a token")?;
    let now = Utc::now();
    let name = args.name.unwrap_or_else(|| format!("{} token", args.scope));
    let expires_at = args
        .expires_in_days
        .map(|days| now + Duration::days(i64::from(days)));
    let token = ApiToken::issued(
        &user.name,
        &name,
        args.scope,
        secret.prefix(),
        now,
        expires_at,
    );
    store
        .create_token(&token, &secret.hash(), &ctx.actor)
        .await?;
    let expires = token.expires_at.map_or_else(
        || "never expires".to_string(),
        |at| format!("expires {}", output::time(at)),
    );
    println!(
        "created {} token {} for {} ({expires}); it is shown only now:",
        token.scope, token.id, token.user
    );
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}

/// `active`, `revoked` or `expired`, as of now.
fn token_status(token: &ApiToken) -> &'static str {
    if token.revoked_at.is_some() {
        "revoked"
    } else if token.expires_at.is_some_and(|at| at <= Utc::now()) {
        "expired"
    } else {
        "active"
    }
}

async fn list_tokens(store: &dyn Store, args: &TokenListArgs) -> Result<ExitCode> {
    if let Some(name) = &args.user {
        existing_user(store, name).await?;
    }
    let tokens = store.tokens(args.user.as_deref()).await?;
    if args.json {
        output::json(&tokens)?;
        return Ok(ExitCode::SUCCESS);
    }
    if tokens.is_empty() {
        println!("no tokens; `hindsight token create --user NAME --scope read` makes one");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.user.clone(),
                t.scope.to_string(),
                format!("hs_{}_…", t.prefix),
                token_status(t).to_string(),
                output::time(t.created_at),
                output::optional(t.expires_at.map(output::time)),
                output::optional(t.last_used_at.map(output::time)),
                t.name.clone(),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "USER",
            "SCOPE",
            "PREFIX",
            "STATUS",
            "CREATED",
            "EXPIRES",
            "LAST USED",
            "NAME",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

async fn revoke_token(
    store: &dyn Store,
    ctx: &Context,
    args: &TokenRevokeArgs,
) -> Result<ExitCode> {
    if !store.revoke_token(args.id, Utc::now(), &ctx.actor).await? {
        bail!(
            "no active token {} (it does not exist or is already revoked; see `hindsight token list`)",
            args.id
        );
    }
    println!("revoked token {}", args.id);
    Ok(ExitCode::SUCCESS)
}
