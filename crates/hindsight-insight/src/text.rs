//! Words for the similarity index: lower-cased, English stop words (NLTK's
//! list) dropped, stemmed (Snowball English).

use std::collections::{HashMap, HashSet};

use rust_stemmers::{Algorithm, Stemmer};

/// Word -> stem, filled as words are met.
pub type Stems = HashMap<String, String>;

/// Splits text into words and stems them.
pub struct Tokenizer {
    stemmer: Stemmer,
    stop_words: HashSet<&'static str>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokenizer(english)")
    }
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer {
            stemmer: Stemmer::create(Algorithm::English),
            stop_words: stop_words::lookup("en")
                .unwrap_or_default()
                .iter()
                .copied()
                .collect(),
        }
    }
}

impl Tokenizer {
    /// Calls `each(stem, word)` for every word of `text`: runs of letters and
    /// digits of at least two characters that are not only digits nor stop words.
    ///
    /// `stems` remembers the stem of each word seen: stemming is most of the
    /// cost of indexing, and a vocabulary is far smaller than a text.
    pub fn each(&self, text: &str, stems: &mut Stems, mut each: impl FnMut(&str, &str)) {
        let mut lower = String::new();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().nth(1).is_none() || word.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            if self.stop_words.contains(lower.as_str()) {
                continue;
            }
            let stem = match stems.get(lower.as_str()) {
                Some(stem) => stem,
                None => stems
                    .entry(lower.clone())
                    .or_insert_with(|| self.stemmer.stem(&lower).into_owned()),
            };
            each(stem, &lower);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowered_stemmed_and_numbers_dropped() {
        let mut out = Vec::new();
        let mut stems = Stems::new();
        Tokenizer::default().each(
            "Connection pools EXHAUSTED at 12:04, a 503",
            &mut stems,
            |s, w| out.push((s.to_string(), w.to_string())),
        );
        let stems: Vec<&str> = out.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(stems, ["connect", "pool", "exhaust"]);
        assert_eq!(out[0].1, "connection");
    }
}
