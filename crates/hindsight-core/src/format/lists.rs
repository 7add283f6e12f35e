//! List items as raw text.

use std::ops::Range;

use super::blocks::is_blank_or_comments;
use super::source::Source;

/// The texts of the items, without their markers; comment-only items are skipped.
pub(super) fn items<'s>(src: &Source<'s>, items: &[Range<usize>]) -> Vec<(&'s str, usize)> {
    items
        .iter()
        .map(|r| (item_text(src.slice(r.clone())), r.start))
        .filter(|(text, _)| !is_blank_or_comments(text))
        .collect()
}

/// `- text`, `* text`, `+ text`, `1. text` or `1) text` without the marker.
fn item_text(raw: &str) -> &str {
    let raw = raw.trim_start();
    if let Some(rest) = raw.strip_prefix(['-', '*', '+']) {
        return rest.trim();
    }
    let digits = raw.bytes().take_while(u8::is_ascii_digit).count();
    raw.get(digits..)
        .and_then(|rest| rest.strip_prefix(['.', ')']))
        .unwrap_or(raw)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_dropped() {
        assert_eq!(item_text("- a b\n"), "a b");
        assert_eq!(item_text("* **x** y"), "**x** y");
        assert_eq!(item_text("12. why?\n   more\n\n"), "why?\n   more");
        assert_eq!(item_text("3) z"), "z");
        assert_eq!(item_text("-"), "");
    }
}
