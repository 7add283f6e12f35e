//! Where a field of a parsed postmortem is in its Markdown source.
//!
//! The format keeps free text and table cells verbatim, so a field's text
//! (or the excerpt a finding is about) can be found again in the source:
//! first the region the field comes from (a front-matter key, a section, a
//! subsection, the n-th table row or list item), then the text inside it.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Position;

/// The `##` headings the format knows (docs/format.md), lower case.
const KNOWN: &[&str] = &[
    "summary",
    "impact",
    "timeline",
    "root cause",
    "contributing factors",
    "release gates",
    "detection",
    "response",
    "lessons learned",
    "action items",
];

static ATX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
        .unwrap_or_else(|e| unreachable!("heading pattern: {e}"))
});
static DELIMITER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
        .unwrap_or_else(|e| unreachable!("delimiter pattern: {e}"))
});
static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
        .unwrap_or_else(|e| unreachable!("list item pattern: {e}"))
});
static KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^( *)([A-Za-z_][A-Za-z0-9_\-]*)\s*:")
        .unwrap_or_else(|e| unreachable!("key pattern: {e}"))
});

/// A heading and the text under it.
#[derive(Debug, Clone)]
struct Heading {
    level: usize,
    /// Lower case, runs of spaces collapsed.
    name: String,
    /// The heading's line.
    line: Range<usize>,
    /// From after the heading to the next heading of the same or a higher level.
    body: Range<usize>,
}

/// A table: its header cells and its data rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row of a table: the line and each cell's trimmed byte range.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: Range<usize>,
    pub cells: Vec<Range<usize>>,
}

/// The layout of one Markdown file.
pub struct SourceMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// Front-matter keys as dotted paths (`impact.users_affected`), each with its line.
    keys: Vec<(String, Range<usize>)>,
    body: Range<usize>,
    headings: Vec<Heading>,
}

