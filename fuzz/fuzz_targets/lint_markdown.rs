//! Feeds arbitrary bytes to the linter, as a postmortem file and as a
//! `.hindsight.toml`: it must never panic, and every finding must point
//! inside the file.
#![no_main]

use hindsight_quality::{Config, lint_markdown};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = Config::parse(text).unwrap_or_default();
    let report = lint_markdown(text, &config);
    let lines = text.split('\n').count();
    for finding in &report.findings {
        let Some(p) = finding.position else {
            panic!("finding without a position: {finding:?}");
        };
        assert!(p.line >= 1 && p.line <= lines, "line {} of {lines}: {finding:?}", p.line);
        assert!(p.column >= 1, "{finding:?}");
    }
});
