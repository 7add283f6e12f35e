//! The public postmortems of icco/postmortems (`../shared/corpus/icco`, see
//! its README) are free-form files: every one must import, with its fields
//! mapped as `docs/format.md` says, and export and import again unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::parse_ok;
use crate::format::render;

fn corpus_files() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/icco"
    ));
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the corpus folder {} is missing ({e}); it must sit next to the repository as ../shared/corpus/icco",
            dir.display()
        )
    });
    let mut files: Vec<(PathBuf, String)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    files
}

/// The file's own front matter, read without the format.
fn raw_front_matter(text: &str) -> BTreeMap<String, Value> {
    let yaml = text.strip_prefix("---\n").unwrap();
    let yaml = &yaml[..yaml.find("\n---\n").unwrap()];
    serde_saphyr::from_str(yaml).unwrap()
}

fn raw_time(raw: &BTreeMap<String, Value>, key: &str) -> Option<DateTime<Utc>> {
    let text = raw.get(key)?.as_str()?;
    Some(DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc))
}

fn raw_texts(raw: &BTreeMap<String, Value>, key: &str) -> Vec<String> {
    match raw.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn every_corpus_postmortem_imports_with_its_fields_mapped() {
    let files = corpus_files();
    assert!(
        files.len() >= 163,
        "expected the 163 corpus files, found {}",
        files.len()
    );
    let mut with_start = 0;
    for (path, text) in &files {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let parsed = parse_ok(text);
        let pm = &parsed.postmortem;
        let raw = raw_front_matter(text);
        let context = format!("{name}: {pm:#?}");

        assert_eq!(pm.id.to_string(), name, "{context}");
        assert!(parsed.given.id && !parsed.given.version, "{context}");
        assert!(!pm.title.trim().is_empty(), "{context}");
        if let Some(Value::String(title)) = raw.get("title") {
            assert_eq!(&pm.title, title, "{context}");
        }
        assert!(!pm.summary.trim().is_empty(), "{context}");
        if let Some(Value::String(summary)) = raw.get("summary") {
            assert!(pm.summary.starts_with(summary.trim()), "{context}");
        }
        assert_eq!(pm.extra_fields.get("url"), raw.get("url"), "{context}");
        assert_eq!(
            pm.extra_fields.get("company"),
            raw.get("company"),
            "{context}"
        );
        for key in [
            "uuid",
            "title",
            "summary",
            "categories",
            "keywords",
            "product",
        ] {
            assert!(!pm.extra_fields.contains_key(key), "{key} kept: {context}");
        }

        assert_eq!(
            pm.milestones.started,
            raw_time(&raw, "start_time"),
            "{context}"
        );
        assert_eq!(
            pm.milestones.resolved,
            raw_time(&raw, "end_time"),
            "{context}"
        );
        for key in ["start_time", "end_time"] {
            let mapped = raw_time(&raw, key).is_some();
            assert_eq!(
                pm.extra_fields.contains_key(key),
                raw.contains_key(key) && !mapped,
                "{key}: {context}"
            );
        }
        with_start += usize::from(pm.milestones.started.is_some());

        let mut tags = raw_texts(&raw, "categories");
        tags.extend(raw_texts(&raw, "keywords"));
        assert!(tags.iter().all(|t| pm.tags.contains(t)), "{context}");
        let product = raw
            .get("product")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty());
        assert_eq!(
            pm.services,
            product.into_iter().collect::<Vec<_>>(),
            "{context}"
        );

        let rendered = render(pm);
        let again = parse_ok(&rendered);
        assert_eq!(&again.postmortem, pm, "{name} rendered as:\n{rendered}");
    }
    assert!(
        with_start >= 100,
        "only {with_start} corpus files got a start time"
    );
}
