//! End-to-end tests of `hindsight lint`, `hindsight score` and
//! `hindsight export --public`: the real binary on files in a scratch folder.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A postmortem the rules have nothing to say about.
const CLEAN: &str = r"---
title: Checkout errors after payments-api 2.14
kind: deploy
severity: SEV2
status: draft
owner: priya.raman
milestones:
  started: 2026-03-04T10:02:00Z
  detected: 2026-03-04T10:14:00Z
  mitigated: 2026-03-04T10:31:00Z
  resolved: 2026-03-04T11:05:00Z
impact:
  users_affected: 18400
---

## Summary

Checkout returned errors for 29 minutes after payments-api 2.14 reached 25% of traffic.

## Impact

18,400 users (12.5%) saw failed payments between 10:02 and 10:31 UTC.

## Timeline

| Time (UTC) | Kind | Event | Milestone |
|---|---|---|---|
| 10:02 | deploy | payments-api 2.14.0 reaches 25% of traffic | started |
| 10:14 | alert | `CheckoutErrorRate` fires | detected |
| 10:20 | action | Priya rolls back payments-api to 2.13.4 | |
| 10:31 | mitigation | Error rate back to baseline | mitigated |

## Root cause

The new client sent amounts in cents, and the contract test used a stale fixture, so nothing checked the field before release.

## Action items

| # | Action | Type | Priority | Owner | Due | Status |
|---|---|---|---|---|---|---|
| A1 | Add a contract test for the amount field of the payments client | prevent | P1 | tom.becker | 2026-03-20 | open |
";

/// A scratch folder to run the binary in.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["--db", &self.path("hindsight.db").display().to_string()])
            .args(args)
            .env("HINDSIGHT_ACTOR", "tester")
            .env_remove("HINDSIGHT_DB")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let out = self.run(args);
        let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap(), value)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn with_blame(text: &str) -> String {
    text.replace(
        "| 10:20 | action | Priya rolls back payments-api to 2.13.4 | |",
        "| 10:20 | action | Bob's mistake caused the outage, he should have known | |",
    )
}

#[test]
fn a_clean_file_exits_0_and_errors_exit_1_with_rustc_style_diagnostics() {
    let s = Scratch::new();
    s.write("clean.md", CLEAN);
    let out = s.run(&["lint", "clean.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 error(s)"));

    s.write("blame.md", &with_blame(CLEAN));
    let out = s.run(&["lint", "blame.md"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("error[blame/person-as-cause]"), "{text}");
    assert!(text.contains("--> blame.md:30:"), "{text}");
    assert!(text.contains("| 10:20 | action | Bob's mistake"), "{text}");
    assert!(text.contains("^^^"), "{text}");
    assert!(text.contains("= help:"), "{text}");
    assert!(!text.contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn parse_errors_usage_errors_and_bad_configuration_exit_2() {
    let s = Scratch::new();
    s.write("broken.md", "---\ntitle: x\nseverity: SEV9\n---\n");
    assert_eq!(s.run(&["lint", "broken.md"]).status.code(), Some(2));
    assert_eq!(s.run(&["lint", "missing.md"]).status.code(), Some(2));
    assert_eq!(s.run(&["lint"]).status.code(), Some(2));
    assert_eq!(
        s.run(&["lint", "--format", "xml", "x.md"]).status.code(),
        Some(2)
    );
    s.write("clean.md", CLEAN);
    s.write("bad.toml", "[rules]\n\"blame/nope\" = \"off\"\n");
    let out = s.run(&["lint", "--config", "bad.toml", "clean.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("blame/nope"));
}

#[test]
fn json_findings_have_the_documented_fields() {
    let s = Scratch::new();
    s.write("pms/blame.md", &with_blame(CLEAN));
    let (code, findings) = s.json(&["lint", "pms", "--format", "json"]);
    assert_eq!(code, 1);
    let findings = findings.as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        for key in [
            "rule",
            "family",
            "severity",
            "path",
            "line",
            "column",
            "message",
            "suggestion",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert_eq!(f["path"], "pms/blame.md");
    }
    let blame = findings.iter().find(|f| f["family"] == "blame").unwrap();
    assert_eq!(blame["line"], 30);
    assert_eq!(blame["field"], "timeline[2].text");
}

#[test]
fn sarif_is_2_1_0_with_stable_rule_ids_relative_paths_and_fingerprints() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path(".git")).unwrap();
    s.write("docs/postmortems/pm.md", &with_blame(CLEAN));
    let (code, log) = s.json(&["lint", "docs", "--format", "sarif"]);
    assert_eq!(code, 1);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "hindsight");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), unique.len());
    assert!(ids.contains(&"blame/person-as-cause") && ids.contains(&"secret/aws-access-key"));
    for r in rules {
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
        assert!(r["shortDescription"]["text"].as_str().is_some());
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], rules[index]["id"]);
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "docs/postmortems/pm.md"
        );
        let region = &location["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(
            r["partialFingerprints"]["hindsightFinding/v1"]
                .as_str()
                .unwrap()
                .len()
                >= 16
        );
        assert!(r["message"]["text"].as_str().is_some());
    }
    // The same file linted again gives the same fingerprints.
    let (_, again) = s.json(&["lint", "docs", "--format", "sarif"]);
    assert_eq!(again["runs"][0]["results"], run["results"]);
}

