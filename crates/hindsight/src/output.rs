//! Plain-text output: aligned tables, durations, highlighted snippets.

use std::io::IsTerminal;

use chrono::{DateTime, Duration, Utc};
use hindsight_store::SnippetPart;
use serde::Serialize;

/// Prints rows under headers, each column as wide as its widest cell; the last
/// column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 == widths.len() {
                out.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

/// Prints a value as pretty JSON.
pub fn json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// `3d 4h`, `1h 12m`, `45m`, `30s`; negative durations keep their sign.
pub fn duration(d: Duration) -> String {
    let sign = if d < Duration::zero() { "-" } else { "" };
    let s = d.num_seconds().unsigned_abs();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    let body = match (days, hours, minutes) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    };
    format!("{sign}{body}")
}

pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%MZ").to_string()
}

pub fn optional(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// A snippet on one line, matched words in bold on a terminal, else in [brackets].
pub fn snippet(parts: &[SnippetPart]) -> String {
    let bold = std::io::stdout().is_terminal();
    parts
        .iter()
        .map(|p| match (p.matched, bold) {
            (false, _) => p.text.clone(),
            (true, true) => format!("\x1b[1m{}\x1b[0m", p.text),
            (true, false) => format!("[{}]", p.text),
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_writes_them() {
        assert_eq!(duration(Duration::seconds(30)), "30s");
        assert_eq!(duration(Duration::minutes(45)), "45m");
        assert_eq!(duration(Duration::minutes(72)), "1h 12m");
        assert_eq!(duration(Duration::hours(76)), "3d 4h");
        assert_eq!(duration(Duration::minutes(-5)), "-5m");
    }
}
