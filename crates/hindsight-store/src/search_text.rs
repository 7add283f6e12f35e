//! What the full-text index holds for a postmortem, and how a user's query is
//! turned into an index query. Shared by every backend so they rank alike.

use hindsight_core::Postmortem;

/// The indexed text of a postmortem, one field per weighted column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    pub title: String,
    pub summary: String,
    pub analysis: String,
    pub timeline: String,
    pub actions: String,
}

impl SearchText {
    pub fn of(pm: &Postmortem) -> Self {
        let a = &pm.analysis;
        let mut analysis = vec![a.trigger.clone(), a.root_cause.clone()];
        analysis.extend(
            a.five_whys
                .iter()
                .map(|w| format!("{} {}", w.question, w.answer)),
        );
        analysis.extend(
            a.factors
                .iter()
                .map(|f| format!("{} {}", f.category, f.text)),
        );
        analysis.extend([a.detection.clone(), a.response.clone()]);
        analysis.extend(
            [
                &a.lessons.went_well,
                &a.lessons.went_wrong,
                &a.lessons.got_lucky,
            ]
            .into_iter()
            .flatten()
            .cloned(),
        );
        if let Some(r) = &pm.release {
            analysis.extend(
                r.gates
                    .iter()
                    .map(|g| format!("{} {}", g.gate, g.why_missed)),
            );
        }
        let mut summary = vec![
            pm.summary.clone(),
            pm.impact.text.clone(),
            pm.services.join(" "),
            pm.tags.join(" "),
        ];
        summary.extend(
            pm.extra_sections
                .iter()
                .map(|s| format!("{}\n{}", s.heading, s.body)),
        );
        SearchText {
            title: pm.title.clone(),
            summary: join(summary),
            analysis: join(analysis),
            timeline: join(pm.timeline.iter().map(|e| e.text.clone())),
            actions: join(
                pm.actions
                    .iter()
                    .map(|i| format!("{}\n{}\n{}", i.title, i.description, i.outcome)),
            ),
        }
    }
}

fn join(parts: impl IntoIterator<Item = String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Turns free text into an FTS5 query: every word must match (prefix match on
/// the last word, so results appear while typing); operators are not exposed.
/// `None` when the text has no word at all.
pub fn fts_query(text: &str) -> Option<String> {
    let words = words(text);
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The words of a query: runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_words_and_drop_operators() {
        assert_eq!(
            fts_query("canary NOT \"promoted\" fast*").as_deref(),
            Some("\"canary\" \"not\" \"promoted\" \"fast\"*")
        );
        assert_eq!(fts_query("  -- ()"), None);
    }
}
