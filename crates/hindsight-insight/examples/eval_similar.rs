//! Evaluates similar-postmortem retrieval on the public corpus against a
//! random baseline and a plain TF-IDF text baseline.
//!
//!     cargo run --release -p hindsight-insight --example eval_similar [CORPUS_DIR] [--pairs FILE]
//!
//! CORPUS_DIR defaults to ../shared/corpus/icco beside the workspace. Files
//! are read at run time, never copied.
//!
//! Relevance comes from the corpus `categories`: machine-made, noisy labels
//! (regular expressions over each source page, see the corpus README). A
//! result is relevant only under a strict rule: the Jaccard overlap of the
//! two files' categories is at least 0.5. Queries are the files with at least
//! one category; every other file is a candidate. The labels are removed
//! from each postmortem's tags before indexing (the importer puts
//! `categories` and `keywords` into tags), so no method sees them.
//!
//! Gold pairs are the same incident written up twice (two source URLs).
//! The built-in list is the pairs found in this corpus; `--pairs FILE` reads
//! other pairs, one `uuid uuid` per line, for a held-out set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use hindsight_core::{Postmortem, format};
use hindsight_insight::similar::SimilarIndex;
use serde::Deserialize;
use uuid::Uuid;

/// The duplicated incidents of the public corpus (see its README).
const GOLD_PAIRS: &[(&str, &str)] = &[
    // Travis CI database truncation, 2018-03-13: status page and blog.
    (
        "8f92b6a5-b6d4-4a0f-be02-28242069f691",
        "da6d262f-9aa9-43a3-881c-66c0afa03fb2",
    ),
    // WebKit / Subversion SHA-1 collision.
    (
        "0dfe934b-9234-4383-9d1c-de9b860a43d1",
        "909573e3-5677-481d-beb6-3c5c09bf8867",
    ),
    // Netflix on the 2012-10-22 AWS EBS degradation.
    (
        "300cba9e-d50d-45c4-86fd-0142c6cb9101",
        "d3aadf01-9b38-47a1-95c2-399391827dc0",
    ),
    // Slack, October 2014.
    (
        "61617271-54e4-4f99-9ade-86428b8fe4c3",
        "54e5ebdd-70a7-475a-bff4-a1e8e45367f2",
    ),
];

const K: usize = 5;

#[derive(Deserialize)]
struct Labels {
    #[serde(default)]
    categories: Vec<String>,
}

struct Item {
    pm: Postmortem,
    categories: HashSet<String>,
}

fn load(dir: &Path) -> Vec<Item> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let front = text
                .split("\n---")
                .next()
                .unwrap_or("")
                .trim_start_matches("---");
            let labels: Labels =
                serde_saphyr::from_str(front).unwrap_or(Labels { categories: vec![] });
            let mut pm = match format::parse(&text, now) {
                Ok(parsed) => parsed.postmortem,
                Err(e) => {
                    eprintln!("skipped {}: {e}", path.display());
                    return None;
                }
            };
            let categories: HashSet<String> = labels.categories.into_iter().collect();
            pm.tags.retain(|t| !categories.contains(t));
            Some(Item { pm, categories })
        })
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(b).count() as f64 / union as f64
    }
}

/// A plain baseline: TF-IDF (log tf) cosine over title and body words,
/// lower-cased, no stemming, no services, no tags.
struct TfIdf {
    vectors: Vec<HashMap<String, f64>>,
}

