//! `hindsight serve`: the HTTP server over the database.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::Args;
use hindsight_core::vocab::Role;
use hindsight_server::config::parse_bind;
use hindsight_server::{Config, LogFormat};
use hindsight_store::{Store, User};

use crate::cli::Global;
use crate::database::{self, Context};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (also HINDSIGHT_BIND; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR:PORT", value_parser = parse_bind)]
    pub bind: Option<std::net::SocketAddr>,
    /// Seed the demo data into an empty database and create demo users.
    #[arg(long)]
    pub demo: bool,
    /// A TOML config file (see docs/server.md).
    #[arg(long, env = "HINDSIGHT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `human` (default) or `json` (also HINDSIGHT_LOG_FORMAT).
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Send the session cookie without `Secure`, for plain-HTTP localhost
    /// (also `cookie_secure = false` in the config file).
    #[arg(long)]
    pub insecure_cookies: bool,
}

/// The demo accounts: name, role, groups. They share [`DEMO_PASSWORD`].
const DEMO_USERS: &[(&str, Role, &[&str])] = &[
    ("admin", Role::Admin, &[]),
    ("lena.fischer", Role::Editor, &["engineering-managers"]),
    ("grace.obi", Role::Editor, &["security-team"]),
    ("viewer", Role::Viewer, &[]),
];
const DEMO_PASSWORD: &str = "hindsight-demo";

pub async fn run(global: &Global, ctx: &Context, args: &ServeArgs) -> Result<ExitCode> {
    let loaded = Config::load(args.config.as_deref(), |name| std::env::var(name).ok())?;
    let mut config = loaded.config;
    if let Some(bind) = args.bind {
        config.bind = bind;
    }
    if let Some(format) = args.log_format {
        config.log_format = format;
    }
    config.demo |= args.demo;
    if args.insecure_cookies {
        config.cookie_secure = false;
    }
    hindsight_server::logging::init(config.log_format);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    // A flag or HINDSIGHT_DATABASE_URL wins over the file; the CLI default last.
    let target = match (&global.database_url, &config.database_url) {
        (Some(flag), _) => flag.clone(),
        (None, Some(file)) => file.clone(),
        (None, None) => ctx.target.clone(),
    };
    let store: Arc<dyn Store> = Arc::from(database::open(&target).await?);
    tracing::info!(database = %database::redact_url(&target), "database open");
    if config.demo {
        seed_demo(store.as_ref(), ctx, &target).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(
        "listening on http://{address} (API at /api/v1, OpenAPI at /api/v1/openapi.json)"
    );
    if store.users().await?.is_empty() {
        let token = hindsight_auth::random_text(32)?;
        offer_setup(&address, &token);
        config.setup_token = Some(token);
    }
    let app = hindsight_server::app(store, &config)?;
    hindsight_server::serve(listener, app, hindsight_server::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Prints how to create the first admin: with the one-time setup token, or
/// with `hindsight user add`. On stderr, not in the logs, since the token is a
/// credential until it is used.
fn offer_setup(address: &std::net::SocketAddr, token: &str) {
    eprintln!(
        "\nNo accounts yet. Create the first admin with this one-time setup token:\n\n  \
         curl -X POST http://{address}/api/v1/setup -H 'Content-Type: application/json' \\\n    \
         -d '{{\"token\": \"{token}\", \"name\": \"NAME\", \"password\": \"PASSWORD\"}}'\n\n\
         or run `hindsight user add NAME --role admin --password-stdin` on this database.\n"
    );
}

/// Loads the demo data into an empty database and adds the demo accounts that
/// do not exist yet.
async fn seed_demo(store: &dyn Store, ctx: &Context, target: &str) -> Result<()> {
    if store.count().await? == 0 {
        let demo_ctx = Context {
            target: target.to_string(),
            actor: "demo".to_string(),
        };
        crate::transfer::load_demo(store, &demo_ctx, None).await?;
    } else {
        tracing::info!("the database holds postmortems: demo data not loaded");
    }
    let hash = hindsight_auth::hash_password(DEMO_PASSWORD)?;
    for (name, role, groups) in DEMO_USERS {
        if store.user(name).await?.is_some() {
            continue;
        }
        let user = User {
            name: (*name).to_string(),
            display_name: (*name).to_string(),
            role: *role,
            groups: groups.iter().map(|g| (*g).to_string()).collect(),
            disabled: false,
            created_at: chrono::Utc::now(),
        };
        store.create_user(&user, Some(&hash), &ctx.actor).await?;
    }
    let names: Vec<String> = DEMO_USERS
        .iter()
        .map(|(name, role, _)| format!("{name} ({role})"))
        .collect();
    tracing::info!(
        "demo accounts: {}; password for each: {DEMO_PASSWORD}",
        names.join(", ")
    );
    Ok(())
}
