//! The `## Root cause` section: free text, then `### Trigger` and
//! `### Five whys` subsections.

use super::ParseError;
use super::blocks::Kind;
use super::lists;
use super::sections::{self, Part, unexpected};
use super::source::Source;
use crate::model::{Analysis, Why};

pub(super) const TRIGGER: &str = "Trigger";
pub(super) const FIVE_WHYS: &str = "Five whys";

/// Other `###` subsections stay in the root-cause text, headings and all.
pub(super) fn read(src: &Source, part: Part, analysis: &mut Analysis) -> Result<(), ParseError> {
    let (intro, subs) = sections::split(part, 3);
    let mut texts = vec![intro.text(src)];
    let mut seen: Vec<&str> = Vec::new();
    for sub in &subs {
        let known = [TRIGGER, FIVE_WHYS]
            .into_iter()
            .find(|k| sections::same_heading(k, &sub.heading));
        if let Some(known) = known {
            if seen.contains(&known) {
                return Err(src.error(
                    sub.at,
                    format!("`### {known}` appears twice under `## Root cause`"),
                ));
            }
            seen.push(known);
        }
        match known {
            Some(TRIGGER) => analysis.trigger = sub.part.text(src),
            Some(_) => analysis.five_whys = read_whys(src, sub.part)?,
            None => {
                texts.push(sections::trim_block(src.slice(sub.at..sub.part.range.1)).to_string())
            }
        }
    }
    texts.retain(|t| !t.is_empty());
    analysis.root_cause = texts.join("\n\n");
    Ok(())
}

fn read_whys(src: &Source, part: Part) -> Result<Vec<Why>, ParseError> {
    let mut whys = Vec::new();
    for block in part.blocks {
        match &block.kind {
            Kind::List { items } => {
                whys.extend(lists::items(src, items).into_iter().map(|(t, _)| why(t)));
            }
            Kind::Comment => {}
            _ => {
                return Err(unexpected(
                    src,
                    block,
                    "### Five whys",
                    "a numbered list `1. **Why ...?** Because ...`",
                ));
            }
        }
    }
    Ok(whys)
}

/// `**Question?** answer`; without bold, the question runs to the first `?`.
/// The bold ends at the first `**` followed by a space or the end, as
/// Markdown would close it (so `**Why?*** x` asks `Why?*`).
fn why(text: &str) -> Why {
    let split = |question: &str, answer: &str| Why {
        question: question.trim().to_string(),
        answer: answer.trim().to_string(),
    };
    if let Some(rest) = text.strip_prefix("**") {
        let close = rest.char_indices().map(|(i, _)| i).find(|&i| {
            let after = rest.get(i..).unwrap_or_default();
            i > 0
                && after.starts_with("**")
                && after
                    .get(2..)
                    .unwrap_or_default()
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        });
        if let Some(close) = close
            && let (Some(question), Some(answer)) = (rest.get(..close), rest.get(close + 2..))
        {
            return split(question, answer);
        }
    }
    match text.find('?') {
        Some(q) => split(
            text.get(..=q).unwrap_or(text),
            text.get(q + 1..).unwrap_or_default(),
        ),
        None => split(text, ""),
    }
}

/// One numbered item per why: `**Question?** answer` when that reads back
/// the same, else the plain text when that does.
pub(super) fn write_whys(whys: &[Why]) -> String {
    whys.iter()
        .enumerate()
        .map(|(i, w)| {
            let bold = format!("**{}** {}", w.question, w.answer);
            let plain = format!("{} {}", w.question, w.answer);
            let text = [bold.trim_end(), plain.trim()]
                .into_iter()
                .find(|t| why(t) == *w)
                .unwrap_or(bold.trim_end());
            format!("{}. {text}", i + 1)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(q: &str, a: &str) -> Why {
        Why {
            question: q.into(),
            answer: a.into(),
        }
    }

    #[test]
    fn whys_with_and_without_bold() {
        assert_eq!(
            why("**Why did it fail?** Cents."),
            w("Why did it fail?", "Cents.")
        );
        assert_eq!(why("**Why** because"), w("Why", "because"));
        assert_eq!(
            why("Why not caught? stale fixture"),
            w("Why not caught?", "stale fixture")
        );
        assert_eq!(why("no question"), w("no question", ""));
        assert_eq!(why("**unclosed? x"), w("**unclosed?", "x"));
        assert_eq!(why("**Why?*** x"), w("Why?*", "x"));
        assert_eq!(why("**a **b** c?** d"), w("a **b", "c?** d"));
        for w in [
            w("Why?*", "x"),
            w("a? b", ""),
            w("**x", ""),
            w("Why", "x?** y"),
        ] {
            assert_eq!(
                why(write_whys(std::slice::from_ref(&w)).trim_start_matches("1. ")),
                w
            );
        }
    }
}
