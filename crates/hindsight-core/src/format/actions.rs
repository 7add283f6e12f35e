//! The `## Action items` table, then a `### <id>` subsection per longer
//! description.

use chrono::NaiveDate;

use super::ParseError;
use super::blocks::{self, Kind};
use super::sections::{self, Part, unexpected};
use super::source::Source;
use super::tables::{self, Row};
use crate::model::{ActionItem, ActionStatus, Ticket, next_id};
use crate::vocab::UnknownWord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Action,
    Type,
    Priority,
    Owner,
    Due,
    Ticket,
    Status,
    Horizon,
    Control,
    Factor,
    Outcome,
}

const NAMES: &[&str] = &[
    "#", "Action", "Type", "Priority", "Owner", "Due", "Ticket", "Status", "Horizon", "Control",
    "Factor", "Outcome",
];

fn find(header: &str) -> Option<Column> {
    Some(match header {
        "#" | "id" => Column::Id,
        "action" => Column::Action,
        "type" => Column::Type,
        "priority" => Column::Priority,
        "owner" => Column::Owner,
        "due" => Column::Due,
        "ticket" => Column::Ticket,
        "status" => Column::Status,
        "horizon" => Column::Horizon,
        "control" => Column::Control,
        "factor" => Column::Factor,
        "outcome" => Column::Outcome,
        _ => return None,
    })
}

pub(super) fn read(src: &Source, part: Part) -> Result<Vec<ActionItem>, ParseError> {
    let (intro, subs) = sections::split(part, 3);
    let mut read = Vec::new();
    for block in intro.blocks {
        match &block.kind {
            Kind::Table { head, rows } => {
                let table = tables::read(src, head, rows);
                let columns = tables::columns(
                    src,
                    &table,
                    "action item",
                    find,
                    NAMES,
                    &[(Column::Action, "Action")],
                )?;
                for row in table.rows.iter().filter(|r| !r.is_blank()) {
                    tables::check_width(src, row, columns.len(), "action item")?;
                    read.push((read_row(src, row, &columns)?, row.at));
                }
            }
            Kind::Comment => {}
            _ => {
                return Err(unexpected(
                    src,
                    block,
                    "## Action items",
                    "a table `| # | Action | ... |`, then `### A1`-style descriptions",
                ));
            }
        }
    }
    let mut actions = assign_ids(src, read)?;
    let mut described: Vec<&str> = Vec::new();
    for sub in &subs {
        let id = sub.heading.trim();
        let Some(action) = actions.iter_mut().find(|a| a.id == id) else {
            return Err(src.error(
                sub.at,
                format!(
                    "`### {id}` under `## Action items` names no action item; use the `#` of a table row"
                ),
            ));
        };
        if described.contains(&id) {
            return Err(src.error(sub.at, format!("`### {id}` appears twice")));
        }
        described.push(id);
        action.description = sub.part.text(src);
    }
    Ok(actions)
}

/// Rows without an id get the next free `A<n>`; an id used twice is an error.
fn assign_ids(
    src: &Source,
    read: Vec<((Option<String>, ActionItem), usize)>,
) -> Result<Vec<ActionItem>, ParseError> {
    let explicit: Vec<String> = read.iter().filter_map(|((id, _), _)| id.clone()).collect();
    let mut actions: Vec<ActionItem> = Vec::new();
    for ((id, action), at) in read {
        let id = match id {
            Some(id) if actions.iter().any(|a| a.id == id) => {
                return Err(src.error(at, format!("action item id `{id}` is used twice")));
            }
            Some(id) => id,
            None => next_id(
                "A",
                explicit
                    .iter()
                    .map(String::as_str)
                    .chain(actions.iter().map(|a| a.id.as_str())),
            ),
        };
        actions.push(ActionItem { id, ..action });
    }
    Ok(actions)
}

fn read_row(
    src: &Source,
    row: &Row,
    columns: &[Column],
) -> Result<(Option<String>, ActionItem), ParseError> {
    let error = |message: String| src.error(row.at, message);
    let word = |e: UnknownWord| error(e.to_string());
    let mut id = None;
    let mut action = ActionItem::new("", "");
    for (column, cell) in columns.iter().zip(&row.cells) {
        if cell.is_empty() {
            continue;
        }
        let text = Some(cell.clone());
        match column {
            Column::Id => id = text,
            Column::Action => action.title = cell.clone(),
            Column::Type => action.action_type = cell.parse().map_err(word)?,
            Column::Priority => action.priority = cell.parse().map_err(word)?,
            Column::Owner => action.owner = text,
            Column::Due => {
                action.due =
                    Some(NaiveDate::parse_from_str(cell, "%Y-%m-%d").map_err(|_| {
                        error(format!("due date `{cell}` is not a date `YYYY-MM-DD`"))
                    })?);
            }
            Column::Ticket => action.ticket = Some(read_ticket(cell)),
            Column::Status => {
                let (status, reason) = read_status(cell).map_err(error)?;
                action.status = status;
                action.wont_do_reason = reason;
            }
            Column::Horizon => action.horizon = Some(cell.parse().map_err(word)?),
            Column::Control => action.control = Some(cell.parse().map_err(word)?),
            Column::Factor => action.factor = text,
            Column::Outcome => action.outcome = cell.clone(),
        }
    }
    if action.title.is_empty() {
        return Err(error("action item row has no `Action` text".to_string()));
    }
    Ok((id, action))
}

