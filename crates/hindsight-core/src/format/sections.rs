//! The body's `##` sections: which are known, and where each one's content goes.

use std::ops::Range;

use super::blocks::{self, Block, Kind};
use super::render::HINTS;
use super::source::Source;
use super::{ParseError, actions, analysis, factors, gates, lessons, timeline};
use crate::model::{Milestone, Postmortem, Section};

/// The sections the format knows, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    Summary,
    Impact,
    Timeline,
    RootCause,
    ContributingFactors,
    ReleaseGates,
    Detection,
    Response,
    LessonsLearned,
    ActionItems,
}

impl Known {
    pub const ALL: [Known; 10] = [
        Known::Summary,
        Known::Impact,
        Known::Timeline,
        Known::RootCause,
        Known::ContributingFactors,
        Known::ReleaseGates,
        Known::Detection,
        Known::Response,
        Known::LessonsLearned,
        Known::ActionItems,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            Known::Summary => "Summary",
            Known::Impact => "Impact",
            Known::Timeline => "Timeline",
            Known::RootCause => "Root cause",
            Known::ContributingFactors => "Contributing factors",
            Known::ReleaseGates => "Release gates",
            Known::Detection => "Detection",
            Known::Response => "Response",
            Known::LessonsLearned => "Lessons learned",
            Known::ActionItems => "Action items",
        }
    }

    fn find(heading: &str) -> Option<Known> {
        Known::ALL
            .into_iter()
            .find(|k| same_heading(k.heading(), heading))
    }
}

/// Headings match without regard to case or runs of spaces.
pub(super) fn same_heading(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    words(a) == words(b)
}

/// Blocks and the byte range they cover: the content under one heading.
#[derive(Clone, Copy)]
pub(super) struct Part<'b> {
    pub blocks: &'b [Block],
    pub range: (usize, usize),
}

impl<'b> Part<'b> {
    /// The raw text, trimmed.
    pub fn raw<'s>(&self, src: &Source<'s>) -> &'s str {
        trim_block(src.slice(self.range.0..self.range.1))
    }

    /// Free Markdown: the raw text without the template's hints; empty when
    /// only comments are left.
    pub fn text(&self, src: &Source) -> String {
        let mut text = self.raw(src).to_string();
        if text.contains("<!--") {
            for hint in HINTS {
                text = text.replace(&format!("<!-- {hint} -->"), "");
            }
        }
        if blocks::is_blank_or_comments(&text) {
            String::new()
        } else {
            trim_block(&text).to_string()
        }
    }

    /// The first block that is not a comment.
    pub fn first_content(&self) -> Option<&'b Block> {
        self.blocks.iter().find(|b| b.kind != Kind::Comment)
    }
}

/// `text` without its trailing whitespace and leading blank lines; the
/// indentation of the first line stays (it may make a code block).
pub(super) fn trim_block(text: &str) -> &str {
    let text = text.trim_end();
    let blank: usize = text
        .split_inclusive('\n')
        .take_while(|line| line.trim().is_empty())
        .map(str::len)
        .sum();
    text.get(blank..).unwrap_or(text)
}

/// A heading and the part under it.
pub(super) struct Sub<'b> {
    pub heading: String,
    /// Byte offset of the heading.
    pub at: usize,
    pub part: Part<'b>,
}

/// Splits `part` at its headings of `level`: the text before the first, then
/// each heading with what follows it.
pub(super) fn split(part: Part<'_>, level: u8) -> (Part<'_>, Vec<Sub<'_>>) {
    let starts: Vec<usize> = part
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(&b.kind, Kind::Heading { level: l, .. } if *l == level))
        .map(|(i, _)| i)
        .collect();
    let end_of = |k: usize| {
        starts
            .get(k + 1)
            .map_or(part.range.1, |&i| part.blocks[i].range.start)
    };
    let first = starts.first().copied().unwrap_or(part.blocks.len());
    let intro = Part {
        blocks: &part.blocks[..first],
        range: (
            part.range.0,
            part.blocks
                .get(first)
                .map_or(part.range.1, |b| b.range.start),
        ),
    };
    let subs = starts
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let heading = &part.blocks[i];
            let until = starts.get(k + 1).copied().unwrap_or(part.blocks.len());
            Sub {
                heading: match &heading.kind {
                    Kind::Heading { text, .. } => text.clone(),
                    _ => String::new(),
                },
                at: heading.range.start,
                part: Part {
                    blocks: &part.blocks[i + 1..until],
                    range: (heading.range.end, end_of(k)),
                },
            }
        })
        .collect();
    (intro, subs)
}

