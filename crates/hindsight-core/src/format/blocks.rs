//! The top-level blocks of the Markdown body, as byte ranges of the source.
//!
//! pulldown-cmark finds the structure; the text itself is always sliced from
//! the source, so inline Markdown is kept exactly as written.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag};

use super::source::Source;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// `level` 1 to 6; `text` without the `#` marks or setext underline.
    Heading {
        level: u8,
        text: String,
    },
    /// The header line and one range per row (each one line).
    Table {
        head: Range<usize>,
        rows: Vec<Range<usize>>,
    },
    /// One range per item, marker included.
    List {
        items: Vec<Range<usize>>,
    },
    /// HTML comments and nothing else.
    Comment,
    /// A code fence or HTML block never closed, with what would close it.
    Unclosed {
        closer: String,
    },
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    pub kind: Kind,
    pub range: Range<usize>,
}

/// The top-level blocks of the source's `body` range.
pub(super) fn read(src: &Source, body: Range<usize>) -> Vec<Block> {
    let base = body.start;
    let text = src.slice(body);
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        let range = range.start + base..range.end + base;
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    open = Some(Block {
                        kind: kind_of(&tag, src.slice(range.clone())),
                        range,
                    });
                } else if depth == 1
                    && let Some(block) = open.as_mut()
                {
                    match (&mut block.kind, tag) {
                        (Kind::Table { head, .. }, Tag::TableHead) => *head = range,
                        (Kind::Table { rows, .. }, Tag::TableRow) => rows.push(range),
                        (Kind::List { items }, Tag::Item) => items.push(range),
                        _ => {}
                    }
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    blocks.extend(open.take());
                }
            }
            // A thematic break, or anything else standing alone.
            _ if depth == 0 => blocks.push(Block {
                kind: Kind::Other,
                range,
            }),
            _ => {}
        }
    }
    blocks
}

