//! `hindsight lint` and `hindsight score`: the quality engine on postmortem
//! files, for people (rustc-style diagnostics) and for CI (JSON, SARIF,
//! exit codes). Both work on files alone; no database is needed.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use clap::{Args, ValueEnum};
use hindsight_core::format;
use hindsight_quality::output::{self, LintedFile};
use hindsight_quality::redact::Redactor;
use hindsight_quality::rubric::{self, Rubric, Scorecard};
use hindsight_quality::{Config, FileReport, Finding, Severity, lint_markdown};

use crate::transfer::{collect_files, is_markdown_file};

/// The name of the configuration file looked for above each file.
const CONFIG_FILE: &str = ".hindsight.toml";

/// Exit code for usage, configuration and parse errors.
const BAD_INPUT: u8 = 2;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Postmortem files, or folders searched recursively for .md files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: LintFormat,
    /// Configuration file. Default: the nearest .hindsight.toml in the
    /// folder of each file or above it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Diagnostics like rustc's: file:line:col, the line, a caret, the suggestion.
    Human,
    /// One JSON object per finding.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Postmortem files (Markdown).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the scorecards as JSON.
    #[arg(long)]
    pub json: bool,
    /// Configuration file (its `[rubric] file` replaces the default rubric).
    /// Default: the nearest .hindsight.toml above each file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Runs `hindsight lint`. Exit 0 when clean (or only warnings and notes), 1
/// with error-level findings, 2 for usage, configuration or parse errors.
pub fn lint(args: &LintArgs) -> Result<ExitCode> {
    Ok(match run_lint(args) {
        Ok(code) => code,
        Err(e) => bad_input(&e),
    })
}

/// Runs `hindsight score`. Exit 0 when every file passes, 1 when one does
/// not, 2 for usage, configuration or parse errors.
pub fn score(args: &ScoreArgs) -> Result<ExitCode> {
    Ok(match run_score(args) {
        Ok(code) => code,
        Err(e) => bad_input(&e),
    })
}

fn bad_input(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(BAD_INPUT)
}

/// A file read and linted.
struct Linted {
    shown: String,
    source: String,
    findings: Vec<Finding>,
    parse_failed: bool,
}

