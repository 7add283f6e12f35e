//! The source text with its line starts, to turn byte offsets into lines.

use std::ops::Range;

use super::ParseError;

pub(super) struct Source<'a> {
    pub text: &'a str,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source { text, line_starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .max(1)
    }

    /// The text of `range`, or nothing when it is not a valid range of the source.
    pub fn slice(&self, range: Range<usize>) -> &'a str {
        self.text.get(range).unwrap_or_default()
    }

    /// An error about the line holding byte `offset`.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line(offset),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines() {
        let src = Source::new("ab\ncd\n\nef");
        assert_eq!(src.line(0), 1);
        assert_eq!(src.line(2), 1);
        assert_eq!(src.line(3), 2);
        assert_eq!(src.line(6), 3);
        assert_eq!(src.line(7), 4);
        assert_eq!(src.line(100), 4);
    }
}