fn kind_of(tag: &Tag, raw: &str) -> Kind {
    match tag {
        Tag::Heading { level, .. } => Kind::Heading {
            level: level_number(*level),
            text: heading_text(raw),
        },
        Tag::Table(_) => Kind::Table {
            head: 0..0,
            rows: Vec::new(),
        },
        Tag::List(_) => Kind::List { items: Vec::new() },
        Tag::HtmlBlock if is_blank_or_comments(raw) => Kind::Comment,
        _ => match closer(tag, raw) {
            Some(closer) => Kind::Unclosed { closer },
            None => Kind::Other,
        },
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The words of an ATX (`## Words ##`) or setext (`Words` over `---`) heading.
fn heading_text(raw: &str) -> String {
    let raw = raw.trim();
    let first = raw.lines().next().unwrap_or_default();
    let marks = first.chars().take_while(|c| *c == '#').count();
    let after = first.get(marks..).unwrap_or_default();
    if (1..=6).contains(&marks) && (after.is_empty() || after.starts_with([' ', '\t'])) {
        let words = after.trim();
        let closed = words.trim_end_matches('#');
        let words = if closed.is_empty() || closed.ends_with([' ', '\t']) {
            closed
        } else {
            words
        };
        return words.trim().to_string();
    }
    let mut lines: Vec<&str> = raw.lines().map(str::trim).collect();
    lines.pop();
    lines.join(" ")
}

/// An ATX heading that reads back as `text`: one ending in `#` gets a
/// closing sequence, so that its own `#` is kept.
pub(super) fn atx(level: usize, text: &str) -> String {
    let marks = "#".repeat(level);
    if text.ends_with('#') {
        format!("{marks} {text} {marks}")
    } else {
        format!("{marks} {text}")
    }
}

/// HTML blocks that run until their end marker, blank lines or not.
const HTML_ENDS: &[(&str, &str)] = &[
    ("<pre", "</pre>"),
    ("<script", "</script>"),
    ("<style", "</style>"),
    ("<textarea", "</textarea>"),
    ("<!--", "-->"),
    ("<?", "?>"),
    ("<![cdata[", "]]>"),
];

/// For a code fence or HTML block that is never closed (and so runs to the
/// end of the file), the text that would close it.
fn closer(tag: &Tag, raw: &str) -> Option<String> {
    let text = raw.trim_start();
    match tag {
        Tag::CodeBlock(CodeBlockKind::Fenced(_)) => {
            let fence = text.chars().next()?;
            let width = text.chars().take_while(|c| *c == fence).count();
            let closes = |line: &str| {
                let line = line.trim();
                line.chars().count() >= width && line.chars().all(|c| c == fence)
            };
            let closed = text.lines().skip(1).any(closes);
            (!closed).then(|| fence.to_string().repeat(width))
        }
        Tag::HtmlBlock => {
            let lower = text.to_lowercase();
            let (_, end) = HTML_ENDS.iter().find(|(open, _)| {
                lower.strip_prefix(open).is_some_and(|after| {
                    !open.chars().last().is_some_and(char::is_alphabetic)
                        || after.starts_with(|c: char| c.is_whitespace() || c == '>')
                        || after.is_empty()
                })
            })?;
            // `<!-->` and `<?>` close themselves: the end may overlap the start.
            let closed = lower.get(1..).is_some_and(|after| after.contains(end));
            (!closed).then(|| end.to_string())
        }
        _ => None,
    }
}

/// Whether `text` is only whitespace and `<!-- ... -->` comments.
pub(super) fn is_blank_or_comments(text: &str) -> bool {
    let mut rest = text.trim_start();
    while rest.starts_with("<!--") {
        // From after `<!`, so that `<!-->` counts as a whole comment.
        let after = rest.get(2..).unwrap_or_default();
        match after.find("-->") {
            Some(end) => rest = after.get(end + 3..).unwrap_or_default().trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        let src = Source::new(text);
        read(&src, 0..text.len())
            .into_iter()
            .map(|b| b.kind)
            .collect()
    }

    #[test]
    fn headings_lose_their_marks() {
        assert_eq!(heading_text("## Root cause ##\n"), "Root cause");
        assert_eq!(heading_text("### C# #"), "C#");
        assert_eq!(heading_text("## C#"), "C#");
        assert_eq!(heading_text("Root\ncause\n---\n"), "Root cause");
        assert_eq!(heading_text("##"), "");
        assert_eq!(heading_text("#5\n---\n"), "#5");
        for text in ["C#", "a # #", "#", "", "x"] {
            assert_eq!(heading_text(&atx(2, text)), text);
        }
    }

    #[test]
    fn blocks_of_each_kind() {
        let text = "# T\n\n<!-- hint -->\n\n| a |\n|---|\n| 1 |\n\n- x\n- y\n\ntext\n\n---\n";
        let found = kinds(text);
        assert!(matches!(&found[0], Kind::Heading { level: 1, text } if text == "T"));
        assert_eq!(found[1], Kind::Comment);
        assert!(matches!(&found[2], Kind::Table { rows, .. } if rows.len() == 1));
        assert!(matches!(&found[3], Kind::List { items } if items.len() == 2));
        assert_eq!(found[4..], [Kind::Other, Kind::Other]);
    }

    #[test]
    fn blocks_left_open_run_to_the_end() {
        let closers = |text: &str| -> Vec<Option<String>> {
            kinds(text)
                .into_iter()
                .map(|k| match k {
                    Kind::Unclosed { closer } => Some(closer),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            closers("```rust\ncode\n```\n\n~~~~\nmore\n"),
            [None, Some("~~~~".into())]
        );
        assert_eq!(closers("<pre>\nx\n\n## h\n"), [Some("</pre>".into())]);
        assert_eq!(
            closers("<PRE>x</pre>\n\n<!-- a\n\n"),
            [None, Some("-->".into())]
        );
        assert_eq!(closers("<prefix>\n\n``` `x` ```\n"), [None, None]);
    }

    #[test]
    fn comments_only() {
        assert!(is_blank_or_comments(" <!-- a -->\n\n<!--\nb\n-->\n"));
        assert!(is_blank_or_comments(""));
        assert!(is_blank_or_comments("<!-->\n<!--->"));
        assert!(!is_blank_or_comments("<!-- a --> b"));
        assert!(!is_blank_or_comments("<!-- a"));
    }
}
