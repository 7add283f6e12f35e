//! Reading and changing postmortems: list, show, search, status, history, delete.

use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::{NaiveTime, Utc};
use hindsight_core::review::ReviewPolicy;
use hindsight_core::{Milestone, Postmortem, format, workflow};
use hindsight_store::{AuditAction, Filter, Store, Summary, Window};
use serde_json::json;

use crate::cli::{DeleteArgs, FilterArgs, HistoryArgs, ListArgs, SearchArgs, ShowArgs, StatusArgs};
use crate::database::Context;
use crate::output;

impl FilterArgs {
    fn to_filter(&self) -> Filter {
        let start_of = |d: chrono::NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        let window = (self.from.is_some() || self.to.is_some()).then(|| Window {
            milestone: Milestone::Started,
            from: self.from.map(start_of),
            to: self.to.map(start_of),
        });
        Filter {
            service: self.service.clone(),
            severity: self.severity,
            kind: self.kind,
            status: self.status,
            tag: self.tag.clone(),
            owner: self.owner.clone(),
            window,
            limit: self.limit,
            // The command line reads the database directly: everything is visible.
            reader: None,
            ..Filter::default()
        }
    }
}

pub async fn get(store: &dyn Store, handle: &str) -> Result<Postmortem> {
    store
        .get(handle)
        .await?
        .with_context(|| format!("no postmortem `{handle}` (try `hindsight list`)"))
}

fn summary_row(s: &Summary) -> Vec<String> {
    vec![
        s.key.clone(),
        output::optional(s.severity),
        s.status.to_string(),
        s.kind.to_string(),
        s.started
            .map_or_else(|| "-".into(), |t| t.format("%Y-%m-%d").to_string()),
        s.open_actions.to_string(),
        if s.services.is_empty() {
            s.title.clone()
        } else {
            format!("{} [{}]", s.title, s.services.join(", "))
        },
    ]
}

const SUMMARY_HEADERS: &[&str] = &["KEY", "SEV", "STATUS", "KIND", "STARTED", "OPEN", "TITLE"];

pub async fn list(ctx: &Context, args: &ListArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let rows = store.list(&args.filter.to_filter()).await?;
    if args.json {
        output::json(&rows)?;
    } else if rows.is_empty() {
        println!("no postmortems match; `hindsight import PATH` or `hindsight demo` adds some");
    } else {
        output::table(
            SUMMARY_HEADERS,
            &rows.iter().map(summary_row).collect::<Vec<_>>(),
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn search(ctx: &Context, args: &SearchArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let query = args.query.join(" ");
    let hits = store.search(&query, &args.filter.to_filter()).await?;
    if args.json {
        output::json(&hits)?;
    } else if hits.is_empty() {
        println!("no postmortem matches `{query}`");
    } else {
        for hit in &hits {
            let s = &hit.postmortem;
            println!(
                "{}  {}  {}  {}",
                s.key,
                output::optional(s.severity),
                s.status,
                s.title
            );
            println!("    {}", output::snippet(&hit.snippet));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The durations derived from the milestones, by name.
fn durations(pm: &Postmortem) -> Vec<(&'static str, Option<chrono::Duration>)> {
    let m = &pm.milestones;
    vec![
        ("time to detect", m.time_to_detect()),
        ("time to acknowledge", m.time_to_acknowledge()),
        ("time to mitigate", m.time_to_mitigate()),
        ("time to resolve", m.time_to_resolve()),
    ]
}

pub async fn show(ctx: &Context, args: &ShowArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let pm = get(store.as_ref(), &args.handle).await?;
    if args.json {
        let derived: serde_json::Map<String, serde_json::Value> = durations(&pm)
            .into_iter()
            .map(|(name, d)| {
                (
                    name.replace(' ', "_") + "_seconds",
                    json!(d.map(|d| d.num_seconds())),
                )
            })
            .collect();
        output::json(&json!({ "postmortem": pm, "durations": derived }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}  {}", pm.handle(), pm.title);
    println!(
        "{} · {} · {} · {} · owner {} · version {}",
        output::optional(pm.severity),
        pm.kind,
        pm.status,
        pm.visibility,
        output::optional(pm.owner.as_deref()),
        pm.version
    );
    for m in Milestone::ALL {
        if let Some(at) = pm.milestones.get(*m) {
            println!("  {:<13} {}", m.as_str(), output::time(at));
        }
    }
    for (name, d) in durations(&pm) {
        if let Some(d) = d {
            println!("  {name:<20} {}", output::duration(d));
        }
    }
    let overdue = pm.overdue_actions(Utc::now().date_naive()).count();
    if overdue > 0 {
        println!("  {overdue} action item(s) overdue");
    }
    if let Err(e) = workflow::check(&pm, next_status(&pm), &ReviewPolicy::default()) {
        println!("  next step: {e}");
    }
    println!();
    print!("{}", format::render(&pm));
    Ok(ExitCode::SUCCESS)
}

/// The forward step of the workflow from the current status.
fn next_status(pm: &Postmortem) -> hindsight_core::Status {
    use hindsight_core::Status::*;
    match pm.status {
        Draft => InReview,
        InReview => Final,
        Final | Closed => Closed,
    }
}

pub async fn status(ctx: &Context, args: &StatusArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let mut pm = get(store.as_ref(), &args.handle).await?;
    let from = pm.status;
    workflow::transition(&mut pm, args.to, &ReviewPolicy::default(), Utc::now())
        .with_context(|| format!("{} stays {from}", pm.handle()))?;
    let saved = store
        .update(&pm, &ctx.actor, AuditAction::Transition)
        .await?;
    println!("{}: {from} -> {}", saved.handle(), saved.status);
    Ok(ExitCode::SUCCESS)
}

pub async fn history(ctx: &Context, args: &HistoryArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let id = match store.get(&args.handle).await? {
        Some(pm) => pm.id,
        None => args.handle.parse().map_err(|_| {
            anyhow::anyhow!(
                "no postmortem `{}` (the history of a deleted postmortem is found by its id)",
                args.handle
            )
        })?,
    };
    let entries = store.audit(id).await?;
    if args.json {
        return output::json(&entries).map(|()| ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        bail!("no history for `{}`", args.handle);
    }
    for e in &entries {
        println!("{}  {:<10} {}", output::time(e.at), e.action, e.actor);
        for c in &e.changes {
            println!(
                "    {}: {} -> {}",
                c.field,
                brief(&c.before),
                brief(&c.after)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A JSON value on one short line.
fn brief(v: &serde_json::Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

pub async fn delete(ctx: &Context, args: &DeleteArgs) -> Result<ExitCode> {
    if !args.yes {
        bail!(
            "deleting {} cannot be undone: add --yes to confirm",
            args.handle
        );
    }
    let store = ctx.store().await?;
    let pm = get(store.as_ref(), &args.handle).await?;
    store
        .delete(&pm.id.to_string(), pm.version, &ctx.actor)
        .await?;
    println!(
        "deleted {} (its history stays: `hindsight history {}`)",
        pm.handle(),
        pm.id
    );
    Ok(ExitCode::SUCCESS)
}
