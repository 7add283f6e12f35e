//! Which database the command works on, and who is acting.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use hindsight_store::Store;

use crate::cli::{Global, InitArgs};

/// What every command needs: where the data is and who is acting.
pub struct Context {
    /// A SQLite path, a `sqlite:` URL or a `postgres://` URL.
    pub target: String,
    pub actor: String,
}

impl Context {
    pub fn new(global: &Global) -> Result<Self> {
        let target = match global
            .database_url
            .clone()
            .or_else(|| std::env::var("HINDSIGHT_DB").ok())
            .filter(|t| !t.trim().is_empty())
        {
            Some(target) => target,
            None => default_path()?.to_string_lossy().into_owned(),
        };
        let actor = global
            .actor
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "cli".to_string());
        Ok(Context { target, actor })
    }

    pub async fn store(&self) -> Result<Box<dyn Store>> {
        open(&self.target).await
    }
}

/// Opens a database by path or URL, creating the folder of a SQLite file.
pub async fn open(target: &str) -> Result<Box<dyn Store>> {
    if !target.contains("://") || target.starts_with("sqlite:") {
        let path = PathBuf::from(
            target
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:"),
        );
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        }
    }
    hindsight_store::open(target)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(target)))
}

/// A database URL fit for messages: the password replaced by `***`.
pub fn redact_url(target: &str) -> String {
    let Some((scheme, rest)) = target.split_once("://") else {
        return target.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => target.to_string(),
        },
        None => target.to_string(),
    }
}

/// `hindsight/hindsight.db` in the user's data folder.
fn default_path() -> Result<PathBuf> {
    let base = dirs::data_dir().context(
        "no data folder is known for this user: pass --database-url or set HINDSIGHT_DATABASE_URL",
    )?;
    Ok(base.join("hindsight").join("hindsight.db"))
}

pub async fn init(ctx: &Context, args: &InitArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    println!(
        "database ready at {} ({} postmortems)",
        redact_url(&ctx.target),
        store.count().await?
    );
    if args.demo {
        crate::transfer::load_demo(store.as_ref(), ctx, None).await?;
    }
    Ok(ExitCode::SUCCESS)
}
