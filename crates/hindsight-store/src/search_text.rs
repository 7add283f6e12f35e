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

impl SearchText {
    /// How many words the text holds: what FTS5 counts as a row's length for
    /// bm25 (its tokens are runs of letters and digits too).
    pub fn length(&self) -> usize {
        [
            &self.title,
            &self.summary,
            &self.analysis,
            &self.timeline,
            &self.actions,
        ]
        .into_iter()
        .map(|text| {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .count()
        })
        .sum()
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
    let words = quoted_words(text, |w| format!("\"{w}\""), "*");
    (!words.is_empty()).then(|| words.join(" "))
}

/// The terms of a PostgreSQL query meaning the same as [`fts_query`] once joined
/// by `&`, each a `to_tsquery` input: the words quoted (so nothing in the text
/// is read as an operator), the last one marked as a prefix. Empty when the text
/// has no word at all.
pub fn ts_terms(text: &str) -> Vec<String> {
    quoted_words(
        text,
        |w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")),
        ":*",
    )
}

/// The words of `text` quoted, the last one marked as a prefix.
fn quoted_words(text: &str, quote: impl Fn(&str) -> String, prefix: &str) -> Vec<String> {
    let words = words(text);
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let quoted = quote(w);
            if i == last { quoted + prefix } else { quoted }
        })
        .collect()
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

    #[test]
    fn tsquery_terms_quote_words_and_mark_the_last_as_prefix() {
        assert_eq!(
            ts_terms("canary | !promoted <-> fast:*"),
            ["'canary'", "'promoted'", "'fast':*"]
        );
        assert_eq!(ts_terms("Über-Canary"), ["'über'", "'canary':*"]);
        assert!(ts_terms("' & !").is_empty());
    }

    #[test]
    fn length_counts_words_like_fts5_tokens() {
        let text = SearchText {
            title: "Canary: too fast!".into(),
            summary: "It's 100% bad".into(),
            analysis: String::new(),
            timeline: "x".into(),
            actions: "--".into(),
        };
        assert_eq!(text.length(), 8);
    }
}
