//! Inline suppression: HTML comments in the Markdown that silence rules.
//!
//! - `<!-- hindsight-ignore RULES -->` on a line with other text silences
//!   that line; alone on its line, the next non-blank line. Inside a table
//!   cell it silences the row.
//! - `<!-- hindsight-disable RULES -->` ... `<!-- hindsight-enable RULES -->`
//!   silences the lines between (to the end without an `enable`).
//! - `<!-- hindsight-disable-file RULES -->` silences the whole file.
//!
//! RULES is a list of rule ids (`blame/human-error`) or families (`blame`),
//! separated by commas or spaces; none means every rule. Anything after a
//! colon is the reason, for the reader: `<!-- hindsight-ignore
//! blame/animated-language: quoting the customer -->`.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Rule;

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!--\s*hindsight-(ignore|disable-file|disable|enable)\b((?s:.)*?)-->")
        .unwrap_or_else(|e| unreachable!("directive pattern: {e}"))
});

/// What a directive does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ignore,
    Disable,
    Enable,
    DisableFile,
}

/// Which rules a directive names: empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector(pub Vec<String>);

impl Selector {
    pub fn matches(&self, rule: &Rule) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|s| {
                s == "all"
                    || s.eq_ignore_ascii_case(rule.id)
                    || s.eq_ignore_ascii_case(rule.family.as_str())
            })
    }
}

/// One directive found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub action: Action,
    pub selector: Selector,
    /// 1-based line of the comment's start.
    pub line: usize,
}

/// Reads the words of a directive after its name: rules, then `: reason`.
pub fn parse_selector(words: &str) -> Selector {
    let rules = words.split(':').next().unwrap_or_default();
    Selector(
        rules
            .split([',', ' ', '\t', '\n', '\r'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect(),
    )
}

/// Every directive of `text`, in order.
pub fn directives(text: &str) -> Vec<Directive> {
    DIRECTIVE
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let action = match c.get(1)?.as_str() {
                "ignore" => Action::Ignore,
                "disable" => Action::Disable,
                "enable" => Action::Enable,
                _ => Action::DisableFile,
            };
            Some(Directive {
                action,
                selector: parse_selector(c.get(2).map_or("", |m| m.as_str())),
                line: 1 + text[..whole.start()].matches('\n').count(),
            })
        })
        .collect()
}

/// The suppressions of one text (a whole file, or one field of a postmortem).
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    file: Vec<Selector>,
    /// Lines silenced by `ignore`.
    lines: Vec<(usize, Selector)>,
    /// Inclusive line ranges silenced by `disable`/`enable`.
    regions: Vec<(usize, usize, Selector)>,
}

impl Suppressions {
    pub fn parse(text: &str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Suppressions::default();
        let mut open: Vec<(usize, Selector)> = Vec::new();
        for d in directives(text) {
            match d.action {
                Action::DisableFile => out.file.push(d.selector),
                Action::Ignore => {
                    let own = lines.get(d.line - 1).copied().unwrap_or_default();
                    let rest = DIRECTIVE.replace_all(own, "");
                    let target = if rest.trim().is_empty() {
                        (d.line..lines.len())
                            .find(|&i| !lines[i].trim().is_empty())
                            .map_or(d.line, |i| i + 1)
                    } else {
                        d.line
                    };
                    out.lines.push((target, d.selector));
                }
                Action::Disable => open.push((d.line, d.selector)),
                Action::Enable => {
                    // An enable closes the disables it names (or all of them).
                    let (closed, kept): (Vec<_>, Vec<_>) = open.drain(..).partition(|(_, s)| {
                        d.selector.0.is_empty()
                            || s.0.iter().any(|r| d.selector.0.contains(r))
                            || s.0.is_empty()
                    });
                    open = kept;
                    out.regions
                        .extend(closed.into_iter().map(|(start, s)| (start, d.line, s)));
                }
            }
        }
        out.regions
            .extend(open.into_iter().map(|(start, s)| (start, usize::MAX, s)));
        out
    }

    /// Whether `rule` is silenced on 1-based `line`.
    pub fn silences(&self, rule: &Rule, line: usize) -> bool {
        self.file_wide(rule)
            || self
                .lines
                .iter()
                .any(|(l, s)| *l == line && s.matches(rule))
            || self
                .regions
                .iter()
                .any(|(a, b, s)| *a <= line && line <= *b && s.matches(rule))
    }

    /// Whether `rule` is silenced everywhere.
    pub fn file_wide(&self, rule: &Rule) -> bool {
        self.file.iter().any(|s| s.matches(rule))
    }

    /// Adds another text's file-wide suppressions.
    pub fn merge_file_wide(&mut self, other: &Suppressions) {
        self.file.extend(other.file.iter().cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    fn rule(id: &str) -> &'static Rule {
        rules::find(id).unwrap()
    }

    #[test]
    fn ignore_applies_to_its_line_or_the_next() {
        let text = "a human error <!-- hindsight-ignore blame/human-error -->\n<!-- hindsight-ignore blame -->\n\nunacceptable\nlast";
        let s = Suppressions::parse(text);
        assert!(s.silences(rule("blame/human-error"), 1));
        assert!(!s.silences(rule("blame/judgement"), 1));
        assert!(s.silences(rule("blame/animated-language"), 4));
        assert!(!s.silences(rule("blame/animated-language"), 5));
    }

    #[test]
    fn regions_and_files() {
        let text =
            "<!-- hindsight-disable action: legacy table -->\nx\n<!-- hindsight-enable -->\ny\n";
        let s = Suppressions::parse(text);
        assert!(s.silences(rule("action/vague"), 2));
        assert!(!s.silences(rule("action/vague"), 4));
        assert!(!s.silences(rule("blame/judgement"), 2));
        let s = Suppressions::parse("z\n<!-- hindsight-disable-file timeline/gap, secret -->");
        assert!(s.silences(rule("timeline/gap"), 1));
        assert!(s.silences(rule("secret/jwt"), 99));
        assert!(!s.silences(rule("timeline/no-timezone"), 1));
    }
}
