//! Splits a file into its YAML front matter and its Markdown body.

use std::ops::Range;

use super::ParseError;
use super::source::Source;

/// Where the parts of a file are, as byte ranges of the source.
pub(super) struct Document {
    /// The YAML between the `---` lines, if the file starts with one.
    pub front_matter: Option<Range<usize>>,
    pub body: Range<usize>,
}

/// Finds the front matter: a first line `---`, up to the next line that is
/// `---` (or YAML's document end `...`).
pub(super) fn split(src: &Source) -> Result<Document, ParseError> {
    let text = src.text;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = lines_from(text, start);
    let Some((_, first)) = lines.next() else {
        return Ok(Document {
            front_matter: None,
            body: start..text.len(),
        });
    };
    if first.trim_end() != "---" {
        return Ok(Document {
            front_matter: None,
            body: start..text.len(),
        });
    }
    let yaml_start = start + first.len();
    for (at, line) in lines {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Ok(Document {
                front_matter: Some(yaml_start..at),
                body: at + line.len()..text.len(),
            });
        }
    }
    Err(src.error(
        start,
        "the front matter that starts here has no closing `---` line",
    ))
}

/// The lines of `text` from byte `start`, each with its offset and its newline.
fn lines_from(text: &str, start: usize) -> impl Iterator<Item = (usize, &str)> {
    let rest = text.get(start..).unwrap_or_default();
    rest.split_inclusive('\n').scan(start, |at, line| {
        let here = *at;
        *at += line.len();
        Some((here, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_between_the_dashes() {
        let text = "---\ntitle: x\n---\n\nbody\n";
        let src = Source::new(text);
        let doc = split(&src).unwrap();
        assert_eq!(&text[doc.front_matter.unwrap()], "title: x\n");
        assert_eq!(&text[doc.body], "\nbody\n");
    }

    #[test]
    fn a_file_without_dashes_is_all_body() {
        let src = Source::new("# Title\n");
        let doc = split(&src).unwrap();
        assert!(doc.front_matter.is_none());
        assert_eq!(doc.body, 0..8);
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_one() {
        let err = split(&Source::new("---\ntitle: x\n")).err().unwrap();
        assert_eq!(err.line, 1);
    }
}