/// `done`, or `wont-do: the reason`.
fn read_status(cell: &str) -> Result<(ActionStatus, Option<String>), String> {
    let (word, reason) = match cell.split_once(':') {
        Some((word, reason)) => (word, Some(reason.trim()).filter(|r| !r.is_empty())),
        None => (cell, None),
    };
    let status: ActionStatus = word.parse().map_err(|e: UnknownWord| e.to_string())?;
    if reason.is_some() && status != ActionStatus::WontDo {
        return Err(format!(
            "only `wont-do` takes a reason after `:`, not `{status}`"
        ));
    }
    Ok((status, reason.map(str::to_string)))
}

fn write_status(action: &ActionItem) -> String {
    match (&action.status, &action.wont_do_reason) {
        (ActionStatus::WontDo, Some(reason)) => format!("wont-do: {reason}"),
        (status, _) => status.to_string(),
    }
}

/// `provider:KEY`, `KEY`, or either as a link `[jira:OPS-1](url)`.
fn read_ticket(cell: &str) -> Ticket {
    let link = cell
        .strip_prefix('[')
        .and_then(|c| c.strip_suffix(')'))
        .and_then(|c| c.split_once("]("));
    let (label, url) = match link {
        Some((label, url)) => (label.trim(), Some(url.trim().to_string())),
        None => (cell, None),
    };
    let provider_like = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match label.split_once(':') {
        Some((provider, key)) if provider_like(provider) => Ticket {
            provider: provider.to_string(),
            key: key.trim().to_string(),
            url,
        },
        _ => Ticket {
            provider: String::new(),
            key: label.to_string(),
            url,
        },
    }
}

fn write_ticket(ticket: &Ticket) -> String {
    let label = if ticket.provider.is_empty() {
        ticket.key.clone()
    } else {
        format!("{}:{}", ticket.provider, ticket.key)
    };
    match &ticket.url {
        Some(url) => format!("[{label}]({url})"),
        None => label,
    }
}

/// Whether an item has a value for a column.
type Has = fn(&ActionItem) -> bool;

/// The table with the columns some item needs (all of them for the
/// template), then the descriptions.
pub(super) fn write(actions: &[ActionItem], all_columns: bool) -> String {
    let any = |f: fn(&ActionItem) -> bool| all_columns || actions.iter().any(f);
    let mut columns = vec![
        Column::Id,
        Column::Action,
        Column::Type,
        Column::Priority,
        Column::Owner,
        Column::Due,
    ];
    if any(|a| a.ticket.is_some()) {
        columns.push(Column::Ticket);
    }
    columns.push(Column::Status);
    let optional: [(Column, Has); 4] = [
        (Column::Horizon, |a| a.horizon.is_some()),
        (Column::Control, |a| a.control.is_some()),
        (Column::Factor, |a| a.factor.is_some()),
        (Column::Outcome, |a| !a.outcome.is_empty()),
    ];
    columns.extend(
        optional
            .iter()
            .filter(|(_, has)| any(*has))
            .map(|(c, _)| *c),
    );
    let header: Vec<&str> = columns.iter().map(|c| NAMES[*c as usize]).collect();
    let rows: Vec<Vec<String>> = actions
        .iter()
        .map(|a| columns.iter().map(|c| cell(a, *c)).collect())
        .collect();
    let mut out = tables::write(&header, &rows);
    for action in actions.iter().filter(|a| !a.description.is_empty()) {
        out.push_str(&format!(
            "\n\n{}\n\n{}",
            blocks::atx(3, &action.id),
            action.description
        ));
    }
    out
}

fn cell(a: &ActionItem, column: Column) -> String {
    let text = |t: Option<String>| t.unwrap_or_default();
    match column {
        Column::Id => a.id.clone(),
        Column::Action => a.title.clone(),
        Column::Type => a.action_type.to_string(),
        Column::Priority => a.priority.to_string(),
        Column::Owner => text(a.owner.clone()),
        Column::Due => text(a.due.map(|d| d.format("%Y-%m-%d").to_string())),
        Column::Ticket => text(a.ticket.as_ref().map(write_ticket)),
        Column::Status => write_status(a),
        Column::Horizon => text(a.horizon.map(|h| h.to_string())),
        Column::Control => text(a.control.map(|c| c.to_string())),
        Column::Factor => text(a.factor.clone()),
        Column::Outcome => a.outcome.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_with_and_without_links() {
        let t = read_ticket("[jira:PAY-311](https://acme.atlassian.net/browse/PAY-311)");
        assert_eq!((t.provider.as_str(), t.key.as_str()), ("jira", "PAY-311"));
        assert_eq!(
            t.url.as_deref(),
            Some("https://acme.atlassian.net/browse/PAY-311")
        );
        let t = read_ticket("OPS-1");
        assert_eq!(
            (t.provider.as_str(), t.key.as_str(), t.url),
            ("", "OPS-1", None)
        );
        for t in [
            Ticket {
                provider: "github".into(),
                key: "acme/app#12".into(),
                url: None,
            },
            Ticket {
                provider: String::new(),
                key: "X-1".into(),
                url: Some("https://x.example/1".into()),
            },
        ] {
            assert_eq!(read_ticket(&write_ticket(&t)), t);
        }
    }

    #[test]
    fn statuses_take_a_reason_only_for_wont_do() {
        assert_eq!(
            read_status("wont-do: replaced: by v3"),
            Ok((ActionStatus::WontDo, Some("replaced: by v3".into())))
        );
        assert_eq!(read_status("wont-do"), Ok((ActionStatus::WontDo, None)));
        assert!(
            read_status("done: yes")
                .unwrap_err()
                .contains("only `wont-do`")
        );
        assert!(
            read_status("finished")
                .unwrap_err()
                .contains("expected one of")
        );
    }
}
