//! The `## Timeline` table.

use chrono::{DateTime, Utc};

use super::ParseError;
use super::blocks::Kind;
use super::sections::{Part, unexpected};
use super::source::Source;
use super::tables::{self, Row};
use super::time::{self, Reading};
use crate::model::{EventKind, MANUAL_SOURCE, Milestone, Milestones, TimelineEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Time,
    Kind,
    Event,
    Milestone,
    Source,
    Ref,
}

const NAMES: &[&str] = &["Time (UTC)", "Kind", "Event", "Milestone", "Source", "Ref"];

fn find(header: &str) -> Option<Column> {
    Some(match header {
        h if h.starts_with("time") => Column::Time,
        "kind" => Column::Kind,
        "event" => Column::Event,
        "milestone" => Column::Milestone,
        "source" => Column::Source,
        "ref" => Column::Ref,
        _ => return None,
    })
}

/// A row read, its time not yet resolved.
struct Pending {
    time: String,
    at: usize,
    /// The time column's header says `(UTC)`.
    utc: bool,
    event: TimelineEvent,
}

pub(super) fn read(
    src: &Source,
    part: Part,
    milestones: &Milestones,
) -> Result<Vec<TimelineEvent>, ParseError> {
    let mut pending = Vec::new();
    for block in part.blocks {
        match &block.kind {
            Kind::Table { head, rows } => {
                let table = tables::read(src, head, rows);
                let columns = tables::columns(
                    src,
                    &table,
                    "timeline",
                    find,
                    NAMES,
                    &[(Column::Time, "Time"), (Column::Event, "Event")],
                )?;
                let utc = table.header.iter().any(|h| {
                    let h = h.to_lowercase();
                    h.starts_with("time") && h.contains("utc")
                });
                for row in table.rows.iter().filter(|r| !r.is_blank()) {
                    tables::check_width(src, row, columns.len(), "timeline")?;
                    pending.push(read_row(src, row, &columns, utc)?);
                }
            }
            Kind::Comment => {}
            _ => {
                return Err(unexpected(
                    src,
                    block,
                    "## Timeline",
                    "only a table `| Time (UTC) | Event |`",
                ));
            }
        }
    }
    let started = milestones.started.or_else(|| {
        pending.iter().find_map(|p| match time::read(&p.time) {
            Reading::Full(at) if p.event.milestone == Some(Milestone::Started) => Some(at),
            _ => None,
        })
    });
    pending
        .into_iter()
        .map(|p| {
            let at = resolve(&p, started).map_err(|m| src.error(p.at, m))?;
            Ok(TimelineEvent { at, ..p.event })
        })
        .collect()
}

fn read_row(src: &Source, row: &Row, columns: &[Column], utc: bool) -> Result<Pending, ParseError> {
    let mut pending = Pending {
        time: String::new(),
        at: row.at,
        utc,
        event: TimelineEvent::note(DateTime::<Utc>::MIN_UTC, ""),
    };
    let event = &mut pending.event;
    for (column, cell) in columns.iter().zip(&row.cells) {
        let error = |e: crate::vocab::UnknownWord| src.error(row.at, e.to_string());
        match column {
            Column::Time => pending.time = cell.clone(),
            Column::Kind if !cell.is_empty() => event.kind = cell.parse().map_err(error)?,
            Column::Event => event.text = cell.clone(),
            Column::Milestone if !cell.is_empty() => {
                event.milestone = Some(cell.parse().map_err(error)?);
            }
            Column::Source if !cell.is_empty() => event.source = cell.clone(),
            Column::Ref if !cell.is_empty() => event.source_ref = Some(cell.clone()),
            _ => {}
        }
    }
    Ok(pending)
}

/// The row's time in UTC; `HH:MM` is on the day of `started`.
fn resolve(p: &Pending, started: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, String> {
    let text = p.time.trim();
    match time::read(text) {
        Reading::Full(at) => Ok(at),
        Reading::TimeOfDay { time, utc } if utc || p.utc => match started {
            Some(day) => Ok(time::on_day_of(day, time)),
            None => Err(format!(
                "time `{text}` has no date: set `milestones.started` in the front matter (its day is used) or write a full timestamp such as `2026-03-04T{text}:00Z`"
            )),
        },
        Reading::TimeOfDay { .. } => Err(format!(
            "time `{text}` has no timezone; write `{text}Z`-style full timestamps or head the column `Time (UTC)`"
        )),
        Reading::NoTimezone => Err(format!(
            "time `{text}` has no timezone; add `Z` (UTC) or an offset such as `+02:00`"
        )),
        Reading::DateOnly => Err(format!(
            "time `{text}` is a date without a time; write a full timestamp such as `{text}T10:02:00Z`"
        )),
        Reading::Invalid if text.is_empty() => Err("timeline row has no time".to_string()),
        Reading::Invalid => Err(format!(
            "`{text}` is not a time; expected `HH:MM` under a `Time (UTC)` header or a timestamp such as `2026-03-04T10:02:00Z`"
        )),
    }
}

/// The table, with only the columns some event needs; times on the start
/// day are `HH:MM`. `all_columns` writes every column (for the template).
pub(super) fn write(
    events: &[TimelineEvent],
    started: Option<DateTime<Utc>>,
    all_columns: bool,
) -> String {
    let any = |f: fn(&TimelineEvent) -> bool| all_columns || events.iter().any(f);
    let mut columns = vec![Column::Time];
    if any(|e| e.kind != EventKind::Note) {
        columns.push(Column::Kind);
    }
    columns.push(Column::Event);
    if any(|e| e.milestone.is_some()) {
        columns.push(Column::Milestone);
    }
    if any(|e| e.source != MANUAL_SOURCE) {
        columns.push(Column::Source);
    }
    if any(|e| e.source_ref.is_some()) {
        columns.push(Column::Ref);
    }
    let header: Vec<&str> = columns.iter().map(|c| NAMES[*c as usize]).collect();
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            columns
                .iter()
                .map(|c| match c {
                    Column::Time => {
                        time::write_clock(e.at, started).unwrap_or_else(|| time::write(e.at))
                    }
                    Column::Kind => e.kind.to_string(),
                    Column::Event => e.text.clone(),
                    Column::Milestone => e.milestone.map(|m| m.to_string()).unwrap_or_default(),
                    Column::Source => e.source.clone(),
                    Column::Ref => e.source_ref.clone().unwrap_or_default(),
                })
                .collect()
        })
        .collect();
    tables::write(&header, &rows)
}