impl TfIdf {
    fn words(pm: &Postmortem) -> HashMap<String, f64> {
        let mut tf: HashMap<String, f64> = HashMap::new();
        let text = format!("{} {}", pm.title, pm.summary);
        for w in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 1)
        {
            *tf.entry(w.to_lowercase()).or_default() += 1.0;
        }
        tf
    }

    fn new(items: &[Item]) -> Self {
        let tfs: Vec<HashMap<String, f64>> = items.iter().map(|i| TfIdf::words(&i.pm)).collect();
        let mut df: HashMap<&str, f64> = HashMap::new();
        for tf in &tfs {
            for w in tf.keys() {
                *df.entry(w.as_str()).or_default() += 1.0;
            }
        }
        let n = tfs.len() as f64;
        let vectors = tfs
            .iter()
            .map(|tf| {
                let mut v: HashMap<String, f64> = tf
                    .iter()
                    .map(|(w, c)| (w.clone(), (1.0 + c.ln()) * (n / df[w.as_str()]).ln()))
                    .collect();
                let norm = v.values().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
                v.values_mut().for_each(|x| *x /= norm);
                v
            })
            .collect();
        TfIdf { vectors }
    }

    fn rank(&self, query: usize) -> Vec<usize> {
        let q = &self.vectors[query];
        let mut scored: Vec<(usize, f64)> = self
            .vectors
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != query)
            .map(|(i, v)| (i, q.iter().map(|(w, x)| x * v.get(w).unwrap_or(&0.0)).sum()))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().map(|(i, _)| i).collect()
    }
}

/// Results of one method.
#[derive(Default)]
struct Scores {
    strict: f64,
    loose: f64,
    queries: usize,
    /// 1-based rank of each gold partner.
    gold_ranks: Vec<usize>,
}

fn evaluate(
    items: &[Item],
    pairs: &[(usize, usize)],
    rank: &dyn Fn(usize) -> Vec<usize>,
) -> Scores {
    let mut s = Scores::default();
    for q in 0..items.len() {
        if items[q].categories.is_empty() {
            continue;
        }
        let top: Vec<usize> = rank(q).into_iter().take(K).collect();
        let strict = top
            .iter()
            .filter(|&&d| jaccard(&items[q].categories, &items[d].categories) >= 0.5)
            .count();
        let loose = top
            .iter()
            .filter(|&&d| !items[q].categories.is_disjoint(&items[d].categories))
            .count();
        s.strict += strict as f64 / K as f64;
        s.loose += loose as f64 / K as f64;
        s.queries += 1;
    }
    s.strict /= s.queries.max(1) as f64;
    s.loose /= s.queries.max(1) as f64;
    for &(a, b) in pairs {
        for (q, target) in [(a, b), (b, a)] {
            let ranking = rank(q);
            let r = ranking
                .iter()
                .position(|&d| d == target)
                .map_or(items.len(), |p| p + 1);
            s.gold_ranks.push(r);
        }
    }
    s
}

/// Expected scores of a uniformly random ranking (exact, not sampled).
fn random(items: &[Item], pairs: &[(usize, usize)]) -> (f64, f64, f64, f64) {
    let others = (items.len() - 1) as f64;
    let (mut strict, mut loose, mut queries) = (0.0, 0.0, 0.0);
    for q in items.iter().filter(|i| !i.categories.is_empty()) {
        let rel = |min: f64| {
            items
                .iter()
                .filter(|d| !std::ptr::eq(*d, q))
                .filter(|d| {
                    jaccard(&q.categories, &d.categories) >= min
                        && !q.categories.is_disjoint(&d.categories)
                })
                .count() as f64
        };
        strict += rel(0.5) / others;
        loose += rel(0.0) / others;
        queries += 1.0;
    }
    // Rank of one target among `others` shuffled: uniform on 1..=others.
    let hit5 = (K as f64 / others).min(1.0);
    let mrr = (1..=items.len() - 1).map(|r| 1.0 / r as f64).sum::<f64>() / others;
    let _ = pairs;
    (strict / queries, loose / queries, hit5, mrr)
}

