//! Similar postmortems: a BM25 index over each postmortem's text, services
//! and factor categories.
//!
//! Text is the title (counted twice), summary, trigger, root cause, five
//! whys, contributing factors, detection and tags. Each service and factor
//! category is also indexed as a token of its own (`svc:checkout`,
//! `cat:config`) with a boosted term frequency, so sharing them raises the
//! score the way sharing a rare word does. A query is the other postmortem
//! reduced to its structured tokens and its most distinctive words
//! ("more like this"), which keeps a query over 100,000 postmortems to a few
//! posting lists. Build the index once; query it many times.

use std::collections::HashMap;

use hindsight_core::{FactorCategory, Postmortem};
use serde::Serialize;
use uuid::Uuid;

use crate::metrics::{categories_in, category_mask};
use crate::text::{Stems, Tokenizer};

/// Tuning of the index and its queries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalisation.
    pub b: f32,
    /// How many of the query's most distinctive words are searched for.
    pub query_words: usize,
    /// Term frequency given to each service token.
    pub service_weight: u32,
    /// Term frequency given to each factor-category token.
    pub category_weight: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            k1: 1.2,
            b: 0.75,
            query_words: 128,
            service_weight: 3,
            category_weight: 3,
        }
    }
}

/// One result, with why it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: Uuid,
    pub handle: String,
    pub title: String,
    pub score: f64,
    pub shared_services: Vec<String>,
    pub shared_factors: Vec<FactorCategory>,
    /// Distinctive words both share, most distinctive first (at most five).
    pub shared_words: Vec<String>,
    /// For people: "same service (checkout), same factor: config; words: pool, timeout".
    pub reason: String,
}

#[derive(Debug)]
struct Doc {
    id: Uuid,
    handle: String,
    title: String,
    services: Vec<String>,
    categories: u32,
}

/// The BM25 index.
#[derive(Debug)]
pub struct SimilarIndex {
    params: Params,
    tokenizer: Tokenizer,
    terms: HashMap<String, u32>,
    /// A word as written, for each term id (structured tokens as they are).
    surface: Vec<String>,
    /// Per term: (document, BM25 term-frequency part), by document.
    postings: Vec<Vec<(u32, f32)>>,
    docs: Vec<Doc>,
}

const SERVICE_PREFIX: &str = "svc:";
const CATEGORY_PREFIX: &str = "cat:";

impl SimilarIndex {
    pub fn build(pms: &[&Postmortem]) -> Self {
        SimilarIndex::with_params(pms, Params::default())
    }

