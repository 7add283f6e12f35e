//! The `## Release gates` table: `| Gate | Outcome | Why it did not catch this |`.

use super::ParseError;
use super::blocks::Kind;
use super::sections::{Part, unexpected};
use super::source::Source;
use super::tables;
use crate::model::GateAnalysis;
use crate::vocab::UnknownWord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Gate,
    Outcome,
    Why,
}

const NAMES: &[&str] = &["Gate", "Outcome", "Why it did not catch this"];

fn find(header: &str) -> Option<Column> {
    match header {
        "gate" => Some(Column::Gate),
        "outcome" => Some(Column::Outcome),
        h if h.starts_with("why") => Some(Column::Why),
        _ => None,
    }
}

pub(super) fn read(src: &Source, part: Part) -> Result<Vec<GateAnalysis>, ParseError> {
    let mut gates = Vec::new();
    for block in part.blocks {
        match &block.kind {
            Kind::Table { head, rows } => {
                let table = tables::read(src, head, rows);
                let columns = tables::columns(
                    src,
                    &table,
                    "release gate",
                    find,
                    NAMES,
                    &[(Column::Gate, "Gate"), (Column::Outcome, "Outcome")],
                )?;
                for row in table.rows.iter().filter(|r| !r.is_blank()) {
                    tables::check_width(src, row, columns.len(), "release gate")?;
                    let error = |e: UnknownWord| src.error(row.at, e.to_string());
                    let (mut gate, mut outcome, mut why_missed) = (None, None, String::new());
                    for (column, cell) in columns.iter().zip(&row.cells) {
                        match column {
                            Column::Gate => gate = Some(cell.parse().map_err(error)?),
                            Column::Outcome => outcome = Some(cell.parse().map_err(error)?),
                            Column::Why => why_missed = cell.clone(),
                        }
                    }
                    if let (Some(gate), Some(outcome)) = (gate, outcome) {
                        gates.push(GateAnalysis {
                            gate,
                            outcome,
                            why_missed,
                        });
                    }
                }
            }
            Kind::Comment => {}
            _ => {
                return Err(unexpected(
                    src,
                    block,
                    "## Release gates",
                    "only a table `| Gate | Outcome | Why it did not catch this |`",
                ));
            }
        }
    }
    Ok(gates)
}

pub(super) fn write(gates: &[GateAnalysis]) -> String {
    let rows: Vec<Vec<String>> = gates
        .iter()
        .map(|g| {
            vec![
                g.gate.to_string(),
                g.outcome.to_string(),
                g.why_missed.clone(),
            ]
        })
        .collect();
    tables::write(NAMES, &rows)
}