fn gold_summary(ranks: &[usize]) -> (f64, f64, f64, String) {
    let n = ranks.len().max(1) as f64;
    let hit1 = ranks.iter().filter(|r| **r == 1).count() as f64 / n;
    let hit5 = ranks.iter().filter(|r| **r <= K).count() as f64 / n;
    let mrr = ranks.iter().map(|r| 1.0 / *r as f64).sum::<f64>() / n;
    let list = ranks
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    (hit1, hit5, mrr, list)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/icco");
    let mut pairs_file = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pairs" => pairs_file = Some(PathBuf::from(args.next().expect("--pairs FILE"))),
            other => dir = PathBuf::from(other),
        }
    }
    let items = load(&dir);
    let index_of: BTreeMap<Uuid, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.pm.id, i))
        .collect();
    let pair_text = match &pairs_file {
        Some(p) => std::fs::read_to_string(p).expect("pairs file"),
        None => GOLD_PAIRS
            .iter()
            .map(|(a, b)| format!("{a} {b}\n"))
            .collect(),
    };
    let pairs: Vec<(usize, usize)> = pair_text
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace().map(|w| {
                w.parse::<Uuid>()
                    .ok()
                    .and_then(|u| index_of.get(&u).copied())
            });
            Some((it.next()??, it.next()??))
        })
        .collect();

    let pms: Vec<Postmortem> = items.iter().map(|i| i.pm.clone()).collect();
    let position: HashMap<Uuid, usize> = pms.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let refs: Vec<&Postmortem> = pms.iter().collect();
    let full = SimilarIndex::build(&refs);
    let untagged: Vec<Postmortem> = pms
        .iter()
        .cloned()
        .map(|mut p| {
            p.tags.clear();
            p
        })
        .collect();
    let text_only = SimilarIndex::build(&untagged.iter().collect::<Vec<_>>());
    let tfidf = TfIdf::new(&items);

    let ranked = |index: &SimilarIndex, set: &[Postmortem], q: usize| -> Vec<usize> {
        let hits = index.similar(&set[q], set.len());
        let mut out: Vec<usize> = hits.iter().map(|h| position[&h.id]).collect();
        // Candidates sharing nothing come last, in file order.
        let seen: HashSet<usize> = out.iter().copied().collect();
        out.extend((0..set.len()).filter(|d| *d != q && !seen.contains(d)));
        out
    };
    let sweep = std::env::var("SWEEP").is_ok();
    if sweep {
        for qw in [16usize, 32, 64, 128, 10_000] {
            for (k1, b) in [(1.2f32, 0.75f32), (1.2, 0.3), (2.0, 0.75), (0.8, 0.5)] {
                let params = hindsight_insight::similar::Params {
                    k1,
                    b,
                    query_words: qw,
                    ..Default::default()
                };
                let idx = SimilarIndex::with_params(&refs, params);
                let s = evaluate(&items, &pairs, &|q| ranked(&idx, &pms, q));
                println!(
                    "qw={qw} k1={k1} b={b}: strict {:.3} loose {:.3}",
                    s.strict, s.loose
                );
            }
        }
    }
    let results = [
        (
            "plain TF-IDF (title + body)",
            evaluate(&items, &pairs, &|q| tfidf.rank(q)),
        ),
        (
            "hindsight BM25, without tags",
            evaluate(&items, &pairs, &|q| ranked(&text_only, &untagged, q)),
        ),
        (
            "hindsight BM25 (text + services + keyword tags)",
            evaluate(&items, &pairs, &|q| ranked(&full, &pms, q)),
        ),
    ];
    let (r_strict, r_loose, r_hit5, r_mrr) = random(&items, &pairs);

    let labelled = items.iter().filter(|i| !i.categories.is_empty()).count();
    println!(
        "corpus: {} ({} files, {labelled} with categories, {} gold pairs found)\n",
        dir.display(),
        items.len(),
        pairs.len()
    );
    println!(
        "| method | P@5 strict (Jaccard >= 0.5) | P@5 loose (any shared) | gold pairs hit@1 | hit@5 | MRR | gold ranks |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    println!(
        "| random (expected) | {r_strict:.3} | {r_loose:.3} | {:.3} | {r_hit5:.3} | {r_mrr:.3} | - |",
        1.0 / (items.len() - 1) as f64
    );
    for (name, s) in &results {
        let (h1, h5, mrr, list) = gold_summary(&s.gold_ranks);
        println!(
            "| {name} | {:.3} | {:.3} | {h1:.3} | {h5:.3} | {mrr:.3} | {list} |",
            s.strict, s.loose
        );
    }
}
