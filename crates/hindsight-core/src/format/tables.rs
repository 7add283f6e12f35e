//! GitHub-flavoured Markdown tables: cells split from the raw row text, so a
//! row with the wrong number of cells is seen (pulldown-cmark pads or drops
//! cells), and a `|` inside a cell is written `\|`.

use std::ops::Range;

use super::ParseError;
use super::source::Source;

pub(super) struct Table {
    pub header: Vec<String>,
    /// Byte offset of the header line.
    pub at: usize,
    pub rows: Vec<Row>,
}

pub(super) struct Row {
    pub cells: Vec<String>,
    /// Byte offset of the row.
    pub at: usize,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }
}

pub(super) fn read(src: &Source, head: &Range<usize>, rows: &[Range<usize>]) -> Table {
    Table {
        header: cells(src.slice(head.clone())),
        at: head.start,
        rows: rows
            .iter()
            .map(|r| Row {
                cells: cells(src.slice(r.clone())),
                at: r.start,
            })
            .collect(),
    }
}

/// The cells of one row: split at `|` not preceded by `\`, outer pipes
/// dropped, each cell trimmed and unescaped.
pub(super) fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let line = match line.strip_suffix('|') {
        Some(inner) if !inner.ends_with('\\') => inner,
        _ => line,
    };
    let mut cells = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if c == '|' && !escaped {
            cells.push(line.get(start..i).unwrap_or_default());
            start = i + 1;
        }
        escaped = c == '\\';
    }
    cells.push(line.get(start..).unwrap_or_default());
    cells
        .into_iter()
        .map(|c| c.trim().replace("\\|", "|"))
        .collect()
}

/// Cell text: one line, with `|` escaped.
pub(super) fn escape(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ")
}

/// A table with `header`; cells are escaped here.
pub(super) fn write(header: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let mut out = String::from("|");
        for cell in cells {
            if cell.is_empty() {
                out.push_str(" |");
            } else {
                out.push_str(&format!(" {cell} |"));
            }
        }
        out
    };
    let mut out = vec![
        line(&mut header.iter().map(|h| h.to_string())),
        format!("|{}", "---|".repeat(header.len())),
    ];
    out.extend(
        rows.iter()
            .map(|row| line(&mut row.iter().map(|c| escape(c)))),
    );
    out.join("\n")
}

/// Which column each header cell is, or an error naming the unknown one.
pub(super) fn columns<C: Copy + PartialEq>(
    src: &Source,
    table: &Table,
    what: &str,
    find: impl Fn(&str) -> Option<C>,
    names: &[&str],
    required: &[(C, &str)],
) -> Result<Vec<C>, ParseError> {
    let mut found = Vec::new();
    for header in &table.header {
        let Some(column) = find(&header.to_lowercase()) else {
            return Err(src.error(
                table.at,
                format!(
                    "unknown {what} column `{header}`, expected: {}",
                    names.join(", ")
                ),
            ));
        };
        if found.contains(&column) {
            return Err(src.error(table.at, format!("{what} column `{header}` appears twice")));
        }
        found.push(column);
    }
    for (column, name) in required {
        if !found.contains(column) {
            return Err(src.error(
                table.at,
                format!("the {what} table needs a `{name}` column"),
            ));
        }
    }
    Ok(found)
}

/// Errors unless `row` has one cell per column.
pub(super) fn check_width(
    src: &Source,
    row: &Row,
    columns: usize,
    what: &str,
) -> Result<(), ParseError> {
    if row.cells.len() == columns {
        return Ok(());
    }
    Err(src.error(
        row.at,
        format!(
            "{what} row has {} cells, expected {columns} (one per column of the header)",
            row.cells.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_at_unescaped_pipes() {
        assert_eq!(cells("| a | b \\| c | `x|y` |"), ["a", "b | c", "`x", "y`"]);
        assert_eq!(cells("a | b"), ["a", "b"]);
        assert_eq!(cells("| a |  |\n"), ["a", ""]);
        assert_eq!(cells("| a \\|"), ["a |"]);
    }

    #[test]
    fn escaped_cells_split_back() {
        let text = "a|b \\| `c|d`";
        let row = write(&["x", "y"], &[vec![text.to_string(), String::new()]]);
        let last = row.lines().last().unwrap();
        assert_eq!(cells(last), [text, ""]);
    }
}
