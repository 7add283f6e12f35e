//! The postmortem Markdown file format (see `docs/format.md`): YAML front
//! matter for the structured fields, then Markdown sections under fixed `##`
//! headings.
//!
//! [`render`] then [`parse`] gives back the same [`Postmortem`]. Parsing works
//! on byte ranges of the source (from pulldown-cmark and serde-saphyr), so free
//! text and table cells keep their inline Markdown verbatim and every error
//! names the 1-based line of the whole file it is about.

mod actions;
mod analysis;
mod blocks;
mod document;
mod factors;
mod fields;
mod free_form;
mod front_matter;
mod front_matter_out;
mod gates;
mod lessons;
mod lists;
mod render;
mod sections;
mod source;
mod tables;
mod time;
mod timeline;
mod yaml;
mod yaml_out;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::model::Postmortem;

/// A parse error at a 1-based line of the source (the caller prefixes the file path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Which bookkeeping fields the file gave; the rest were defaulted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    pub id: bool,
    pub key: bool,
    pub version: bool,
    pub created_at: bool,
    pub updated_at: bool,
}

/// A parsed file: the postmortem and which bookkeeping fields it named.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub postmortem: Postmortem,
    pub given: Given,
}

/// Parses one postmortem file.
///
/// `now` fills `created_at`/`updated_at` when the file has none; a file
/// without an id gets a new v4 UUID, one without a version gets 0.
pub fn parse(source: &str, now: DateTime<Utc>) -> Result<Parsed, ParseError> {
    let src = source::Source::new(source);
    let doc = document::split(&src)?;
    let body = sections::Body::read(&src, doc.body);
    let free_form = !body.has_known_section();
    let fm = front_matter::read(&src, doc.front_matter, free_form, now)?;
    let front_matter::FrontMatter {
        mut postmortem,
        given,
        title,
        summary_lead,
        fallback_title,
    } = fm;
    sections::apply(&src, &body, &mut postmortem)?;
    if let Some(lead) = summary_lead {
        postmortem.summary = join_paragraphs(&lead, &postmortem.summary);
    }
    postmortem.title = title
        .or_else(|| body.title.clone())
        .or(fallback_title)
        .ok_or_else(|| ParseError {
            line: 1,
            message: "missing `title`: add `title: ...` to the front matter".to_string(),
        })?;
    Ok(Parsed { postmortem, given })
}

/// Writes a postmortem as a file that [`parse`] reads back unchanged.
pub fn render(pm: &Postmortem) -> String {
    render::document(pm, render::Mode::Export)
}

/// A fresh file for `hindsight new`: the front matter filled from `pm`, every
/// section of its kind present, empty ones holding a short HTML-comment hint
/// (`<!-- ... -->`) on what to write. Hints parse as empty fields.
pub fn template(pm: &Postmortem) -> String {
    render::document(pm, render::Mode::Template)
}

/// `first`, a blank line, then `second`; either may be empty.
fn join_paragraphs(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (true, _) => second.to_string(),
        (_, true) => first.to_string(),
        _ => format!("{first}\n\n{second}"),
    }
}
