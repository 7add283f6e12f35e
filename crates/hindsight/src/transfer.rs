//! Moving postmortems in and out: import, export and the demo data set.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::{NaiveDate, Utc};
use hindsight_core::format::{self, Given};
use hindsight_core::import::{ImportPlan, plan};
use hindsight_core::{Postmortem, Visibility, demo};
use hindsight_quality::redact::Redactor;
use hindsight_store::{AuditAction, Filter, Store};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::cli::{DemoArgs, ExportArgs, Format, ImportArgs};
use crate::database::Context;

/// What happened to one postmortem of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// A postmortem read from a file, with what the file said about its bookkeeping.
struct Incoming {
    postmortem: Postmortem,
    given: Given,
}

#[derive(Debug, Default, Serialize)]
struct Report {
    created: usize,
    updated: usize,
    unchanged: usize,
    failed: Vec<Failure>,
}

#[derive(Debug, Serialize)]
struct Failure {
    file: String,
    error: String,
}

impl Report {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }

    fn fail(&mut self, file: &Path, error: impl std::fmt::Display) {
        self.failed.push(Failure {
            file: file.display().to_string(),
            error: error.to_string(),
        });
    }
}

pub async fn import(ctx: &Context, args: &ImportArgs) -> Result<ExitCode> {
    let files = collect_files(&args.paths, is_postmortem_file)?;
    let mut report = Report::default();
    // Read and check every file before saving anything: a batch with a broken
    // file leaves the database as it was.
    let mut batch = Vec::new();
    for file in &files {
        match read_file(file) {
            Ok(items) => batch.extend(items.into_iter().map(|item| (file, item))),
            Err(e) => report.fail(file, e),
        }
    }
    if report.failed.is_empty() {
        let store = ctx.store().await?;
        let bar = progress(batch.len());
        for (file, item) in batch {
            match apply(store.as_ref(), ctx, item, args.dry_run).await {
                Ok(outcome) => report.count(outcome),
                Err(e) => report.fail(file, format!("{e:#}")),
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
    }
    print_report(&report, files.len(), args)?;
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(report: &Report, files: usize, args: &ImportArgs) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    for f in &report.failed {
        eprintln!("error: {}", f.error);
    }
    let verb = if args.dry_run {
        "would import"
    } else {
        "imported"
    };
    if report.failed.is_empty() || report.created + report.updated + report.unchanged > 0 {
        println!(
            "{verb} {files} file(s): {} created, {} updated, {} unchanged, {} failed",
            report.created,
            report.updated,
            report.unchanged,
            report.failed.len()
        );
    } else {
        println!(
            "nothing imported: {} of {files} file(s) have errors; fix them and run the import again",
            report.failed.len()
        );
    }
    Ok(())
}

fn progress(len: usize) -> ProgressBar {
    // Small batches finish before a bar would be worth drawing.
    if len < 50 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

/// Files named on the command line, and the files found in the folders named
/// there that `keep` accepts (recursively, sorted).
pub(crate) fn collect_files(paths: &[PathBuf], keep: fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            walk(path, keep, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, keep: fn(&Path) -> bool, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, keep, files)?;
        } else if keep(&path) {
            files.push(path);
        }
    }
    Ok(())
}

/// Markdown and JSON files, README files excepted.
fn is_postmortem_file(path: &Path) -> bool {
    has_extension(path, &["md", "markdown", "json"])
}

/// Markdown files, README files excepted.
pub(crate) fn is_markdown_file(path: &Path) -> bool {
    has_extension(path, &["md", "markdown"])
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    !name.to_ascii_lowercase().starts_with("readme.")
        && extensions.contains(&ext.to_ascii_lowercase().as_str())
}

/// Reads one file: a Markdown postmortem, or JSON (one postmortem or an array).
fn read_file(path: &Path) -> Result<Vec<Incoming>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}:{}: invalid JSON: {e}", path.display(), e.line()))?;
        let list = match value {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        list.into_iter()
            .enumerate()
            .map(|(i, v)| {
                let pm: Postmortem = serde_json::from_value(v).map_err(|e| {
                    format!(
                        "{}: postmortem #{} is not valid: {e}",
                        path.display(),
                        i + 1
                    )
                })?;
                let given = Given {
                    id: true,
                    key: pm.key.is_some(),
                    version: true,
                    created_at: true,
                    updated_at: true,
                };
                Ok(Incoming {
                    postmortem: pm,
                    given,
                })
            })
            .collect()
    } else {
        let parsed = format::parse(&text, Utc::now())
            .map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.message))?;
        Ok(vec![Incoming {
            postmortem: parsed.postmortem,
            given: parsed.given,
        }])
    }
}

