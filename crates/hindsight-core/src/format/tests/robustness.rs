//! No input makes `parse` panic, errors name a line of the file, and what is
//! accepted renders to a file that parses back the same.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::now;
use super::strategy::postmortem;
use crate::format::{parse, render};

/// Pieces of the format's syntax, to insert into valid files.
const SNIPPETS: &[&str] = &[
    "|",
    "\\|",
    "\n",
    "\n\n",
    "## Summary\n",
    "## Timeline\n",
    "## Action items\n",
    "### A1\n",
    "### Five whys\n",
    "---\n",
    "<!--",
    "-->",
    "**",
    "`",
    "```\n",
    ":",
    "- ",
    "1. ",
    "10:02",
    "Z",
    "\t",
    "# ",
    "~",
    "&a",
    "*a",
    "[",
    "]",
    "(",
    ")",
    "{",
    "é",
    "\u{feff}",
    "\r\n",
    "    ",
    "> ",
    "<pre>",
    "|---|",
    "2026-03-04",
    "title: x\n",
    "null",
    "  - ",
    "~~~",
    "<script>",
    "\n---\n",
    "===",
    "[x]: https://a.example\n",
    "\\",
    "| a | b |\n|---|---|\n",
    "1) ",
    "+ ",
    "* * *\n",
    "## Root cause\n",
    "### Trigger\n",
    "## Lessons learned\n",
    "### What went well\n",
    "## Contributing factors\n",
    "## Release gates\n",
    "# Title\n",
    "**Why?** ",
    "(F1, people)",
];

/// Applies `edits` (position, what, how much) to `text`: delete a run,
/// insert a snippet, or repeat a line.
fn mutate(text: &str, edits: &[(usize, usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, what, len) in edits {
        let at = at % (chars.len() + 1);
        match what % 3 {
            0 => {
                let end = (at + len % 40).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let snippet = SNIPPETS[len % SNIPPETS.len()];
                chars.splice(at..at, snippet.chars());
            }
            _ => {
                let start = chars[..at]
                    .iter()
                    .rposition(|c| *c == '\n')
                    .map_or(0, |i| i + 1);
                let end = chars[at..]
                    .iter()
                    .position(|c| *c == '\n')
                    .map_or(chars.len(), |i| at + i + 1);
                let line: Vec<char> = chars[start..end].to_vec();
                chars.splice(end..end, line);
            }
        }
    }
    chars.into_iter().collect()
}

/// Parsing `text` does not panic; an error names a line of it; an accepted
/// file renders to one that parses back the same.
fn check(text: &str) -> Result<(), TestCaseError> {
    match parse(text, now()) {
        Err(err) => {
            let lines = text.split('\n').count();
            prop_assert!(
                err.line >= 1 && err.line <= lines,
                "line {} of {lines}: {err}",
                err.line
            );
        }
        Ok(parsed) => {
            let rendered = render(&parsed.postmortem);
            match parse(&rendered, now()) {
                Ok(again) => prop_assert!(
                    again.postmortem == parsed.postmortem,
                    "{}\naccepted:\n{}\nrendered:\n{}",
                    first_difference(&parsed.postmortem, &again.postmortem),
                    text,
                    rendered
                ),
                Err(err) => prop_assert!(false, "{err}\naccepted:\n{text}\nrendered:\n{rendered}"),
            }
        }
    }
    Ok(())
}

/// The first line where the two values' pretty `Debug` texts differ.
fn first_difference(a: &impl std::fmt::Debug, b: &impl std::fmt::Debug) -> String {
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
    format!("first difference: {line:?}")
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn markdown_like_text_never_panics(
        text in vec(select(SNIPPETS), 0..60).prop_map(|s| s.concat()),
        front in any::<bool>(),
    ) {
        let text = if front { format!("---\ntitle: t\n---\n{text}") } else { text };
        check(&text)?;
    }

    #[test]
    fn mutated_files_never_panic(
        pm in postmortem(),
        edits in vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..6),
    ) {
        check(&mutate(&render(&pm), &edits))?;
    }
}