impl<'a> SourceMap<'a> {
    pub fn new(text: &'a str) -> Self {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut map = SourceMap {
            text,
            line_starts,
            keys: Vec::new(),
            body: 0..text.len(),
            headings: Vec::new(),
        };
        map.read_front_matter();
        map.read_headings();
        map
    }

    fn lines(&self, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
        let text = self.text;
        let first = self.line_of(range.start);
        self.line_starts[first..]
            .iter()
            .map(move |&start| {
                let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
                start..end
            })
            .take_while(move |l| {
                l.start < range.end.max(range.start + 1) && l.start < text.len().max(1)
            })
    }

    /// 0-based index of the line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    fn read_front_matter(&mut self) {
        let start = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        let mut lines = self.lines(start..self.text.len());
        let Some(first) = lines.next() else { return };
        if self.text[first.clone()].trim_end() != "---" {
            return;
        }
        let mut parents: Vec<(usize, String)> = Vec::new();
        let mut keys = Vec::new();
        let mut end = None;
        for line in lines {
            let content = &self.text[line.clone()];
            if matches!(content.trim_end(), "---" | "...") {
                end = Some(line.end);
                break;
            }
            if let Some(c) = KEY.captures(content) {
                let indent = c.get(1).map_or(0, |m| m.len());
                let key = c.get(2).map_or("", |m| m.as_str()).to_string();
                parents.retain(|(i, _)| *i < indent);
                let path = parents
                    .iter()
                    .map(|(_, k)| k.as_str())
                    .chain(std::iter::once(key.as_str()))
                    .collect::<Vec<_>>()
                    .join(".");
                keys.push((path, line.clone()));
                parents.push((indent, key));
            }
        }
        if let Some(end) = end {
            self.keys = keys;
            self.body = (end + 1).min(self.text.len())..self.text.len();
        }
    }

    fn read_headings(&mut self) {
        let mut headings: Vec<Heading> = Vec::new();
        let mut fence: Option<String> = None;
        let mut in_comment = false;
        let mut previous: Option<Range<usize>> = None;
        let lines: Vec<Range<usize>> = self.lines(self.body.clone()).collect();
        for line in lines {
            let content = &self.text[line.clone()];
            let trimmed = content.trim_start();
            if let Some(f) = &fence {
                if trimmed.starts_with(f.as_str()) {
                    fence = None;
                }
                previous = None;
                continue;
            }
            if in_comment {
                in_comment = !content.contains("-->");
                previous = None;
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = Some(
                    trimmed
                        .chars()
                        .take_while(|c| *c == '`' || *c == '~')
                        .collect(),
                );
                previous = None;
                continue;
            }
            if trimmed.starts_with("<!--") && !trimmed.contains("-->") {
                in_comment = true;
                continue;
            }
            if let Some(c) = ATX.captures(content) {
                let level = c.get(1).map_or(0, |m| m.len());
                let name = c.get(2).map_or("", |m| m.as_str());
                headings.push(heading(level, name, line.clone()));
                previous = None;
                continue;
            }
            let setext = !trimmed.is_empty()
                && (trimmed.trim_end().chars().all(|c| c == '=')
                    || trimmed.trim_end().chars().all(|c| c == '-'));
            if setext && let Some(p) = previous.take() {
                let level = if trimmed.starts_with('=') { 1 } else { 2 };
                let name = self.text[p.clone()].trim();
                headings.push(heading(level, name, p.start..line.end));
                continue;
            }
            let plain = !trimmed.is_empty()
                && !trimmed.starts_with('|')
                && !ITEM.is_match(content)
                && !trimmed.starts_with('<');
            previous = plain.then_some(line);
        }
        for i in 0..headings.len() {
            let level = headings[i].level;
            let end = headings[i + 1..]
                .iter()
                .find(|h| h.level <= level)
                .map_or(self.text.len(), |h| h.line.start);
            headings[i].body = (headings[i].line.end + 1).min(end)..end;
        }
        self.headings = headings;
    }

    /// Whether the body has one of the format's known `##` sections.
    pub fn has_known_section(&self) -> bool {
        self.headings
            .iter()
            .any(|h| h.level == 2 && KNOWN.contains(&h.name.as_str()))
    }

    fn section(&self, name: &str) -> Option<&Heading> {
        self.headings
            .iter()
            .find(|h| h.level == 2 && h.name == name)
    }

    fn subsection(&self, section: &str, name: &str) -> Option<&Heading> {
        let parent = self.section(section)?;
        self.headings.iter().find(|h| {
            h.level == 3
                && h.name == name
                && parent.body.start <= h.line.start
                && h.line.start < parent.body.end
        })
    }

    fn key(&self, path: &str) -> Option<Range<usize>> {
        self.keys
            .iter()
            .find(|(k, _)| k == path)
            .map(|(_, r)| r.clone())
    }

    /// The tables in `range`, in order.
    pub fn tables(&self, range: Range<usize>) -> Vec<Table> {
        let lines: Vec<Range<usize>> = self.lines(range).collect();
        let mut tables = Vec::new();
        let mut i = 0;
        while i + 1 < lines.len() {
            let head = &self.text[lines[i].clone()];
            if head.contains('|') && DELIMITER.is_match(&self.text[lines[i + 1].clone()]) {
                let header = cells(self.text, lines[i].clone())
                    .into_iter()
                    .map(|c| self.text[c].to_lowercase())
                    .collect();
                let mut rows = Vec::new();
                let mut j = i + 2;
                while j < lines.len()
                    && self.text[lines[j].clone()].contains('|')
                    && !self.text[lines[j].clone()].trim().is_empty()
                {
                    let cells = cells(self.text, lines[j].clone());
                    if cells.iter().any(|c| !c.is_empty()) {
                        rows.push(Row {
                            line: lines[j].clone(),
                            cells,
                        });
                    }
                    j += 1;
                }
                tables.push(Table { header, rows });
                i = j;
            } else {
                i += 1;
            }
        }
        tables
    }

    fn rows(&self, range: Range<usize>) -> Vec<Range<usize>> {
        self.tables(range)
            .into_iter()
            .flat_map(|t| t.rows.into_iter().map(|r| r.line))
            .collect()
    }

    fn items(&self, range: Range<usize>) -> Vec<Range<usize>> {
        self.lines(range)
            .filter(|l| ITEM.is_match(&self.text[l.clone()]))
            .collect()
    }

    /// The tables of a known section (`timeline`, `action items`, ...).
    pub fn section_tables(&self, name: &str) -> Vec<Table> {
        self.section(name)
            .map(|s| self.tables(s.body.clone()))
            .unwrap_or_default()
    }

    /// The part of the source a field comes from, if the file has it.
    fn region(&self, field: &str) -> Option<Range<usize>> {
        let (head, index, rest) = split_path(field);
        let section_body = |name: &str| self.section(name).map(|s| s.body.clone());
        let section_all = |name: &str| self.section(name).map(|s| s.line.start..s.body.end);
        let nth = |list: Vec<Range<usize>>| index.and_then(|i| list.get(i).cloned());
        match head {
            "source" => Some(0..self.text.len()),
            "title" => self.key("title").or_else(|| {
                self.headings
                    .iter()
                    .find(|h| h.level == 1)
                    .map(|h| h.line.clone())
            }),
            "summary" => section_body("summary").or_else(|| {
                let end = self
                    .headings
                    .iter()
                    .find(|h| h.level == 2)
                    .map_or(self.text.len(), |h| h.line.start);
                Some(self.body.start..end)
            }),
            "impact" if rest == "text" => section_body("impact"),
            "timeline" => match index {
                Some(_) => self
                    .section("timeline")
                    .and_then(|s| nth(self.rows(s.body.clone()))),
                None => section_all("timeline"),
            },
            "milestones" => self
                .key(field)
                .or_else(|| self.key("milestones"))
                .or_else(|| section_all("timeline")),
            "analysis" => {
                let (part, part_index, _) = split_path(rest);
                match part {
                    "root_cause" => section_body("root cause"),
                    "trigger" => self
                        .subsection("root cause", "trigger")
                        .map(|h| h.body.clone())
                        .or_else(|| section_body("root cause")),
                    "five_whys" => {
                        let whys = self
                            .subsection("root cause", "five whys")
                            .map(|h| h.body.clone());
                        match part_index {
                            Some(i) => whys.and_then(|w| self.items(w).get(i).cloned()),
                            None => whys.or_else(|| section_all("root cause")),
                        }
                    }
                    "factors" => match part_index {
                        Some(i) => section_body("contributing factors")
                            .and_then(|b| self.items(b).get(i).cloned()),
                        None => section_all("contributing factors"),
                    },
                    "detection" => section_body("detection"),
                    "response" => section_body("response"),
                    "lessons" => {
                        let (list, list_index, _) =
                            split_path(rest.strip_prefix("lessons.").unwrap_or(""));
                        let sub = match list {
                            "went_well" => "what went well",
                            "went_wrong" => "what went wrong",
                            "got_lucky" => "where we got lucky",
                            _ => return section_all("lessons learned"),
                        };
                        let body = self
                            .subsection("lessons learned", sub)
                            .map(|h| h.body.clone());
                        list_index.and_then(|i| body.and_then(|b| self.items(b).get(i).cloned()))
                    }
                    _ => None,
                }
            }
            "release" => {
                let (part, part_index, _) = split_path(rest);
                match (part, part_index) {
                    ("gates", Some(i)) => {
                        section_body("release gates").and_then(|b| self.rows(b).get(i).cloned())
                    }
                    ("gates", None) => section_all("release gates"),
                    _ => self.key(field).or_else(|| self.key("release")),
                }
            }
            "actions" => match index {
                Some(_) if rest == "description" => section_body("action items"),
                Some(_) => section_body("action items").and_then(|b| nth(self.rows(b))),
                None => section_all("action items"),
            },
            "extra_sections" => {
                let unknown: Vec<&Heading> = self
                    .headings
                    .iter()
                    .filter(|h| h.level == 2 && !KNOWN.contains(&h.name.as_str()))
                    .collect();
                index
                    .and_then(|i| unknown.get(i))
                    .map(|h| h.line.start..h.body.end)
            }
            "extra_fields" => {
                let (key, _, _) = split_path(rest);
                self.key(key)
            }
            _ => self.key(field).or_else(|| self.key(head)),
        }
    }

    /// Where `span` of a field with text `field_text` is in the source. A
    /// finding about a whole field points at the start of its region.
    pub fn locate(&self, field: &str, field_text: &str, span: Option<&Range<usize>>) -> Position {
        let region = self.region(field);
        let at = |start: usize, end: usize| self.position(start, end);
        let fallback = || {
            let start = region
                .as_ref()
                .map_or(0, |r| r.start + leading_space(&self.text[r.clone()]));
            let end = region.as_ref().map_or(start, |r| {
                let line_end = self.text[start..]
                    .find('\n')
                    .map_or(self.text.len(), |e| start + e);
                line_end.min(r.end).max(start)
            });
            at(start, end)
        };
        let Some(span) = span.filter(|s| field_text.get((*s).clone()).is_some()) else {
            return fallback();
        };
        let search = region.clone().unwrap_or(0..self.text.len());
        let haystack = &self.text[search.clone()];
        if !field_text.is_empty()
            && let Some(found) = haystack.find(field_text)
        {
            let base = search.start + found;
            return at(base + span.start, base + span.end);
        }
        let excerpt = &field_text[span.clone()];
        if !excerpt.is_empty() {
            let nth = field_text[..span.start].matches(excerpt).count();
            for hay in [search.clone(), 0..self.text.len()] {
                if let Some((i, _)) = self.text[hay.clone()]
                    .match_indices(excerpt)
                    .nth(nth)
                    .or_else(|| self.text[hay.clone()].match_indices(excerpt).next())
                {
                    let start = hay.start + i;
                    return at(start, start + excerpt.len());
                }
            }
        }
        fallback()
    }

    /// The position of bytes `start..end`.
    pub fn position(&self, start: usize, end: usize) -> Position {
        let point = |offset: usize| {
            let offset = offset.min(self.text.len());
            let line = self.line_of(offset);
            let line_start = self.line_starts[line];
            let column = self
                .text
                .get(line_start..offset)
                .map_or(0, |s| s.chars().count())
                + 1;
            (line + 1, column)
        };
        let (line, column) = point(start);
        let (end_line, end_column) = point(end.max(start));
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |e| start + e);
        self.text[start..end].trim_end_matches('\r')
    }
}

