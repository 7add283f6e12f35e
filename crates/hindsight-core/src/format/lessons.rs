//! The `## Lessons learned` section: three `###` subsections of bullets.

use super::ParseError;
use super::blocks::Kind;
use super::lists;
use super::sections::{self, Part, unexpected};
use super::source::Source;
use crate::model::Lessons;

pub(super) const WENT_WELL: &str = "What went well";
pub(super) const WENT_WRONG: &str = "What went wrong";
pub(super) const GOT_LUCKY: &str = "Where we got lucky";
const EXPECTED: &str =
    "`### What went well`, `### What went wrong` and `### Where we got lucky`, each a list";

pub(super) fn read(src: &Source, part: Part) -> Result<Lessons, ParseError> {
    let (intro, subs) = sections::split(part, 3);
    if let Some(block) = intro.first_content() {
        return Err(unexpected(src, block, "## Lessons learned", EXPECTED));
    }
    let mut lessons = Lessons::default();
    let mut seen: Vec<&str> = Vec::new();
    for sub in subs {
        let Some(known) = [WENT_WELL, WENT_WRONG, GOT_LUCKY]
            .into_iter()
            .find(|k| sections::same_heading(k, &sub.heading))
        else {
            return Err(src.error(
                sub.at,
                format!(
                    "unknown subsection `### {}` under `## Lessons learned`, expected {EXPECTED}",
                    sub.heading
                ),
            ));
        };
        if seen.contains(&known) {
            return Err(src.error(
                sub.at,
                format!("`### {known}` appears twice under `## Lessons learned`"),
            ));
        }
        seen.push(known);
        let list = match known {
            WENT_WELL => &mut lessons.went_well,
            WENT_WRONG => &mut lessons.went_wrong,
            _ => &mut lessons.got_lucky,
        };
        for block in sub.part.blocks {
            match &block.kind {
                Kind::List { items } => list.extend(
                    lists::items(src, items)
                        .into_iter()
                        .map(|(t, _)| t.to_string()),
                ),
                Kind::Comment => {}
                _ => {
                    return Err(unexpected(
                        src,
                        block,
                        &format!("### {known}"),
                        "a list, one lesson per `- ` item",
                    ));
                }
            }
        }
    }
    Ok(lessons)
}

/// The subsections that have items.
pub(super) fn write(lessons: &Lessons) -> Vec<(&'static str, String)> {
    [
        (WENT_WELL, &lessons.went_well),
        (WENT_WRONG, &lessons.went_wrong),
        (GOT_LUCKY, &lessons.got_lucky),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(heading, items)| {
        let list = items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>();
        (heading, list.join("\n"))
    })
    .collect()
}
