//! Schema migrations and moving a deployment from one database to another.

use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use hindsight_store::{Schema, copy};

use crate::cli::{MigrateArgs, MigrateDataArgs};
use crate::database::{Context, open, redact_url};

/// Opening a store applies its pending migrations; this reports the result.
pub async fn schema(ctx: &Context, args: &MigrateArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let schema = store.schema().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&schema)?);
    } else {
        print_schema(&redact_url(&ctx.target), &schema);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_schema(target: &str, schema: &Schema) {
    println!(
        "{} database {target}: {} of {} migrations applied",
        schema.backend,
        schema.migrations.len(),
        schema.known
    );
    for m in &schema.migrations {
        println!("  {:04} {}", m.version, m.description);
    }
}

/// Copies one store into another. [`copy`] verifies the copy: it reads it back
/// and compares it with the source, record by record, before it reports the
/// counts and checksum printed here.
pub async fn data(args: &MigrateDataArgs) -> Result<ExitCode> {
    let (from_name, to_name) = (redact_url(&args.from), redact_url(&args.to));
    if args.from.trim() == args.to.trim() {
        bail!("--from and --to name the same database ({from_name})");
    }
    let from = open(&args.from).await.context("--from")?;
    let to = open(&args.to).await.context("--to")?;
    let copied = copy(from.as_ref(), to.as_ref())
        .await
        .with_context(|| format!("cannot copy {from_name} into {to_name}"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&copied)?);
    } else {
        println!(
            "copied {} postmortems, {} audit entries, {} users, {} API tokens and {} account \
             events from {from_name} to {to_name}\n\
             verified: same counts, sha256 {} on both sides",
            copied.postmortems,
            copied.audit_entries,
            copied.users,
            copied.tokens,
            copied.account_events,
            copied.checksum
        );
    }
    Ok(ExitCode::SUCCESS)
}