fn heading(level: usize, name: &str, line: Range<usize>) -> Heading {
    Heading {
        level,
        name: name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
        body: line.end..line.end,
        line,
    }
}

fn leading_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// `actions[2].owner` is (`actions`, Some(2), `owner`).
fn split_path(path: &str) -> (&str, Option<usize>, &str) {
    let (first, rest) = path.split_once('.').unwrap_or((path, ""));
    match first.split_once('[') {
        Some((name, index)) => (name, index.trim_end_matches(']').parse().ok(), rest),
        None => (first, None, rest),
    }
}

/// The trimmed byte ranges of a row's cells: split at `|` not escaped by `\`.
fn cells(text: &str, line: Range<usize>) -> Vec<Range<usize>> {
    let row = &text[line.clone()];
    let mut bounds = vec![];
    let mut escaped = false;
    for (i, c) in row.char_indices() {
        if c == '|' && !escaped {
            bounds.push(i);
        }
        escaped = c == '\\';
    }
    let trimmed_start = leading_space(row);
    let starts_with_pipe = bounds.first() == Some(&trimmed_start);
    let ends_with_pipe = bounds
        .last()
        .is_some_and(|&b| row[b + 1..].trim().is_empty());
    let mut edges: Vec<usize> = Vec::new();
    if !starts_with_pipe {
        edges.push(trimmed_start.wrapping_sub(1));
    }
    edges.extend(bounds.iter().copied());
    if !ends_with_pipe {
        edges.push(row.trim_end().len());
    }
    edges
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0].wrapping_add(1), w[1]);
            let cell = &row[a.min(b)..b];
            let start = a.min(b) + leading_space(cell);
            let end = (a.min(b) + cell.trim_end().len()).max(start);
            line.start + start..line.start + end
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\ntitle: T\nimpact:\n  users_affected: 3\n---\n\n## Summary\n\nBob pushed it.\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 10:02 | Deploy starts |\n| 10:14 | Alert fires |\n\n## Action items\n\n| # | Action | Owner |\n|---|---|---|\n| A1 | Improve testing | team |\n";

    #[test]
    fn fields_are_found_in_their_regions() {
        let map = SourceMap::new(DOC);
        let p = map.locate("timeline[1].text", "Alert fires", Some(&(0..5)));
        assert_eq!((p.line, p.column), (16, 11));
        let p = map.locate("actions[0].owner", "team", Some(&(0..4)));
        assert_eq!(map.line_text(p.line), "| A1 | Improve testing | team |");
        assert_eq!(p.column, 26);
        let p = map.locate("impact.users_affected", "", None);
        assert_eq!(p.line, 4);
        let p = map.locate("summary", "Bob pushed it.", Some(&(0..3)));
        assert_eq!((p.line, p.column, p.end_column), (9, 1, 4));
        assert!(map.has_known_section());
    }

    #[test]
    fn cells_are_split_at_unescaped_pipes() {
        let text = "| a | b \\| c |  |";
        let got: Vec<&str> = cells(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(got, ["a", "b \\| c", ""]);
        let text = "a | b";
        let got: Vec<&str> = cells(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(got, ["a", "b"]);
    }
}
