//! The `## Contributing factors` list: `- **category** (F1, group): text`.

use super::ParseError;
use super::blocks::Kind;
use super::lists;
use super::sections::{Part, unexpected};
use super::source::Source;
use crate::model::{ContributingFactor, FactorCategory, FishboneGroup, next_id};

pub(super) fn read(src: &Source, part: Part) -> Result<Vec<ContributingFactor>, ParseError> {
    let mut read = Vec::new();
    for block in part.blocks {
        match &block.kind {
            Kind::List { items } => {
                for (text, at) in lists::items(src, items) {
                    let (id, factor) = item(text).map_err(|m| src.error(at, m))?;
                    read.push((id, factor, at));
                }
            }
            Kind::Comment => {}
            _ => {
                return Err(unexpected(
                    src,
                    block,
                    "## Contributing factors",
                    "a list `- **category** (F1, group): text`",
                ));
            }
        }
    }
    let mut factors: Vec<ContributingFactor> = Vec::new();
    for (i, (id, factor, at)) in read.iter().enumerate() {
        if let Some(id) = id
            && read[..i]
                .iter()
                .any(|(other, ..)| other.as_ref() == Some(id))
        {
            return Err(src.error(*at, format!("contributing factor id `{id}` is used twice")));
        }
        let id = id.clone().unwrap_or_else(|| {
            let taken = read.iter().filter_map(|(id, ..)| id.as_deref());
            next_id("F", taken.chain(factors.iter().map(|f| f.id.as_str())))
        });
        factors.push(ContributingFactor {
            id,
            ..factor.clone()
        });
    }
    Ok(factors)
}

/// One item: its id if given, and the factor (with an empty id).
fn item(text: &str) -> Result<(Option<String>, ContributingFactor), String> {
    let shape = "a contributing factor is written `**category** (F1, group): text`";
    let (category, rest) = match text.strip_prefix("**") {
        Some(bold) => bold
            .split_once("**")
            .ok_or_else(|| format!("unclosed `**`; {shape}"))?,
        None => text
            .find(['(', ':'])
            .map(|i| {
                (
                    text.get(..i).unwrap_or_default(),
                    text.get(i..).unwrap_or_default(),
                )
            })
            .ok_or_else(|| shape.to_string())?,
    };
    let category: FactorCategory = category
        .parse()
        .map_err(|e: crate::vocab::UnknownWord| e.to_string())?;
    let mut rest = rest.trim_start();
    let (mut id, mut group) = (None, None);
    if let Some(inner) = rest.strip_prefix('(') {
        let (inside, after) = inner
            .split_once(')')
            .ok_or_else(|| format!("unclosed `(`; {shape}"))?;
        for word in inside.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word.parse::<FishboneGroup>() {
                Ok(g) if group.is_none() => group = Some(g),
                Ok(_) => return Err(format!("two fishbone groups in `({inside})`; {shape}")),
                Err(_) if id.is_none() => id = Some(word.to_string()),
                Err(_) => {
                    return Err(format!(
                        "`({inside})` has two ids or an unknown group (people, process, technology, environment)"
                    ));
                }
            }
        }
        rest = after.trim_start();
    }
    let text = rest.strip_prefix(':').unwrap_or(rest).trim();
    Ok((
        id,
        ContributingFactor {
            id: String::new(),
            category,
            group: group.unwrap_or(category.default_group()),
            text: text.to_string(),
        },
    ))
}

pub(super) fn write(factors: &[ContributingFactor]) -> String {
    factors
        .iter()
        .map(|f| {
            let group = if f.group == f.category.default_group() {
                String::new()
            } else {
                format!(", {}", f.group)
            };
            format!("- **{}** ({}{group}): {}", f.category, f.id, f.text)
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_with_and_without_parentheses() {
        let (id, f) = item("**canary** (F1): The canary was fast.").unwrap();
        assert_eq!(id.as_deref(), Some("F1"));
        assert_eq!(f.category, FactorCategory::Canary);
        assert_eq!(f.group, FishboneGroup::Technology);
        assert_eq!(f.text, "The canary was fast.");
        let (id, f) = item("**testing-gap** (F2, people): No test.").unwrap();
        assert_eq!(
            (id.as_deref(), f.group),
            (Some("F2"), FishboneGroup::People)
        );
        let (id, f) = item("config: a typo").unwrap();
        assert_eq!(
            (id, f.category, f.text.as_str()),
            (None, FactorCategory::Config, "a typo")
        );
        assert!(
            item("**nonsense**: x")
                .unwrap_err()
                .contains("expected one of")
        );
        assert!(item("just words").is_err());
    }
}