fn run_lint(args: &LintArgs) -> Result<ExitCode> {
    let files = collect_files(&args.paths, is_markdown_file)?;
    let mut configs = Configs::new(args.config.as_deref())?;
    let root = repository_root();
    let mut linted = Vec::new();
    let mut jobs = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let key = configs.resolve(file)?;
        jobs.push((file, source, key));
    }
    let work: Vec<(&str, &Config)> = jobs
        .iter()
        .map(|(_, source, key)| (source.as_str(), configs.get(key)))
        .collect();
    let reports = lint_in_parallel(&work);
    for ((file, source, _), report) in jobs.iter().zip(reports) {
        linted.push(Linted {
            shown: shown_path(file, root.as_deref()),
            source: source.clone(),
            findings: report.findings,
            parse_failed: report.parse_error.is_some(),
        });
    }
    let views: Vec<LintedFile> = linted
        .iter()
        .map(|l| LintedFile {
            path: &l.shown,
            findings: &l.findings,
        })
        .collect();
    match args.format {
        LintFormat::Json => println!("{}", serde_json::to_string_pretty(&output::json(&views))?),
        LintFormat::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&output::sarif(&views, env!("CARGO_PKG_VERSION")))?
        ),
        LintFormat::Human => print_human(&linted),
    }
    let errors = linted
        .iter()
        .flat_map(|l| &l.findings)
        .any(|f| f.severity == Severity::Error);
    Ok(if linted.iter().any(|l| l.parse_failed) {
        ExitCode::from(BAD_INPUT)
    } else if errors {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Lints files on every core: linting is pure, so files are independent.
fn lint_in_parallel(work: &[(&str, &Config)]) -> Vec<FileReport> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = work.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(source, config)| lint_markdown(source, config))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// ANSI styles, or none when stdout is not a terminal (or NO_COLOR is set).
struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

fn print_human(linted: &[Linted]) {
    let style = Style {
        on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut counts = [0usize; 3];
    for file in linted {
        let lines: Vec<&str> = file.source.lines().collect();
        for f in &file.findings {
            counts[f.severity as usize] += 1;
            let p = f.position.unwrap_or(hindsight_quality::Position {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            });
            let gutter = p.line.to_string().len();
            let pad = " ".repeat(gutter);
            println!(
                "{}{} {}",
                style.severity(f.severity),
                style.paint("1", &format!("[{}]:", f.rule)),
                style.paint("1", &f.message)
            );
            println!(
                "{pad}{} {}:{}:{}",
                style.paint("1;34", "-->"),
                file.shown,
                p.line,
                p.column
            );
            let text = lines
                .get(p.line.saturating_sub(1))
                .copied()
                .unwrap_or_default()
                .trim_end_matches('\r');
            println!("{pad} {}", style.paint("1;34", "|"));
            println!(
                "{} {} {text}",
                style.paint("1;34", &p.line.to_string()),
                style.paint("1;34", "|")
            );
            let width = if p.end_line == p.line {
                p.end_column.saturating_sub(p.column).max(1)
            } else {
                text.chars().count().saturating_sub(p.column - 1).max(1)
            };
            let lead: String = text
                .chars()
                .take(p.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let caret = style.paint(
                if f.severity == Severity::Error {
                    "1;31"
                } else {
                    "1;33"
                },
                &"^".repeat(width),
            );
            println!("{pad} {} {lead}{caret}", style.paint("1;34", "|"));
            if let Some(s) = &f.suggestion {
                println!(
                    "{pad} {} {}: {s}",
                    style.paint("1;34", "="),
                    style.paint("1", "help")
                );
            }
            println!();
        }
    }
    let [notes, warnings, errors] = counts;
    println!(
        "{} file(s) checked: {errors} error(s), {warnings} warning(s), {notes} note(s)",
        linted.len()
    );
}

fn run_score(args: &ScoreArgs) -> Result<ExitCode> {
    let mut configs = Configs::new(args.config.as_deref())?;
    let root = repository_root();
    let today = Utc::now().date_naive();
    let mut cards: Vec<(String, Scorecard)> = Vec::new();
    for file in &args.files {
        let source = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let parsed = format::parse(&source, Utc::now())
            .map_err(|e| anyhow::anyhow!("{}:{}: {}", file.display(), e.line, e.message))?;
        let rubric = configs.rubric_for(file)?;
        let config = configs.for_file(file)?;
        let findings = lint_markdown(&source, config).findings;
        cards.push((
            shown_path(file, root.as_deref()),
            rubric::score(&parsed.postmortem, &findings, &rubric, today),
        ));
    }
    if args.json {
        let list: Vec<_> = cards
            .iter()
            .map(|(path, card)| serde_json::json!({ "path": path, "score": card }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for (path, card) in &cards {
            print_card(path, card);
        }
    }
    Ok(if cards.iter().all(|(_, c)| c.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_card(path: &str, card: &Scorecard) {
    let verdict = if card.passed { "PASS" } else { "FAIL" };
    println!(
        "{path}: {:.2} / 5 ({verdict}; passes at {:.2}{})",
        card.weighted_average,
        card.pass_threshold,
        card.floor
            .map(|f| format!(", every criterion at least {f}"))
            .unwrap_or_default()
    );
    for c in &card.criteria {
        println!("  {:<32} {} / 5  (weight {})", c.name, c.score, c.weight);
        for e in &c.evidence {
            let value = e.value.map_or("unknown".to_string(), |v| {
                if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            });
            let mark = if e.held {
                format!("{:+}", e.points)
            } else {
                " .".to_string()
            };
            println!("      {mark:>4}  {} ({} = {value})", e.label, e.fact);
        }
    }
    for failure in &card.failures {
        println!("  - {failure}");
    }
    println!();
}

/// Configurations by folder: the one given, or the nearest `.hindsight.toml`.
struct Configs {
    given: Option<(PathBuf, Config)>,
    found: HashMap<PathBuf, (Option<PathBuf>, Config)>,
    /// For folders with no configuration file.
    default: Config,
}

impl Configs {
    fn new(given: Option<&Path>) -> Result<Configs> {
        let given = given
            .map(|path| Ok::<_, anyhow::Error>((path.to_path_buf(), read_config(path)?)))
            .transpose()?;
        Ok(Configs {
            given,
            found: HashMap::new(),
            default: Config::default(),
        })
    }

    /// Finds (and reads once) the configuration of `file`'s folder; the key
    /// for [`Configs::get`].
    fn resolve(&mut self, file: &Path) -> Result<PathBuf> {
        if self.given.is_some() {
            return Ok(PathBuf::new());
        }
        let dir = std::fs::canonicalize(file)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        if !self.found.contains_key(&dir) {
            let path = dir
                .ancestors()
                .map(|d| d.join(CONFIG_FILE))
                .find(|p| p.is_file());
            let config = match &path {
                Some(p) => read_config(p)?,
                None => Config::default(),
            };
            self.found.insert(dir.clone(), (path, config));
        }
        Ok(dir)
    }

    /// The configuration of a key from [`Configs::resolve`] and the file it came from.
    fn lookup(&self, key: &Path) -> (Option<&Path>, &Config) {
        if let Some((path, config)) = &self.given {
            return (Some(path.as_path()), config);
        }
        match self.found.get(key) {
            Some((path, config)) => (path.as_deref(), config),
            None => (None, &self.default),
        }
    }

    fn get(&self, key: &Path) -> &Config {
        self.lookup(key).1
    }

    fn for_file(&mut self, file: &Path) -> Result<&Config> {
        let key = self.resolve(file)?;
        Ok(self.get(&key))
    }

    /// The rubric of `file`'s configuration: its `[rubric] file`, or the default.
    fn rubric_for(&mut self, file: &Path) -> Result<Rubric> {
        let key = self.resolve(file)?;
        let (path, config) = self.lookup(&key);
        match &config.rubric_file {
            Some(name) => {
                let base = path.and_then(Path::parent).unwrap_or(Path::new("."));
                let rubric_path = base.join(name);
                let text = std::fs::read_to_string(&rubric_path)
                    .with_context(|| format!("cannot read the rubric {}", rubric_path.display()))?;
                Rubric::parse(&text).with_context(|| format!("in {}", rubric_path.display()))
            }
            None => Ok(Rubric::default_rubric()?),
        }
    }
}

fn read_config(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration {}", path.display()))?;
    Config::parse(&text).with_context(|| format!("in {}", path.display()))
}

/// The redactor for public exports: the configuration given, or the
/// nearest `.hindsight.toml` above the current folder.
pub fn redactor(config: Option<&Path>) -> Result<Redactor> {
    let config = match config {
        Some(path) => read_config(path)?,
        None => {
            let cwd = std::env::current_dir().context("cannot find the current folder")?;
            match cwd
                .ancestors()
                .map(|d| d.join(CONFIG_FILE))
                .find(|p| p.is_file())
            {
                Some(path) => read_config(&path)?,
                None => Config::default(),
            }
        }
    };
    Ok(Redactor::new(&config))
}

/// Refuses text that still holds a secret: the last guard of a public export.
pub fn check_public(redactor: &Redactor, what: &str, text: &str) -> Result<()> {
    let leaks = redactor.leaks(text);
    if !leaks.is_empty() {
        bail!(
            "{what} still holds a secret ({}) after redaction; nothing was written",
            leaks.join(", ")
        );
    }
    Ok(())
}

/// The folder holding `.git` above the current folder, if any.
fn repository_root() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A file's path as reports show it: relative to the repository root (or
/// the current folder), with `/` separators.
fn shown_path(file: &Path, root: Option<&Path>) -> String {
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    let base = root.and_then(|r| std::fs::canonicalize(r).ok()).or(cwd);
    let relative = base
        .as_deref()
        .and_then(|b| absolute.strip_prefix(b).ok())
        .unwrap_or(file);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
