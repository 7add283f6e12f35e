//! `hindsight action`: add, update and list action items.

use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::Utc;
use hindsight_core::{ActionItem, ActionStatus, Postmortem, Ticket};
use hindsight_store::{ActionFilter, AuditAction, Store};

use crate::cli::{ActionAddArgs, ActionCommand, ActionFields, ActionListArgs, ActionUpdateArgs};
use crate::database::Context;
use crate::output;
use crate::postmortems::get;

pub async fn run(ctx: &Context, command: ActionCommand) -> Result<ExitCode> {
    let store = ctx.store().await?;
    match command {
        ActionCommand::Add(args) => add(store.as_ref(), ctx, args).await,
        ActionCommand::Update(args) => update(store.as_ref(), ctx, args).await,
        ActionCommand::List(args) => list(store.as_ref(), &args).await,
    }
}

impl ActionFields {
    /// Copies the fields that were given onto the item.
    fn apply(self, item: &mut ActionItem, pm: &Postmortem) -> Result<()> {
        if let Some(factor) = &self.factor
            && pm.factor(factor).is_none()
        {
            let known: Vec<&str> = pm.analysis.factors.iter().map(|f| f.id.as_str()).collect();
            bail!(
                "{} has no contributing factor {factor} (it has: {})",
                pm.handle(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
        if let Some(t) = self.action_type {
            item.action_type = t;
        }
        if let Some(p) = self.priority {
            item.priority = p;
        }
        item.horizon = self.horizon.or(item.horizon);
        item.control = self.control.or(item.control);
        item.owner = self.owner.or(item.owner.take());
        item.due = self.due.or(item.due);
        item.factor = self.factor.or(item.factor.take());
        if let Some(outcome) = self.outcome {
            item.outcome = outcome;
        }
        if let Some(description) = self.description {
            item.description = description;
        }
        if let Some(ticket) = self.ticket {
            let (provider, key) = match ticket.split_once(':') {
                Some((p, k)) => (p.trim().to_string(), k.trim().to_string()),
                None => (String::new(), ticket.trim().to_string()),
            };
            item.ticket = Some(Ticket {
                provider,
                key,
                url: self.ticket_url,
            });
        } else if let (Some(url), Some(t)) = (self.ticket_url, item.ticket.as_mut()) {
            t.url = Some(url);
        }
        Ok(())
    }
}

async fn add(store: &dyn Store, ctx: &Context, args: ActionAddArgs) -> Result<ExitCode> {
    let mut pm = get(store, &args.handle).await?;
    if args.title.trim().is_empty() {
        bail!("an action item needs a title");
    }
    let mut item = ActionItem::new(pm.next_action_id(), args.title.trim());
    args.fields.apply(&mut item, &pm)?;
    let id = item.id.clone();
    pm.actions.push(item);
    let saved = store.update(&pm, &ctx.actor, AuditAction::Update).await?;
    println!(
        "added {id} to {} (version {})",
        saved.handle(),
        saved.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn update(store: &dyn Store, ctx: &Context, args: ActionUpdateArgs) -> Result<ExitCode> {
    let mut pm = get(store, &args.handle).await?;
    let snapshot = pm.clone();
    let Some(item) = pm
        .actions
        .iter_mut()
        .find(|a| a.id.eq_ignore_ascii_case(&args.id))
    else {
        let known: Vec<&str> = snapshot.actions.iter().map(|a| a.id.as_str()).collect();
        bail!(
            "{} has no action item {} (it has: {})",
            snapshot.handle(),
            args.id,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };
    if let Some(title) = args.title {
        item.title = title;
    }
    if let Some(status) = args.status {
        item.status = status;
        if status != ActionStatus::WontDo {
            item.wont_do_reason = None;
        }
    }
    if let Some(reason) = args.reason {
        item.wont_do_reason = Some(reason);
    }
    if item.status == ActionStatus::WontDo
        && item
            .wont_do_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        bail!("wont-do needs a reason: add --reason \"...\"");
    }
    args.fields.apply(item, &snapshot)?;
    let id = item.id.clone();
    let status = item.status;
    let saved = store.update(&pm, &ctx.actor, AuditAction::Update).await?;
    println!(
        "{} {id} is {status} (version {})",
        saved.handle(),
        saved.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(store: &dyn Store, args: &ActionListArgs) -> Result<ExitCode> {
    let today = Utc::now().date_naive();
    let filter = ActionFilter {
        owner: args.owner.clone(),
        service: args.service.clone(),
        status: args.status,
        overdue_on: args.overdue.then_some(today),
        postmortem: args.postmortem.clone(),
        // The command line reads the database directly: everything is visible.
        reader: None,
    };
    let rows = store.actions(&filter).await?;
    if args.json {
        output::json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        println!("no action items match");
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let a = &r.item;
            let due = match a.due {
                Some(d) if a.is_overdue(today) => format!("{d} (overdue)"),
                Some(d) => d.to_string(),
                None => "-".into(),
            };
            vec![
                format!("{}/{}", r.postmortem_key, a.id),
                a.priority.to_string(),
                a.status.to_string(),
                output::optional(a.owner.as_deref()),
                due,
                a.title.clone(),
            ]
        })
        .collect();
    output::table(&["ITEM", "PRI", "STATUS", "OWNER", "DUE", "ACTION"], &table);
    Ok(ExitCode::SUCCESS)
}
