//! `hindsight`: the command line of the Hindsight postmortem platform.

mod accounts;
mod actions;
mod cli;
mod database;
mod files;
mod hooks;
mod insight;
mod migrate;
mod output;
mod postmortems;
mod quality;
mod serve;
mod transfer;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Linting and the server allocate many small strings; mimalloc serves them
/// faster than the system allocator (see docs/bench/lint.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = database::Context::new(&cli.global)?;
    match cli.command {
        Command::Init(args) => database::init(&ctx, &args).await,
        Command::Demo(args) => transfer::demo(&ctx, &args).await,
        Command::New(args) => files::new(&args),
        Command::Import(args) => transfer::import(&ctx, &args).await,
        Command::Export(args) => transfer::export(&ctx, &args).await,
        Command::List(args) => postmortems::list(&ctx, &args).await,
        Command::Show(args) => postmortems::show(&ctx, &args).await,
        Command::Search(args) => postmortems::search(&ctx, &args).await,
        Command::Edit(args) => files::edit(&ctx, &args).await,
        Command::Status(args) => postmortems::status(&ctx, &args).await,
        Command::History(args) => postmortems::history(&ctx, &args).await,
        Command::Delete(args) => postmortems::delete(&ctx, &args).await,
        Command::Action(args) => actions::run(&ctx, args).await,
        Command::Migrate(args) => migrate::schema(&ctx, &args).await,
        Command::MigrateData(args) => migrate::data(&args).await,
        Command::User(command) => accounts::user(&ctx, command).await,
        Command::Token(command) => accounts::token(&ctx, command).await,
        Command::Serve(args) => serve::run(&cli.global, &ctx, &args).await,
        Command::Hooks(command) => hooks::hooks(&ctx, command).await,
        Command::Timeline(command) => hooks::timeline(&ctx, command).await,
        Command::Lint(args) => quality::lint(&args),
        Command::Score(args) => quality::score(&args),
        Command::Metrics(args) => insight::metrics(&ctx, &args).await,
        Command::Similar(args) => insight::similar(&ctx, &args).await,
        Command::Report(args) => insight::report(&ctx, &args).await,
    }
}
