//! Full-text search on PostgreSQL, built to give the same results in the same
//! order as SQLite's FTS5 search.
//!
//! - Matching: every word must match, the last as a prefix ([`ts_terms`] joined
//!   by `&`, parsed by `to_tsquery('english', ...)`), through the GIN index. The `english`
//!   configuration stems like FTS5's porter tokenizer but also drops stop words
//!   ("the", "on", ...), which FTS5 indexes: a query of stop words only finds
//!   nothing here, and stop words among other words are ignored.
//! - Ranking: FTS5's own bm25 (k1 = 1.2, b = 0.75), computed here rather than
//!   approximated with `ts_rank`, whose AND ranking is about proximity (far-apart
//!   words score 0) and which has no IDF. Per query term, the weighted term
//!   frequency is `ts_rank_cd` of the single term with normalisation 0 (the sum of
//!   the weights of its occurrences; the weights 1.0/0.4/0.3/0.2 are SQLite's
//!   10/4/3/2/2 over 10, tsvector having one class for timeline and actions); the
//!   IDF counts the postmortems matching the term; the length is FTS5's token
//!   count, stored beside the text. Ties are broken by age (`seq`), as on SQLite.
//! - Snippets: `ts_headline` of each column, marked with the shared match
//!   characters; the column is chosen as FTS5's `snippet()` chooses it, and `…`
//!   marks cut text on either side.

use std::collections::HashSet;

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

use super::rows::{SUMMARY_COLUMNS, summary};
use crate::Result;
use crate::search_text::ts_terms;
use crate::snippet::{ELLIPSIS, MATCH_END, MATCH_START, split_snippet};
use crate::sql::{push_filter, push_limit};
use crate::types::{Filter, SearchHit};

/// `ts_rank_cd` weights, in its order: D, C, B, A.
const WEIGHTS: &str = "'{0.2, 0.3, 0.4, 1.0}'";

/// The indexed text columns, heaviest first.
const COLUMNS: [&str; 5] = ["title", "summary", "analysis", "timeline", "actions"];

/// Snippets of about 16 words, as FTS5's, around the best-matching fragment.
fn headline_options() -> String {
    format!(
        "StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords={SNIPPET_WORDS}, MinWords=8, \
         MaxFragments=1"
    )
}

