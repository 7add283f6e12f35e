//! Search snippets. Every backend marks the matched words of a snippet with the
//! same two private-use characters, which carry no meaning in indexed text, and
//! splits the marked text into [`SnippetPart`]s here.

use crate::types::SnippetPart;

pub(crate) const MATCH_START: char = '\u{E000}';
pub(crate) const MATCH_END: char = '\u{E001}';
/// Stands for the text left out before or after a snippet.
pub(crate) const ELLIPSIS: &str = "…";

/// Splits a snippet marked with [`MATCH_START`]/[`MATCH_END`] into parts.
pub(crate) fn split_snippet(snippet: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    for (i, chunk) in snippet.split(MATCH_START).enumerate() {
        let (matched, rest) = match chunk.split_once(MATCH_END) {
            Some((hit, rest)) if i > 0 => (hit, rest),
            _ => ("", chunk),
        };
        for (text, is_match) in [(matched, true), (rest, false)] {
            if !text.is_empty() {
                parts.push(SnippetPart {
                    text: text.to_string(),
                    matched: is_match,
                });
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_into_matched_and_plain_parts() {
        let parts = split_snippet("…the \u{E000}canary\u{E001} went to \u{E000}100\u{E001}%");
        let shown: Vec<(bool, &str)> = parts.iter().map(|p| (p.matched, p.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (false, "…the "),
                (true, "canary"),
                (false, " went to "),
                (true, "100"),
                (false, "%")
            ]
        );
    }
}
