//! Every public postmortem of ../shared/corpus/icco lints without a crash,
//! parses, and gets findings with valid positions.

use std::path::PathBuf;
use std::time::Instant;

use hindsight_quality::{Config, lint_markdown};

#[test]
fn every_corpus_file_lints() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/icco"
    ));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIPPED: the corpus folder {} is absent (./scripts/test requires it)",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    assert!(files.len() > 100, "only {} corpus files", files.len());
    let config = Config::default();
    let started = Instant::now();
    let mut findings = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let report = lint_markdown(&text, &config);
        assert!(
            report.parse_error.is_none(),
            "{}: {:?}",
            file.display(),
            report.parse_error
        );
        let lines = text.lines().count().max(1);
        for f in &report.findings {
            let p = f.position.unwrap();
            assert!(
                p.line >= 1 && p.line <= lines && p.column >= 1,
                "{}: {f:?}",
                file.display()
            );
        }
        findings += report.findings.len();
    }
    println!(
        "{} files, {findings} findings, {:?}",
        files.len(),
        started.elapsed()
    );
}