/// The body: its blocks, an optional `#` title at the top.
pub(super) struct Body {
    blocks: Vec<Block>,
    range: Range<usize>,
    /// The `#` heading at the top, if any.
    pub title: Option<String>,
}

impl Body {
    pub fn read(src: &Source, range: Range<usize>) -> Body {
        let mut blocks = blocks::read(src, range.clone());
        let mut range = range;
        let mut title = None;
        if let Some(i) = blocks.iter().position(|b| b.kind != Kind::Comment)
            && let Kind::Heading { level: 1, text } = &blocks[i].kind
        {
            title = Some(text.clone()).filter(|t| !t.is_empty());
            range.start = blocks[i].range.end;
            blocks.drain(..=i);
        }
        Body {
            blocks,
            range,
            title,
        }
    }

    fn parts(&self) -> (Part<'_>, Vec<Sub<'_>>) {
        split(
            Part {
                blocks: &self.blocks,
                range: (self.range.start, self.range.end),
            },
            2,
        )
    }

    pub fn has_known_section(&self) -> bool {
        self.parts()
            .1
            .iter()
            .any(|s| Known::find(&s.heading).is_some())
    }
}

/// Fills `pm`'s Markdown fields from the body's sections.
pub(super) fn apply(src: &Source, body: &Body, pm: &mut Postmortem) -> Result<(), ParseError> {
    let (preamble, sections) = body.parts();
    let lead = preamble.text(src);
    if !lead.is_empty() {
        if sections
            .iter()
            .any(|s| Known::find(&s.heading) == Some(Known::Summary))
        {
            let at = preamble
                .first_content()
                .map_or(preamble.range.0, |b| b.range.start);
            return Err(src.error(
                at,
                "text before the first `##` heading; move it under `## Summary` or another `##` heading",
            ));
        }
        pm.summary = lead;
    }
    let mut seen: Vec<(Known, usize)> = Vec::new();
    for section in &sections {
        let Some(known) = Known::find(&section.heading) else {
            pm.extra_sections.push(Section {
                heading: section.heading.clone(),
                body: section.part.raw(src).to_string(),
            });
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == known) {
            return Err(src.error(
                section.at,
                format!(
                    "`## {}` appears twice (first at line {}); each known section may appear once",
                    known.heading(),
                    src.line(*first)
                ),
            ));
        }
        seen.push((known, section.at));
        read_section(src, known, section.part, pm)?;
    }
    if let Some(block) = body.blocks.last()
        && let Kind::Unclosed { closer } = &block.kind
    {
        return Err(src.error(
            block.range.start,
            format!("this block is never closed, so it runs to the end of the file; close it with `{closer}`"),
        ));
    }
    for milestone in Milestone::ALL {
        if pm.milestones.get(*milestone).is_none() {
            let tagged = pm.timeline.iter().find(|e| e.milestone == Some(*milestone));
            pm.milestones.set(*milestone, tagged.map(|e| e.at));
        }
    }
    Ok(())
}

fn read_section(
    src: &Source,
    known: Known,
    part: Part,
    pm: &mut Postmortem,
) -> Result<(), ParseError> {
    match known {
        Known::Summary => pm.summary = part.text(src),
        Known::Impact => pm.impact.text = part.text(src),
        Known::Timeline => pm.timeline = timeline::read(src, part, &pm.milestones)?,
        Known::RootCause => analysis::read(src, part, &mut pm.analysis)?,
        Known::ContributingFactors => pm.analysis.factors = factors::read(src, part)?,
        Known::ReleaseGates => {
            let gates = gates::read(src, part)?;
            if !gates.is_empty() {
                pm.release.get_or_insert_default().gates = gates;
            }
        }
        Known::Detection => pm.analysis.detection = part.text(src),
        Known::Response => pm.analysis.response = part.text(src),
        Known::LessonsLearned => pm.analysis.lessons = lessons::read(src, part)?,
        Known::ActionItems => pm.actions = actions::read(src, part)?,
    }
    Ok(())
}

/// The error for a block a structured section has no place for.
pub(super) fn unexpected(src: &Source, block: &Block, under: &str, expected: &str) -> ParseError {
    src.error(
        block.range.start,
        format!("unexpected content under `{under}`: expected {expected}"),
    )
}
