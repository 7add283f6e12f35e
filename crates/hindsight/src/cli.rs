//! The command-line grammar.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use hindsight_core::{
    ActionStatus, ActionType, ControlLevel, Horizon, Kind, Priority, Severity, Status,
};

/// Blameless, structured postmortems whose action items actually close.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Database: a SQLite file path, a sqlite: URL or a postgres:// URL
    /// (also HINDSIGHT_DB). Default: hindsight/hindsight.db in the user's data
    /// folder (~/.local/share on Linux).
    #[arg(
        long = "database-url",
        visible_alias = "db",
        global = true,
        env = "HINDSIGHT_DATABASE_URL",
        value_name = "URL|PATH"
    )]
    pub database_url: Option<String>,
    /// Who is making changes, for the audit log. Default: $USER.
    #[arg(long, global = true, env = "HINDSIGHT_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or migrate) the database and print where it is.
    Init(InitArgs),
    /// Load the demo data set: about 60 realistic postmortems over 18 months.
    Demo(DemoArgs),
    /// Write a new postmortem file from the template of its kind.
    New(NewArgs),
    /// Import postmortem files (Markdown or JSON) or folders of them; idempotent by id.
    Import(ImportArgs),
    /// Export postmortems as Markdown or JSON.
    Export(ExportArgs),
    /// List postmortems.
    List(ListArgs),
    /// Show one postmortem with its derived durations.
    Show(ShowArgs),
    /// Full-text search over titles, summaries, analyses, timelines and action items.
    Search(SearchArgs),
    /// Edit a postmortem as Markdown in $EDITOR; saved with a version check.
    Edit(HandleArgs),
    /// Move a postmortem through its workflow: draft, in-review, final, closed.
    Status(StatusArgs),
    /// Show the audit history of a postmortem: who changed what, when.
    History(HistoryArgs),
    /// Delete a postmortem (its audit history is kept).
    Delete(DeleteArgs),
    /// Add, update and list action items.
    #[command(subcommand)]
    Action(ActionCommand),
    /// Apply the database's schema migrations and show which are applied.
    Migrate(MigrateArgs),
    /// Copy everything from one database to another, empty one (e.g. SQLite to
    /// PostgreSQL), and verify the copy by counts and checksum.
    MigrateData(MigrateDataArgs),
    /// Manage accounts: add, list, update, set a password.
    #[command(subcommand)]
    User(crate::accounts::UserCommand),
    /// Manage API tokens: create (shown once), list, revoke.
    #[command(subcommand)]
    Token(crate::accounts::TokenCommand),
    /// Run the HTTP server: the JSON API, health checks and metrics.
    Serve(crate::serve::ServeArgs),
    /// Webhook deliveries: list them with their status and errors, replay one.
    #[command(subcommand)]
    Hooks(crate::hooks::HooksCommand),
    /// Add evidence to a postmortem's timeline (a Slack export's messages).
    #[command(subcommand)]
    Timeline(crate::hooks::TimelineCommand),
    /// Check postmortem files for blame, vague actions, missing sections,
    /// timeline problems and secrets (no database needed).
    Lint(crate::quality::LintArgs),
    /// Score postmortem files against the rubric, with the evidence for each score.
    Score(crate::quality::ScoreArgs),
    /// Metrics across postmortems: MTTD, MTTA, MTTM, MTTR, recurrence, RCA
    /// completeness, action closure, postmortem lag, error budget.
    Metrics(crate::insight::MetricsArgs),
    /// The past postmortems most similar to a stored one or to a file (a draft).
    Similar(crate::insight::SimilarArgs),
    /// The periodic review (e.g. a quarter) as Markdown or self-contained HTML.
    Report(crate::insight::ReportArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Print the schema as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MigrateDataArgs {
    /// The database to copy from: a SQLite path, sqlite: URL or postgres:// URL.
    #[arg(long, value_name = "URL|PATH")]
    pub from: String,
    /// The database to copy into; it must hold no data yet (it is created and
    /// migrated if needed; a PostgreSQL database must exist).
    #[arg(long, value_name = "URL|PATH")]
    pub to: String,
    /// Print what was copied as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Also load the demo data set.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Anchor the data set on this day instead of today (for reproducible runs).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Title of the postmortem.
    pub title: String,
    #[arg(long, default_value = "incident")]
    pub kind: Kind,
    #[arg(long)]
    pub severity: Option<Severity>,
    /// Affected service (repeatable).
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// File to write; `-` for standard output. Default: a file named after the title.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or folders (searched recursively for .md and .json files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Check every file and report what would happen, without saving.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Postmortems to export (id or key).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub handles: Vec<String>,
    /// Export every postmortem.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Folder to write one file per postmortem into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Export for publication: secrets, email addresses and the configured
    /// patterns are replaced by `[REDACTED:<kind>]`; restricted postmortems
    /// are refused (skipped with --all).
    #[arg(long)]
    pub public: bool,
    /// Configuration with the redaction patterns (with --public). Default:
    /// the nearest .hindsight.toml above the current folder.
    #[arg(long, value_name = "FILE", requires = "public")]
    pub config: Option<PathBuf>,
}

/// Filters shared by `list` and `search`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long)]
    pub severity: Option<Severity>,
    #[arg(long)]
    pub kind: Option<Kind>,
    #[arg(long)]
    pub status: Option<Status>,
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// Incidents started on or after this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Incidents started before this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    #[arg(long)]
    pub limit: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to look for (all must match; the last may be a prefix).
    #[arg(required = true)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Id or key (e.g. PM-12).
    pub handle: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HandleArgs {
    /// Id or key (e.g. PM-12).
    pub handle: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Id or key (e.g. PM-12).
    pub handle: String,
    /// The new status.
    pub to: Status,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Id or key (e.g. PM-12); a deleted postmortem needs its id.
    pub handle: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Id or key (e.g. PM-12).
    pub handle: String,
    /// Confirm the deletion.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action item to a postmortem.
    Add(ActionAddArgs),
    /// Change fields of an action item.
    Update(ActionUpdateArgs),
    /// List action items across postmortems, earliest due first.
    List(ActionListArgs),
}

/// Fields of an action item that can be set from the command line.
#[derive(Debug, Args)]
pub struct ActionFields {
    #[arg(long = "type")]
    pub action_type: Option<ActionType>,
    #[arg(long)]
    pub priority: Option<Priority>,
    #[arg(long)]
    pub horizon: Option<Horizon>,
    #[arg(long)]
    pub control: Option<ControlLevel>,
    /// One named person.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub due: Option<NaiveDate>,
    /// The measurable result that proves it worked.
    #[arg(long)]
    pub outcome: Option<String>,
    /// Id of the contributing factor it addresses (e.g. F2).
    #[arg(long)]
    pub factor: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Ticket as provider:KEY (e.g. jira:OPS-12).
    #[arg(long)]
    pub ticket: Option<String>,
    #[arg(long)]
    pub ticket_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ActionAddArgs {
    /// Id or key of the postmortem.
    pub handle: String,
    /// What to do, starting with a verb.
    pub title: String,
    #[command(flatten)]
    pub fields: ActionFields,
}

#[derive(Debug, Args)]
pub struct ActionUpdateArgs {
    /// Id or key of the postmortem.
    pub handle: String,
    /// Id of the action item (e.g. A2).
    pub id: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub status: Option<ActionStatus>,
    /// Why it won't be done (with --status wont-do).
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub fields: ActionFields,
}

#[derive(Debug, Args)]
pub struct ActionListArgs {
    /// Only unfinished items past their due date.
    #[arg(long)]
    pub overdue: bool,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long)]
    pub status: Option<ActionStatus>,
    /// Only the items of this postmortem.
    #[arg(long, value_name = "HANDLE")]
    pub postmortem: Option<String>,
    #[arg(long)]
    pub json: bool,
}