pub(super) async fn search(pool: &PgPool, query: &str, filter: &Filter) -> Result<Vec<SearchHit>> {
    let terms = ts_terms(query);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    // `query` selects (every word), `any` highlights: FTS5 marks every instance of
    // any word, and ts_headline finds no fragment for an AND query whose words
    // are far apart or in different columns.
    let mut q = QueryBuilder::<Postgres>::new(
        "WITH q AS (
            SELECT to_tsquery('english', array_to_string(x.terms, ' & ')) AS query,
                to_tsquery('english', array_to_string(x.terms, ' | ')) AS any,
                x.terms, x.options
            FROM (SELECT ",
    );
    q.push_bind(terms)
        .push("::text[] AS terms, ")
        .push_bind(headline_options())
        .push(format!(
            "::text AS options) x
             ),
             terms AS (SELECT to_tsquery('english', t) AS query FROM q, unnest(q.terms) AS t),
             corpus AS MATERIALIZED (
                SELECT count(*)::float8 AS n, greatest(avg(tokens), 1)::float8 AS avgdl
                FROM postmortem_search
             ),
             -- Computed once, not per hit (a CTE used once would be inlined).
             idf AS MATERIALIZED (
                SELECT t.query,
                    greatest(ln((c.n - h.n + 0.5) / (h.n + 0.5)), 1e-6) AS idf
                FROM terms t CROSS JOIN corpus c CROSS JOIN LATERAL (
                    SELECT count(*)::float8 AS n FROM postmortem_search s
                    WHERE s.document @@ t.query
                ) h
             ),
             -- bm25 as FTS5 computes it, k1 = 1.2 and b = 0.75.
             hits AS (
                SELECT p.seq, (
                    SELECT sum(i.idf * tf.f * 2.2
                        / (tf.f + 1.2 * (0.25 + 0.75 * s.tokens / c.avgdl)))
                    FROM idf i CROSS JOIN LATERAL (
                        SELECT round(10 * ts_rank_cd({WEIGHTS}, s.document, i.query, 0))::float8 AS f
                    ) tf
                ) AS rank
                FROM q, corpus c, postmortem_search s JOIN postmortems p ON p.seq = s.seq
                WHERE s.document @@ q.query"
        ));
    push_filter(&mut q, filter);
    q.push(" ORDER BY rank DESC, p.seq");
    push_limit(&mut q, Some(filter.limit.unwrap_or(50)));
    // Headlines are costly (they re-parse the text), so only for the hits kept.
    let headlines: Vec<String> = COLUMNS
        .iter()
        .map(|c| {
            format!(
                "s.{c} AS {c}_text, ts_headline('english', s.{c}, q.any, q.options) AS {c}_headline"
            )
        })
        .collect();
    q.push(format!(
        ")
        SELECT {SUMMARY_COLUMNS}, h.rank, {}
        FROM hits h JOIN postmortems p ON p.seq = h.seq
            JOIN postmortem_search s ON s.seq = h.seq CROSS JOIN q
        ORDER BY h.rank DESC, p.seq",
        headlines.join(", ")
    ));
    let rows = q.build().fetch_all(pool).await?;
    rows.iter().map(hit).collect()
}

fn hit(row: &PgRow) -> Result<SearchHit> {
    let columns = COLUMNS
        .iter()
        .map(|c| {
            Ok((
                row.try_get::<&str, _>(format!("{c}_text").as_str())?,
                row.try_get::<&str, _>(format!("{c}_headline").as_str())?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchHit {
        postmortem: summary(row)?,
        score: row.try_get("rank")?,
        snippet: split_snippet(&best_snippet(&columns)),
    })
}

/// Snippets of at most this many words, as SQLite asks FTS5 for.
const SNIPPET_WORDS: usize = 16;

/// The snippet to show from `(text, headline)` per column, heaviest column first.
fn best_snippet(columns: &[(&str, &str)]) -> String {
    let mut best: Option<(usize, &str, &str)> = None;
    for &(text, headline) in columns {
        let score = snippet_score(text, headline);
        if best.is_none_or(|(top, _, _)| score > top) {
            best = Some((score, text, headline));
        }
    }
    match best {
        Some((_, text, headline)) => with_ellipses(text, headline),
        None => String::new(),
    }
}

/// FTS5's snippet score: 1000 per distinct matched word, 1 per repeat, and 100
/// more in a column longer than a snippet (FTS5 adds it to the window starting
/// at the sentence of a match, which such a column nearly always has). So a
/// match in a long summary beats the same match in a short title, as on SQLite.
fn snippet_score(text: &str, headline: &str) -> usize {
    let matched: Vec<String> = headline
        .split(MATCH_START)
        .skip(1)
        .filter_map(|chunk| chunk.split_once(MATCH_END))
        .map(|(word, _)| word.to_lowercase())
        .collect();
    let distinct = matched.iter().collect::<HashSet<_>>().len();
    if distinct == 0 {
        return 0;
    }
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    let long = if words > SNIPPET_WORDS { 100 } else { 0 };
    distinct * 1000 + (matched.len() - distinct) + long
}

/// The headline with `…` where it cuts words off the column's text.
fn with_ellipses(text: &str, headline: &str) -> String {
    let headline = headline.trim();
    let plain: String = headline
        .chars()
        .filter(|c| *c != MATCH_START && *c != MATCH_END)
        .collect();
    let Some(at) = text.find(&plain) else {
        return headline.to_string();
    };
    let cut = |rest: &str| rest.chars().any(char::is_alphanumeric);
    let before = if cut(&text[..at]) { ELLIPSIS } else { "" };
    let after = if cut(&text[at + plain.len()..]) {
        ELLIPSIS
    } else {
        ""
    };
    format!("{before}{headline}{after}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_with_most_distinct_matches_wins_heavier_first_on_ties() {
        let columns = [
            ("Disk full", "Disk full"),
            ("The canary host.", "The \u{E000}canary\u{E001} host."),
            (
                "A canary on the primary disk.",
                "A \u{E000}canary\u{E001} on the primary \u{E000}disk\u{E001}.",
            ),
            ("canary disk", "\u{E000}canary\u{E001} \u{E000}disk\u{E001}"),
        ];
        assert_eq!(
            best_snippet(&columns),
            "A \u{E000}canary\u{E001} on the primary \u{E000}disk\u{E001}."
        );
        assert_eq!(
            best_snippet(&columns[..2]),
            "The \u{E000}canary\u{E001} host."
        );
        assert_eq!(best_snippet(&columns[..1]), "Disk full");
        assert_eq!(best_snippet(&[]), "");
    }

    #[test]
    fn repeats_count_little_and_long_columns_beat_short_ones() {
        assert_eq!(
            snippet_score(
                "Canary and canary",
                "\u{E000}Canary\u{E001} and \u{E000}canary\u{E001}"
            ),
            1001
        );
        let long = "The canary went to all users in one step because the rollout \
                    policy had no pause between its steps at all.";
        assert_eq!(snippet_score(long, "The \u{E000}canary\u{E001} went"), 1100);
        assert_eq!(snippet_score("no match here", "no match here"), 0);
        let title = ("Canary too fast", "\u{E000}Canary\u{E001} too fast");
        let summary = (long, "The \u{E000}canary\u{E001} went to all users");
        assert_eq!(
            best_snippet(&[title, summary]),
            "The \u{E000}canary\u{E001} went to all users…"
        );
    }

    #[test]
    fn ellipses_mark_cut_words_not_cut_punctuation() {
        let text = "First words. Then the resolver failed on the edge. And more after.";
        assert_eq!(
            with_ellipses(text, "Then the \u{E000}resolver\u{E001} failed on the edge"),
            "…Then the \u{E000}resolver\u{E001} failed on the edge…"
        );
        assert_eq!(
            with_ellipses(
                "The resolver failed.",
                "The \u{E000}resolver\u{E001} failed"
            ),
            "The \u{E000}resolver\u{E001} failed"
        );
        assert_eq!(with_ellipses("abc", "not in it"), "not in it");
    }
}
