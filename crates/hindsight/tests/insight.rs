//! `hindsight metrics`, `similar` and `report` as a user runs them: the real
//! binary on a SQLite file holding the demo data set anchored on 2026-12-01.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A database with the demo data of 2026-12-01.
    fn demo() -> Self {
        let s = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        s.ok(&["demo", "--today", "2026-12-01"]);
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .arg("--db")
            .arg(self.path("hindsight.db"))
            .args(args)
            .env("HINDSIGHT_ACTOR", "tester")
            .env_remove("HINDSIGHT_DB")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "hindsight {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "hindsight {args:?} should have failed"
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

#[test]
fn metrics_compare_a_quarter_and_group_it() {
    let s = Sandbox::demo();
    let cmp = s.json(&[
        "metrics",
        "--period",
        "2026-Q3",
        "--as-of",
        "2026-11-30",
        "--json",
    ]);
    assert_eq!(cmp["period"], "2026-Q3");
    assert_eq!(cmp["previous_period"], "2026-Q2");
    // 13 demo incidents start in 2026-Q3 (see the library's demo tests).
    assert_eq!(cmp["current"]["postmortems"], 13);
    assert_eq!(cmp["current"]["mttr"]["count"], 13);
    assert_eq!(cmp["current"]["mttr"]["missing"], 0);
    let rca = &cmp["current"]["rca_completeness"];
    assert_eq!(rca["total"], 13, "every Q3 postmortem is published: {rca}");

    let groups = s.json(&[
        "metrics",
        "--period",
        "2026-Q3",
        "--by",
        "service",
        "--as-of",
        "2026-11-30",
        "--json",
    ]);
    let notifications = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "notifications")
        .unwrap();
    // Hand computation in the library tests: MTTRs 99, 139, 240, 272, 556 minutes.
    assert_eq!(notifications["metrics"]["mttr"]["median_minutes"], 240.0);

    let table = s.ok(&["metrics", "--by", "severity", "--as-of", "2026-11-30"]);
    assert!(table.starts_with("severity"), "{table}");
    assert!(table.contains("SEV1"), "{table}");
    let text = s.ok(&["metrics", "--period", "2026-Q3", "--as-of", "2026-11-30"]);
    assert!(text.contains("MTTR") && text.contains("2026-Q2"), "{text}");

    let err = s.fails(&["metrics", "--period", "2026-Q5"]);
    assert!(err.contains("the quarter must be Q1 to Q4"), "{err}");
    let err = s.fails(&["metrics", "--by", "colour"]);
    assert!(err.contains("unknown grouping `colour`"), "{err}");
}

#[test]
fn similar_works_for_a_stored_postmortem_and_for_a_draft_file() {
    let s = Sandbox::demo();
    let list = s.json(&["list", "--json"]);
    let storm = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["title"]
                .as_str()
                .unwrap()
                .starts_with("Retry storm against the push provider")
        })
        .unwrap();
    let key = storm["key"].as_str().unwrap();
    let hits = s.json(&["similar", key, "--limit", "3", "--json"]);
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h["handle"] != key), "never itself");
    assert!(
        hits[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Retry storm")
    );
    assert!(hits[0]["reason"].as_str().unwrap().contains("same factors"));

    // A draft that is not stored: a file with a title and a summary.
    let draft = s.path("draft.md");
    std::fs::write(
        &draft,
        "---\ntitle: Retry storm against checkout\nkind: incident\nservices: [checkout]\n---\n\n## Summary\n\nClient retries without backoff saturated checkout after a slowdown of the payment processor.\n",
    )
    .unwrap();
    let text = s.ok(&["similar", draft.to_str().unwrap(), "--limit", "2"]);
    assert!(
        text.lines().next().unwrap().contains("Retry storm"),
        "{text}"
    );
    assert!(text.contains("same service (checkout)"), "{text}");

    let err = s.fails(&["similar", "PM-9999"]);
    assert!(err.contains("no postmortem `PM-9999`"), "{err}");
}

#[test]
fn the_quarterly_report_renders_as_markdown_and_html() {
    let s = Sandbox::demo();
    let md = s.ok(&["report", "--period", "2026-Q3", "--as-of", "2026-11-30"]);
    assert!(md.starts_with("# Reliability review 2026-Q3"), "{md}");
    assert!(md.contains("13 postmortems with an incident between 2026-07-01 and 2026-09-30"));
    assert!(md.contains("## Recurring patterns"));
    assert_eq!(md.matches("<svg").count(), 4);

    let out = s.path("q3.html");
    s.ok(&[
        "report",
        "--period",
        "2026-Q3",
        "--format",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-30",
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h2>Open and overdue action items by owner</h2>"));
    assert!(
        !html.contains("<script") && !html.contains("<link"),
        "self-contained"
    );

    let err = s.fails(&["report", "--period", "Q3"]);
    assert!(err.contains("invalid period `Q3`"), "{err}");
}
