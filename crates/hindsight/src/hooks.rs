//! `hindsight hooks` (webhook deliveries: list, replay) and `hindsight timeline
//! import-slack` (a Slack export's messages into a postmortem's timeline).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use hindsight_core::{EventKind, TimelineEvent};
use hindsight_hooks::policy::PolicyConfig;
use hindsight_store::{AuditAction, Delivery, DeliveryStatus};
use serde::Deserialize;

use crate::database::Context;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// List webhook deliveries, newest first, with their status and errors.
    List(HooksListArgs),
    /// Process a stored delivery again (after a failure, or a policy change).
    Replay(HooksReplayArgs),
}

#[derive(Debug, Args)]
pub struct HooksListArgs {
    /// Only deliveries with this status: received, processed, ignored, failed.
    #[arg(long, value_parser = parse_status)]
    pub status: Option<DeliveryStatus>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HooksReplayArgs {
    /// The delivery's id (first column of `hindsight hooks list`).
    #[arg(required_unless_present = "pending")]
    pub id: Option<i64>,
    /// Instead of one delivery, every one still `received`: acknowledged but
    /// not processed (the server stopped first).
    #[arg(long, conflicts_with = "id")]
    pub pending: bool,
    /// The trigger policy file (TOML); default: the built-in policy.
    #[arg(long, env = "HINDSIGHT_HOOKS_POLICY", value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

fn parse_status(text: &str) -> Result<DeliveryStatus, String> {
    text.parse()
        .map_err(|e: hindsight_store::StoreError| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum TimelineCommand {
    /// Add messages of a Slack export's channel to a postmortem's timeline:
    /// the pinned ones and those with a reaction, or all in a time window.
    /// Threads stay together; times are the original post times.
    ImportSlack(ImportSlackArgs),
}

#[derive(Debug, Args)]
pub struct ImportSlackArgs {
    /// The export: a zip with channels.json, users.json and a folder of
    /// per-day JSON files per channel.
    pub export: PathBuf,
    /// The channel's name (with or without `#`).
    #[arg(long)]
    pub channel: String,
    /// The postmortem (id or key) to add the messages to.
    #[arg(long, value_name = "ID")]
    pub postmortem: String,
    /// Also take messages with this reaction (emoji name without colons),
    /// besides pinned ones.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["since", "until"])]
    pub reaction: Option<String>,
    /// Take every message from this time on (RFC 3339 with a zone).
    #[arg(long, value_name = "TIME", requires = "until", value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// ... up to this time (inclusive).
    #[arg(long, value_name = "TIME", requires = "since", value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("`{text}` is not an RFC 3339 time with a zone (2026-03-10T14:00:00Z): {e}")
        })
}

pub async fn hooks(ctx: &Context, command: HooksCommand) -> Result<ExitCode> {
    match command {
        HooksCommand::List(args) => list(ctx, &args).await,
        HooksCommand::Replay(args) => replay(ctx, &args).await,
    }
}

async fn list(ctx: &Context, args: &HooksListArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let deliveries = store.deliveries(args.status, args.limit).await?;
    if args.json {
        let rows: Vec<serde_json::Value> = deliveries.iter().map(delivery_json).collect();
        output::json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = deliveries
        .iter()
        .map(|d| {
            vec![
                d.id.to_string(),
                output::time(d.received_at),
                d.source.clone(),
                d.delivery_id.clone(),
                d.status.to_string(),
                d.error
                    .clone()
                    .or_else(|| d.outcome.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        &["ID", "RECEIVED", "SOURCE", "DELIVERY", "STATUS", "OUTCOME"],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

fn delivery_json(d: &Delivery) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "source": d.source,
        "delivery_id": d.delivery_id,
        "received_at": d.received_at,
        "status": d.status.as_str(),
        "error": d.error,
        "outcome": d.outcome,
        "postmortem_id": d.postmortem_id,
        "attempts": d.attempts,
        "processed_at": d.processed_at,
    })
}

async fn replay(ctx: &Context, args: &HooksReplayArgs) -> Result<ExitCode> {
    let policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the policy file {}", path.display()))?;
            PolicyConfig::from_toml(&text).with_context(|| path.display().to_string())?
        }
        None => PolicyConfig::default(),
    };
    let store = ctx.store().await?;
    let Some(id) = args.id else {
        let done = hindsight_server::intake::resume(&*store, &policy, Utc::now()).await?;
        println!("processed {done} pending deliveries");
        return Ok(ExitCode::SUCCESS);
    };
    if store.delivery(id).await?.is_none() {
        bail!("no delivery {id}: see `hindsight hooks list`");
    }
    let outcome = hindsight_server::intake::process(&*store, &policy, id, Utc::now()).await?;
    println!("delivery {id}: {}", outcome.status);
    if let Some(text) = outcome.error.or(outcome.outcome) {
        println!("{text}");
    }
    Ok(if outcome.status == DeliveryStatus::Failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn timeline(ctx: &Context, command: TimelineCommand) -> Result<ExitCode> {
    match command {
        TimelineCommand::ImportSlack(args) => import_slack(ctx, &args).await,
    }
}

async fn import_slack(ctx: &Context, args: &ImportSlackArgs) -> Result<ExitCode> {
    let file = std::fs::File::open(&args.export)
        .with_context(|| format!("cannot open {}", args.export.display()))?;
    let export = SlackExport::read(file).with_context(|| args.export.display().to_string())?;
    let selection = match (args.since, args.until) {
        (Some(since), Some(until)) => Selection::Window(since, until),
        _ => Selection::Marked(args.reaction.clone()),
    };
    let events = export.timeline(&args.channel, &selection)?;
    let store = ctx.store().await?;
    let mut pm = store
        .get(&args.postmortem)
        .await?
        .ok_or_else(|| anyhow!("no postmortem `{}`", args.postmortem))?;
    // A message already imported is recognised by its Slack reference; its
    // text is refreshed when its thread has grown since.
    let (mut added, mut updated) = (0, 0);
    for event in &events {
        match pm
            .timeline
            .iter_mut()
            .find(|t| t.source == event.source && t.source_ref == event.source_ref)
        {
            Some(known) if known.text != event.text => {
                known.text = event.text.clone();
                updated += 1;
            }
            Some(_) => {}
            None => {
                pm.timeline.push(event.clone());
                added += 1;
            }
        }
    }
    if added + updated > 0 {
        pm.timeline.sort_by_key(|t| t.at);
        store.update(&pm, &ctx.actor, AuditAction::Update).await?;
    }
    println!(
        "added {added} Slack message(s) from #{} to {}, updated {updated} ({} already there)",
        args.channel.trim_start_matches('#'),
        pm.handle(),
        events.len() - added - updated
    );
    Ok(ExitCode::SUCCESS)
}

/// Which messages of the channel to take.
#[derive(Debug, Clone, PartialEq)]
enum Selection {
    /// Pinned messages, and those with this reaction.
    Marked(Option<String>),
    /// Every message posted in the window (inclusive).
    Window(DateTime<Utc>, DateTime<Utc>),
}

/// Largest member read from an export: a guard against zip bombs.
const MAX_MEMBER_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Deserialize)]
struct SlackChannel {
    name: String,
}

#[derive(Debug, Deserialize)]
struct SlackUser {
    id: String,
    name: String,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    profile: Option<SlackProfile>,
}

#[derive(Debug, Deserialize)]
struct SlackProfile {
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlackMessage {
    #[serde(default)]
    subtype: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    text: String,
    ts: String,
    #[serde(default)]
    thread_ts: Option<String>,
    #[serde(default)]
    pinned_to: Vec<String>,
    #[serde(default)]
    reactions: Vec<SlackReaction>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlackReaction {
    name: String,
}

/// The parts of an export one import needs.
struct SlackExport {
    channels: Vec<String>,
    /// User id -> the name to show.
    users: HashMap<String, String>,
    /// Channel -> its messages, from every day file.
    messages: BTreeMap<String, Vec<SlackMessage>>,
}

/// Subtypes that are Slack's bookkeeping, not what people said.
const SYSTEM_SUBTYPES: &[&str] = &[
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "pinned_item",
    "bot_add",
];

impl SlackExport {
    fn read(reader: impl Read + Seek) -> Result<Self> {
        let mut zip = zip::ZipArchive::new(reader).context("not a zip archive")?;
        let channels: Vec<SlackChannel> = member_json(&mut zip, "channels.json")?;
        let users: Vec<SlackUser> = member_json(&mut zip, "users.json")?;
        let users = users
            .into_iter()
            .map(|u| {
                let shown = [
                    u.profile.as_ref().and_then(|p| p.display_name.clone()),
                    u.profile.as_ref().and_then(|p| p.real_name.clone()),
                    u.real_name.clone(),
                ]
                .into_iter()
                .flatten()
                .find(|n| !n.trim().is_empty())
                .unwrap_or(u.name);
                (u.id, shown)
            })
            .collect();
        let day_files: Vec<String> = zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.to_string()))
            .filter(|n| n.ends_with(".json") && n.contains('/'))
            .collect();
        let mut messages: BTreeMap<String, Vec<SlackMessage>> = BTreeMap::new();
        for name in day_files {
            let Some((channel, _day)) = name.rsplit_once('/') else {
                continue;
            };
            let day: Vec<SlackMessage> = member_json(&mut zip, &name)?;
            messages.entry(channel.to_string()).or_default().extend(day);
        }
        Ok(SlackExport {
            channels: channels.into_iter().map(|c| c.name).collect(),
            users,
            messages,
        })
    }

    /// The channel's selected messages as timeline events: threads together
    /// (a thread in the place of its first message, its replies after it),
    /// threads and lone messages in time order.
    fn timeline(&self, channel: &str, selection: &Selection) -> Result<Vec<TimelineEvent>> {
        let channel = channel.trim().trim_start_matches('#');
        if !self.channels.iter().any(|c| c == channel) {
            bail!(
                "no channel #{channel} in the export; it has: {}",
                self.channels.join(", ")
            );
        }
        let all: Vec<(DateTime<Utc>, &SlackMessage)> = self
            .messages
            .get(channel)
            .into_iter()
            .flatten()
            .filter(|m| {
                !m.subtype
                    .as_deref()
                    .is_some_and(|s| SYSTEM_SUBTYPES.contains(&s))
            })
            .map(|m| Ok((slack_time(&m.ts)?, m)))
            .collect::<Result<_>>()?;
        let thread_of = |m: &SlackMessage| m.thread_ts.clone().unwrap_or_else(|| m.ts.clone());
        let selected: Vec<&(DateTime<Utc>, &SlackMessage)> = all
            .iter()
            .filter(|(at, m)| match selection {
                Selection::Window(since, until) => since <= at && at <= until,
                Selection::Marked(reaction) => {
                    !m.pinned_to.is_empty()
                        || reaction.as_deref().is_some_and(|r| {
                            let r = r.trim_matches(':');
                            m.reactions.iter().any(|x| x.name == r)
                        })
                }
            })
            .collect();
        // A marked thread root brings its whole thread.
        let whole_threads: Vec<String> = match selection {
            Selection::Marked(_) => selected
                .iter()
                .filter(|(_, m)| m.thread_ts.as_deref().is_none_or(|t| t == m.ts))
                .map(|(_, m)| m.ts.clone())
                .collect(),
            Selection::Window(..) => Vec::new(),
        };
        let mut taken: Vec<&(DateTime<Utc>, &SlackMessage)> = all
            .iter()
            .filter(|x| {
                selected.iter().any(|s| s.1.ts == x.1.ts) || whole_threads.contains(&thread_of(x.1))
            })
            .collect();
        taken.sort_by_key(|(at, _)| *at);
        // One entry per thread whose first message is taken, at that message's
        // time, with the taken replies folded in: the timeline stays in time
        // order and a thread reads as one conversation. Replies whose thread
        // start is not taken stand alone, marked as replies.
        let mut events: Vec<TimelineEvent> = Vec::new();
        let mut entry_of_thread: HashMap<String, usize> = HashMap::new();
        for (at, m) in taken {
            let reply = m.thread_ts.as_deref().is_some_and(|t| t != m.ts);
            match entry_of_thread.get(&thread_of(m)) {
                Some(&i) if reply => {
                    let line = format!(
                        " | ↳ {} {}: {}",
                        self.author(m),
                        at.format("%H:%M"),
                        self.clean_text(m)
                    );
                    if let Some(e) = events.get_mut(i) {
                        e.text.push_str(&line);
                    }
                }
                _ => {
                    if !reply {
                        entry_of_thread.insert(thread_of(m), events.len());
                    }
                    events.push(self.event(channel, *at, m, reply));
                }
            }
        }
        events.sort_by_key(|e| e.at);
        Ok(events)
    }

    fn author(&self, m: &SlackMessage) -> String {
        m.user
            .as_ref()
            .and_then(|u| self.users.get(u).cloned())
            .or_else(|| m.username.clone())
            .or_else(|| m.user.clone())
            .unwrap_or_else(|| "unknown".to_string())
    }

    /// The message on one line, mentions resolved to names.
    fn clean_text(&self, m: &SlackMessage) -> String {
        self.mentions(&m.text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn event(
        &self,
        channel: &str,
        at: DateTime<Utc>,
        m: &SlackMessage,
        reply: bool,
    ) -> TimelineEvent {
        let prefix = if reply { "↳ " } else { "" };
        TimelineEvent {
            at,
            kind: EventKind::Communication,
            text: format!(
                "{prefix}{} in #{channel}: {}",
                self.author(m),
                self.clean_text(m)
            ),
            source: "slack".to_string(),
            source_ref: Some(format!("slack:#{channel}/{}", m.ts)),
            milestone: None,
        }
    }

    /// `<@U123>` mentions as `@name`.
    fn mentions(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("<@") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('>') {
                Some(end) => {
                    let id = after[..end].split('|').next().unwrap_or_default();
                    let name = self.users.get(id).map(String::as_str).unwrap_or(id);
                    out.push('@');
                    out.push_str(name);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A Slack `ts` (`"1773151200.000200"`, seconds and microseconds) as a time.
fn slack_time(ts: &str) -> Result<DateTime<Utc>> {
    let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
    let secs: i64 = secs
        .parse()
        .map_err(|_| anyhow!("bad Slack timestamp `{ts}`"))?;
    let micros: u32 = format!("{micros:0<6}")
        .get(..6)
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| anyhow!("bad Slack timestamp `{ts}`"))?;
    DateTime::from_timestamp(secs, micros * 1000)
        .ok_or_else(|| anyhow!("Slack timestamp `{ts}` is out of range"))
}

fn member_json<T: serde::de::DeserializeOwned, R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<T> {
    let member = zip
        .by_name(name)
        .with_context(|| format!("the export has no {name}: is it a Slack export?"))?;
    let mut bytes = Vec::new();
    member
        .take(MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() as u64 > MAX_MEMBER_BYTES {
        bail!("{name} is larger than {MAX_MEMBER_BYTES} bytes");
    }
    serde_json::from_slice(&bytes).with_context(|| format!("{name} is not what Slack exports"))
}
