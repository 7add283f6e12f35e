//! Linting a postmortem: as a value (the API) or as a Markdown file (the CLI
//! and CI), where findings get lines and columns and inline suppressions
//! apply.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use hindsight_core::Postmortem;
use hindsight_core::format::{self, ParseError};
use regex::Regex;

use crate::config::Config;
use crate::fields::text_fields;
use crate::finding::{Finding, Position, Rule};
use crate::rules::{self, Origin};
use crate::sourcemap::SourceMap;
use crate::suppress::Suppressions;

/// What linting one Markdown file found.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    /// In source order; each has a position.
    pub findings: Vec<Finding>,
    /// Set when the file does not parse and the error is not one the
    /// findings already explain; only the secret scan ran then.
    pub parse_error: Option<ParseError>,
}

/// A finding made outside the rule context, at the configured severity.
pub(crate) fn finding(
    config: &Config,
    rule: &'static Rule,
    field: &str,
    excerpt: &str,
    message: String,
    suggestion: Option<String>,
) -> Option<Finding> {
    Some(Finding {
        rule: rule.id,
        family: rule.family,
        severity: config.severity(rule)?,
        field: field.to_string(),
        span: None,
        excerpt: excerpt.to_string(),
        message,
        suggestion,
        position: None,
    })
}

/// Lints a postmortem value (from the API or the database). Findings name
/// field paths; suppression comments inside a field's text apply to that
/// field (`hindsight-disable-file` to all of it).
pub fn lint_postmortem(pm: &Postmortem, config: &Config) -> Vec<Finding> {
    let findings = rules::run(pm, config, Origin::default());
    let texts: HashMap<String, &str> = text_fields(pm)
        .into_iter()
        .map(|f| (f.path, f.text))
        .collect();
    let per_field: HashMap<&str, Suppressions> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), Suppressions::parse(t)))
        .collect();
    let mut file_wide = Suppressions::default();
    for s in per_field.values() {
        file_wide.merge_file_wide(s);
    }
    findings
        .into_iter()
        .filter(|f| {
            let Some(rule) = rules::find(f.rule) else {
                return true;
            };
            if file_wide.file_wide(rule) {
                return false;
            }
            let line = match (&f.span, texts.get(f.field.as_str())) {
                (Some(span), Some(text)) => {
                    1 + text
                        .get(..span.start)
                        .unwrap_or_default()
                        .matches('\n')
                        .count()
                }
                _ => 1,
            };
            !per_field
                .get(f.field.as_str())
                .is_some_and(|s| s.silences(rule, line))
        })
        .collect()
}

/// Lints one Markdown file.
pub fn lint_markdown(source: &str, config: &Config) -> FileReport {
    let map = SourceMap::new(source);
    let mut findings = Vec::new();
    let mut parse_error = None;
    match format::parse(source, DateTime::<Utc>::UNIX_EPOCH) {
        Ok(parsed) => {
            let pm = &parsed.postmortem;
            let origin = Origin {
                free_form: !map.has_known_section(),
                secrets_in_source: true,
            };
            let texts: HashMap<String, &str> = text_fields(pm)
                .into_iter()
                .map(|f| (f.path, f.text))
                .collect();
            for mut f in rules::run(pm, config, origin) {
                let text = texts.get(f.field.as_str()).copied().unwrap_or_default();
                f.position = Some(map.locate(&f.field, text, f.span.as_ref()));
                findings.push(f);
            }
        }
        Err(e) => {
            findings.extend(cell_checks(&map, source, config));
            if !findings
                .iter()
                .any(|f| f.position.is_some_and(|p| p.line == e.line))
            {
                let mut f = finding(
                    config,
                    &rules::PARSE_ERROR,
                    "source",
                    "",
                    e.message.clone(),
                    Some(
                        "see docs/format.md; the other checks run once the file parses".to_string(),
                    ),
                );
                if let Some(f) = f.as_mut() {
                    let width = map.line_text(e.line).chars().count();
                    f.position = Some(Position {
                        line: e.line,
                        column: 1,
                        end_line: e.line,
                        end_column: width + 1,
                    });
                }
                findings.extend(f);
                parse_error = Some(e);
            }
        }
    }
    for (rule, range, message, suggestion) in rules::scan_source_secrets(&config.secrets, source) {
        if let Some(mut f) = finding(
            config,
            rule,
            "source",
            &source[range.clone()],
            message,
            Some(suggestion),
        ) {
            f.position = Some(map.position(range.start, range.end));
            f.span = Some(range);
            findings.push(f);
        }
    }
    let suppress = Suppressions::parse(source);
    findings.retain(|f| {
        let line = f.position.map_or(1, |p| p.line);
        !rules::find(f.rule).is_some_and(|r| suppress.silences(r, line))
    });
    findings.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.rule.cmp(b.rule)));
    FileReport {
        findings,
        parse_error,
    }
}

static ZONELESS_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{4}-\d{2}-\d{2}[T ])?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
        .unwrap_or_else(|e| unreachable!("cell time pattern: {e}"))
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap_or_else(|e| unreachable!("date pattern: {e}"))
});

/// Table cells the format refuses that are lint findings in their own
/// right: a time without a zone, a due "date" such as ASAP. Only used when
/// the file does not parse, to say precisely what to fix.
fn cell_checks(map: &SourceMap, source: &str, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |rule: &'static Rule,
                   field: String,
                   range: Range<usize>,
                   message: String,
                   suggestion: String| {
        if let Some(mut f) = finding(
            config,
            rule,
            &field,
            &source[range.clone()],
            message,
            Some(suggestion),
        ) {
            f.position = Some(map.position(range.start, range.end));
            f.span = Some(range);
            out.push(f);
        }
    };
    let column = |header: &[String], test: fn(&str) -> bool| header.iter().position(|h| test(h));
    let mut row_index = 0;
    for table in map.section_tables("timeline") {
        let Some(time) = column(&table.header, |h| h.starts_with("time")) else {
            continue;
        };
        let utc = table.header.get(time).is_some_and(|h| h.contains("utc"));
        for row in &table.rows {
            if let Some(cell) = row.cells.get(time).cloned() {
                let text = &source[cell.clone()];
                let zoneless = ZONELESS_CELL.is_match(text) && (text.contains('-') || !utc);
                if zoneless {
                    add(
                        &rules::NO_TIMEZONE,
                        format!("timeline[{row_index}].time"),
                        cell,
                        format!("`{text}` has no timezone"),
                        format!("write `{text}Z` (UTC) or head the column `Time (UTC)`"),
                    );
                }
            }
            row_index += 1;
        }
    }
    let mut row_index = 0;
    for table in map.section_tables("action items") {
        let Some(due) = column(&table.header, |h| h == "due") else {
            continue;
        };
        for row in &table.rows {
            if let Some(cell) = row.cells.get(due).cloned() {
                let text = &source[cell.clone()];
                if !text.is_empty() && !DATE.is_match(text) {
                    add(
                        &rules::UNBOUNDED,
                        format!("actions[{row_index}].due"),
                        cell,
                        format!("due `{text}` is not a date: an action needs a day it is due"),
                        "write the date as YYYY-MM-DD".to_string(),
                    );
                }
            }
            row_index += 1;
        }
    }
    out
}
