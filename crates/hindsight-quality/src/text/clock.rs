//! Clock times written in prose ("at 14:32", "9:16 PM PDT") and whether a
//! timezone says which 14:32 they mean.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Compiles a clock pattern with ASCII digits and word boundaries: Unicode
/// `\d` and `\b` make large automata and keep searches off the fast DFA.
fn ascii(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&pattern.replace(r"\d", "[0-9]").replace(r"\b", r"(?-u:\b)"))
}

const ZONE: &str = r"(?:UTC|GMT|Z|UT|(?:UTC|GMT)\s?[+-−]\s?\d{1,2}(?::?\d{2})?|[+-−]\d{2}:?\d{2}|(?:PT|ET|CT|MT|PST|PDT|EST|EDT|CST|CDT|MST|MDT|AKST|AKDT|HST|BST|IST|CET|CEST|EET|EEST|WET|WEST|JST|KST|SGT|HKT|AEST|AEDT|ACST|NZST|NZDT|MSK|BRT|ART|SAST|WIB|PHT)|(?:Pacific|Eastern|Central|Mountain)(?:\s+(?:Standard|Daylight))?(?:\s+Time)?)\b";

const TIME: &str = r"(?:(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s?[AaPp]\.?[Mm]\.?)?|(?:1[0-2]|0?[1-9])\s?(?:[AaPp]\.[Mm]\.|[AaPp][Mm]\b))";

static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    ascii(&format!(r"(?:\b\d{{4}}-\d{{2}}-\d{{2}}[T ]|\b){TIME}"))
        .unwrap_or_else(|e| unreachable!("clock pattern: {e}"))
});

/// A zone right after a time, or after a range to a second time ("9:16 PM to 11:16 PM PDT").
static ZONE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    ascii(&format!(
        r"^(?:\s*(?:-|–|—|to|until|till|and|through)\s*{TIME})?\s*\(?\s*{ZONE}"
    ))
    .unwrap_or_else(|e| unreachable!("zone pattern: {e}"))
});

/// "All times are UTC", "times in PDT", "Time (UTC)".
static DECLARATION: LazyLock<Regex> = LazyLock::new(|| {
    ascii(&format!(
        r"(?i:\btimes?\b)[\x00-\x09\x0b-\x2d\x2f-\x7f]{{0,40}}?\b{ZONE}"
    ))
    .unwrap_or_else(|e| unreachable!("declaration pattern: {e}"))
});

/// A clock time in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub range: Range<usize>,
    pub zoned: bool,
}

/// The clock times of `text`, skipping those inside code spans.
pub fn clock_times(text: &str, code: &[Range<usize>]) -> Vec<Clock> {
    CLOCK
        .find_iter(text)
        .filter(|m| {
            !code
                .iter()
                .any(|c| c.start <= m.start() && m.end() <= c.end)
        })
        .filter(|m| {
            // A number such as 3:1 inside a longer number or word is not a time.
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == ':' || c == '.')
                && !after.is_some_and(|c| c.is_ascii_digit() || c == ':')
        })
        .map(|m| {
            let rest = &text[m.end()..];
            Clock {
                range: m.range(),
                zoned: ZONE_AFTER.is_match(rest),
            }
        })
        .collect()
}

/// Whether `text` says once which timezone its times are in.
pub fn declares_zone(text: &str) -> bool {
    DECLARATION.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoned(text: &str) -> Vec<bool> {
        clock_times(text, &[])
            .into_iter()
            .map(|c| c.zoned)
            .collect()
    }

    #[test]
    fn times_know_their_zone() {
        assert_eq!(zoned("from 9:16 PM to 11:16 PM PDT"), [true, true]);
        assert_eq!(zoned("at 14:32 the pods restarted"), [false]);
        assert_eq!(zoned("at 14:32 UTC and 15:00Z"), [true, true]);
        assert_eq!(
            zoned("2026-03-04T10:02:00Z and 2026-03-04 10:02"),
            [true, false]
        );
        assert_eq!(zoned("a 3:1 ratio, version 1.2:30, at 9am (UTC+2)"), [true]);
        assert!(declares_zone("All times are in Pacific Time."));
        assert!(!declares_zone("The time was short."));
    }
}