#[test]
fn configuration_is_found_above_the_file_and_comments_suppress() {
    let s = Scratch::new();
    s.write("team/pms/blame.md", &with_blame(CLEAN));
    let (_, before) = s.json(&["lint", "team", "--format", "json"]);
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["family"] == "blame")
    );

    s.write("team/.hindsight.toml", "[rules]\nblame = \"off\"\n");
    let (code, after) = s.json(&["lint", "team", "--format", "json"]);
    assert_eq!(code, 0, "{after}");
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["family"] != "blame")
    );

    let suppressed = with_blame(CLEAN).replace(
        "he should have known |",
        "he should have known <!-- hindsight-ignore blame: quoted from the chat --> |",
    );
    s.write("other/pm.md", &suppressed);
    let (code, findings) = s.json(&["lint", "other/pm.md", "--format", "json"]);
    assert_eq!(code, 0, "{findings}");
}

#[test]
fn score_shows_evidence_and_fails_a_thin_postmortem() {
    let s = Scratch::new();
    s.write(
        "thin.md",
        "---\ntitle: Outage\n---\n\nThe site was down for a while.\n",
    );
    s.write("clean.md", CLEAN);
    let out = s.run(&["score", "thin.md"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL") && text.contains("Blameless tone"),
        "{text}"
    );
    let (_, cards) = s.json(&["score", "clean.md", "thin.md", "--json"]);
    let cards = cards.as_array().unwrap();
    assert_eq!(cards.len(), 2);
    let clean = &cards[0]["score"];
    assert_eq!(clean["criteria"].as_array().unwrap().len(), 8);
    assert!(
        clean["weighted_average"].as_f64().unwrap()
            > cards[1]["score"]["weighted_average"].as_f64().unwrap()
    );
    assert!(clean["criteria"][0]["evidence"][0]["label"].is_string());
}

#[test]
fn a_secret_in_a_timeline_row_never_reaches_a_public_export() {
    let s = Scratch::new();
    let key = "AKIAZ7QX2MN4PL8RWT3Y";
    let token = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
    let planted = CLEAN
        .replace(
            "| 10:20 | action | Priya rolls back payments-api to 2.13.4 | |",
            &format!("| 10:20 | action | Log shows AWS_ACCESS_KEY_ID={key} and token {token} | |"),
        )
        .replace(
            "title: Checkout",
            "id: 7d0c8a4e-2f5b-4a55-9d38-1f3f0a9b6c21\ntitle: Checkout",
        );
    s.write("pm.md", &planted);
    let (_, lint) = s.json(&["lint", "pm.md", "--format", "json"]);
    let rules: Vec<&str> = lint
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"secret/aws-access-key") && rules.contains(&"secret/github-token"),
        "{rules:?}"
    );

    let out = s.run(&["import", "pm.md"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = stdout(&s.run(&["export", "--all", "--format", "json"]));
    assert!(
        plain.contains(key),
        "the private export keeps the text as written"
    );

    for format in ["md", "json"] {
        let out = s.run(&["export", "--all", "--public", "--format", format]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = stdout(&out);
        assert!(!text.contains(key) && !text.contains(token), "{text}");
        assert!(
            text.contains("[REDACTED:aws-access-key]") && text.contains("[REDACTED:github-token]")
        );
    }
    let out = s.run(&["export", "--all", "--public", "--out", "public"]);
    assert!(out.status.success());
    let written = std::fs::read_to_string(first_file(&s.path("public"))).unwrap();
    assert!(!written.contains(key) && written.contains("[REDACTED:aws-access-key]"));
}

fn first_file(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}