async fn apply(store: &dyn Store, ctx: &Context, item: Incoming, dry_run: bool) -> Result<Outcome> {
    let stored = store.get(&item.postmortem.id.to_string()).await?;
    Ok(match plan(stored.as_ref(), item.postmortem, &item.given) {
        ImportPlan::Create(pm) => {
            if !dry_run {
                store.create(&pm, &ctx.actor).await?;
            }
            Outcome::Created
        }
        ImportPlan::Update(pm) => {
            if !dry_run {
                store.update(&pm, &ctx.actor, AuditAction::Import).await?;
            }
            Outcome::Updated
        }
        ImportPlan::Unchanged => Outcome::Unchanged,
        ImportPlan::Stale {
            file_version,
            stored_version,
        } => bail!(
            "the file was written from version {file_version} but the stored postmortem is at version {stored_version}: export it again and redo the change"
        ),
    })
}

pub async fn export(ctx: &Context, args: &ExportArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let mut pms = if args.all {
        store.load_all(&Filter::default()).await?
    } else {
        let mut found = Vec::new();
        for handle in &args.handles {
            found.push(
                store
                    .get(handle)
                    .await?
                    .with_context(|| format!("no postmortem `{handle}`"))?,
            );
        }
        found
    };
    if args.all {
        pms.sort_by_key(key_number);
    }
    let redactor = if args.public {
        let redactor = crate::quality::redactor(args.config.as_deref())?;
        pms = public_copies(pms, &redactor, args.all)?;
        Some(redactor)
    } else {
        None
    };
    // Every text written by a public export is checked for secrets first.
    let written = |what: &str, text: String| -> Result<String> {
        if let Some(r) = &redactor {
            crate::quality::check_public(r, what, &text)?;
        }
        Ok(text)
    };
    match (&args.out, args.format) {
        (None, Format::Json) => println!(
            "{}",
            written("the export", serde_json::to_string_pretty(&pms)?)?
        ),
        (None, Format::Md) => match pms.as_slice() {
            [one] => print!("{}", written(&one.handle(), format::render(one))?),
            _ => bail!("several postmortems as Markdown need a folder: add --out DIR"),
        },
        (Some(dir), format) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for pm in &pms {
                let (ext, text) = match format {
                    Format::Md => ("md", format::render(pm)),
                    Format::Json => ("json", serde_json::to_string_pretty(pm)?),
                };
                let text = written(&pm.handle(), text)?;
                let path = dir.join(format!("{}.{ext}", file_stem(pm)));
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            println!("exported {} postmortem(s) to {}", pms.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Redacted copies for publication: secrets, emails and configured patterns
/// replaced by `[REDACTED:<kind>]` in every text. Restricted postmortems are
/// never published: named, they are an error; with `--all`, skipped.
fn public_copies(pms: Vec<Postmortem>, redactor: &Redactor, all: bool) -> Result<Vec<Postmortem>> {
    let mut out = Vec::new();
    for pm in pms {
        if pm.visibility == Visibility::Restricted {
            if !all {
                bail!(
                    "{} is restricted and cannot be exported as public",
                    pm.handle()
                );
            }
            eprintln!("skipped {}: restricted", pm.handle());
            continue;
        }
        let (mut copy, redactions) = redactor
            .redact_postmortem(&pm)
            .with_context(|| format!("cannot redact {}", pm.handle()))?;
        copy.restricted_to.clear();
        for r in &redactions {
            eprintln!("redacted {} in {}: {}", r.kind, pm.handle(), r.field);
        }
        out.push(copy);
    }
    Ok(out)
}

/// The number of a `PM-n` key, for ordering exports by creation.
fn key_number(pm: &Postmortem) -> (u64, String) {
    let key = pm.handle();
    let n = key
        .strip_prefix("PM-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    (n, key)
}

/// A file name from the key, keeping only safe characters.
fn file_stem(pm: &Postmortem) -> String {
    pm.handle()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub async fn demo(ctx: &Context, args: &DemoArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    load_demo(store.as_ref(), ctx, args.today).await?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the demo data set anchored on `today` (default: the current day).
/// Loading it again the same day changes nothing.
pub async fn load_demo(store: &dyn Store, ctx: &Context, today: Option<NaiveDate>) -> Result<()> {
    let today = today.unwrap_or_else(|| Utc::now().date_naive());
    let mut report = Report::default();
    for pm in demo::generate(today) {
        // The generator sets ids and times; keys and versions come from the store.
        let given = Given {
            id: true,
            key: false,
            version: false,
            created_at: true,
            updated_at: true,
        };
        let outcome = apply(
            store,
            ctx,
            Incoming {
                postmortem: pm,
                given,
            },
            false,
        )
        .await
        .context("cannot load the demo data")?;
        report.count(outcome);
    }
    println!(
        "demo data loaded into {}: {} created, {} updated, {} unchanged",
        crate::database::redact_url(&ctx.target),
        report.created,
        report.updated,
        report.unchanged
    );
    Ok(())
}