    pub fn with_params(pms: &[&Postmortem], params: Params) -> Self {
        let tokenizer = Tokenizer::default();
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut surface: Vec<String> = Vec::new();
        let mut raw: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut lengths = Vec::with_capacity(pms.len());
        let mut docs = Vec::with_capacity(pms.len());
        let mut stems = Stems::new();
        for (d, pm) in pms.iter().enumerate() {
            let counts = term_counts(&tokenizer, &mut stems, pm, &params);
            let mut length = 0;
            for (term, (count, word)) in counts {
                length += count;
                let id = *terms.entry(term).or_insert_with(|| {
                    surface.push(word);
                    raw.push(Vec::new());
                    (raw.len() - 1) as u32
                });
                raw[id as usize].push((d as u32, count));
            }
            lengths.push(length);
            docs.push(Doc {
                id: pm.id,
                handle: pm.handle(),
                title: pm.title.clone(),
                services: pm.services.clone(),
                categories: category_mask(pm),
            });
        }
        let average =
            lengths.iter().map(|l| f64::from(*l)).sum::<f64>() / lengths.len().max(1) as f64;
        let average = average.max(1.0) as f32;
        let postings = raw
            .into_iter()
            .map(|list| {
                let mut list: Vec<(u32, f32)> = list
                    .into_iter()
                    .map(|(d, tf)| {
                        let tf = tf as f32;
                        let norm = 1.0 - params.b + params.b * lengths[d as usize] as f32 / average;
                        (d, tf * (params.k1 + 1.0) / (tf + params.k1 * norm))
                    })
                    .collect();
                list.sort_unstable_by_key(|(d, _)| *d);
                list
            })
            .collect();
        SimilarIndex {
            params,
            tokenizer,
            terms,
            surface,
            postings,
            docs,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn idf(&self, term: u32) -> f32 {
        let n = self.docs.len() as f32;
        let df = self.postings[term as usize].len() as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The `limit` postmortems most similar to `pm`, best first; `pm` itself
    /// (same id) is never among them. Postmortems sharing nothing are left out.
    pub fn similar(&self, pm: &Postmortem, limit: usize) -> Vec<Match> {
        let query = self.query_terms(pm);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut scores = vec![0f32; self.docs.len()];
        for &(term, query_weight) in &query {
            for &(d, weight) in &self.postings[term as usize] {
                scores[d as usize] += query_weight * weight;
            }
        }
        let mut hits: Vec<(u32, f32)> = scores
            .iter()
            .enumerate()
            .filter(|(d, s)| **s > 0.0 && self.docs[*d].id != pm.id)
            .map(|(d, s)| (d as u32, *s))
            .collect();
        let by_score = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit - 1, by_score);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(by_score);
        hits.into_iter()
            .map(|(d, score)| self.explain(pm, &query, d, score))
            .collect()
    }

    /// The query's terms with their weights: each structured token weighs its
    /// idf; the `query_words` most distinctive words (term frequency × idf)
    /// weigh idf × (1 + ln of their frequency in the query), so a word the
    /// query keeps repeating counts more without drowning the rest.
    fn query_terms(&self, pm: &Postmortem) -> Vec<(u32, f32)> {
        let mut structured = Vec::new();
        let mut words = Vec::new();
        let mut stems = Stems::new();
        for (term, (count, _)) in term_counts(&self.tokenizer, &mut stems, pm, &self.params) {
            let Some(&id) = self.terms.get(&term) else {
                continue;
            };
            let idf = self.idf(id);
            if term.starts_with(SERVICE_PREFIX) || term.starts_with(CATEGORY_PREFIX) {
                structured.push((id, idf));
            } else {
                words.push((id, idf * (1.0 + (count as f32).ln()), count as f32 * idf));
            }
        }
        words.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        words.truncate(self.params.query_words);
        structured.extend(words.into_iter().map(|(id, weight, _)| (id, weight)));
        structured
    }

    fn explain(&self, pm: &Postmortem, query: &[(u32, f32)], d: u32, score: f32) -> Match {
        let doc = &self.docs[d as usize];
        let mut shared_services: Vec<String> = doc
            .services
            .iter()
            .filter(|s| pm.services.contains(s))
            .cloned()
            .collect();
        shared_services.dedup();
        let shared_factors: Vec<FactorCategory> =
            categories_in(doc.categories & category_mask(pm)).collect();
        let mut shared: Vec<(f32, &str)> = query
            .iter()
            .filter_map(|&(term, idf)| {
                let word = self.surface[term as usize].as_str();
                let structured =
                    word.starts_with(SERVICE_PREFIX) || word.starts_with(CATEGORY_PREFIX);
                let has = self.postings[term as usize]
                    .binary_search_by_key(&d, |(doc, _)| *doc)
                    .is_ok();
                (has && !structured).then_some((idf, word))
            })
            .collect();
        shared.sort_by(|a, b| b.0.total_cmp(&a.0));
        let shared_words: Vec<String> = shared.iter().take(5).map(|(_, w)| w.to_string()).collect();
        let reason = reason(&shared_services, &shared_factors, &shared_words);
        Match {
            id: doc.id,
            handle: doc.handle.clone(),
            title: doc.title.clone(),
            score: f64::from(score),
            shared_services,
            shared_factors,
            shared_words,
            reason,
        }
    }
}

/// "same service (checkout), same factor: config, canary; words: pool, timeout".
fn reason(services: &[String], factors: &[FactorCategory], words: &[String]) -> String {
    let mut parts = Vec::new();
    match services.len() {
        0 => {}
        1 => parts.push(format!("same service ({})", services[0])),
        _ => parts.push(format!("same services ({})", services.join(", "))),
    }
    if !factors.is_empty() {
        let names: Vec<&str> = factors.iter().map(|f| f.as_str()).collect();
        let label = if factors.len() == 1 {
            "same factor"
        } else {
            "same factors"
        };
        parts.push(format!("{label}: {}", names.join(", ")));
    }
    let mut out = parts.join(", ");
    if !words.is_empty() {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str("words: ");
        out.push_str(&words.join(", "));
    }
    out
}

/// Term -> (frequency, a surface form) of one postmortem.
fn term_counts(
    tokenizer: &Tokenizer,
    stems: &mut Stems,
    pm: &Postmortem,
    params: &Params,
) -> HashMap<String, (u32, String)> {
    let mut counts: HashMap<String, (u32, String)> = HashMap::new();
    let mut add = |text: &str, times: u32| {
        tokenizer.each(text, stems, |stem, word| match counts.get_mut(stem) {
            Some(entry) => entry.0 += times,
            None => {
                counts.insert(stem.to_string(), (times, word.to_string()));
            }
        });
    };
    add(&pm.title, 2);
    add(&pm.summary, 1);
    let a = &pm.analysis;
    add(&a.trigger, 1);
    add(&a.root_cause, 1);
    for why in &a.five_whys {
        add(&why.question, 1);
        add(&why.answer, 1);
    }
    for f in &a.factors {
        add(&f.text, 1);
    }
    add(&a.detection, 1);
    for tag in &pm.tags {
        add(tag, 1);
    }
    let mut structured = |term: String, weight: u32| {
        counts.entry(term.clone()).or_insert((0, term)).0 = weight;
    };
    for service in pm.services.iter().filter(|s| !s.trim().is_empty()) {
        structured(
            format!("{SERVICE_PREFIX}{}", service.to_lowercase()),
            params.service_weight,
        );
    }
    for c in categories_in(category_mask(pm)) {
        structured(format!("{CATEGORY_PREFIX}{c}"), params.category_weight);
    }
    counts
}
