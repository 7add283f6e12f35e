//! Malformed input is refused with the 1-based line of the whole file and
//! what was expected.

use super::{now, parse_ok};
use crate::format::{ParseError, parse};

const VALID: &str = "---
title: Checkout 5xx
kind: deploy
severity: SEV2
status: draft
visibility: internal
milestones:
  started: 2026-03-04T10:02:00Z
reviews:
  - reviewer: lena.fischer
    verdict: approved
    at: 2026-03-09T09:50:00Z
---

## Summary

The checkout failed.

## Timeline

| Time (UTC) | Kind | Event | Milestone | Source | Ref |
|---|---|---|---|---|---|
| 10:02 | deploy | payments-api 2.14.0 at 25% | started | github | deploy-8812 |
| 10:14 | alert | `CheckoutErrorRate` fires | detected | alertmanager | |

## Root cause

The client sent cents.

### Five whys

1. **Why did checkout fail?** The client sent cents.

## Contributing factors

- **canary** (F1): The canary went to 100% in ten minutes.

## Release gates

| Gate | Outcome | Why it did not catch this |
|---|---|---|
| canary | failed | Too short to fire the alert. |

## Lessons learned

### What went well

- The rollback took four minutes.

## Action items

| # | Action | Type | Priority | Owner | Due | Status | Horizon | Control |
|---|---|---|---|---|---|---|---|---|
| A1 | Add a 5% canary step | prevent | P1 | tom.becker | 2026-03-20 | open | short-term | engineering |
";

/// The 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"))
        + 1
}

/// `VALID` with `from` replaced by `to`; the parse error must be on the line
/// holding `at` (after the change) and say `says`.
fn refused(from: &str, to: &str, at: &str, says: &str) -> ParseError {
    assert!(VALID.contains(from), "`{from}` not in the valid file");
    let text = VALID.replacen(from, to, 1);
    let err = match parse(&text, now()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(err) => err,
    };
    assert_eq!(err.line, line_of(&text, at), "{err}\n{text}");
    assert!(
        err.message.contains(says),
        "`{}` does not say `{says}`",
        err.message
    );
    err
}

#[test]
fn the_valid_file_is_valid() {
    let pm = parse_ok(VALID).postmortem;
    assert_eq!(pm.timeline.len(), 2);
    assert_eq!(pm.actions.len(), 1);
}

#[test]
fn bad_yaml_points_at_its_line() {
    refused(
        "status: draft",
        "status: [draft",
        "visibility: internal",
        "invalid YAML",
    );
    refused(
        "kind: deploy",
        "kind: deploy\nkind: release",
        "kind: release",
        "duplicate",
    );
    refused(
        "---\ntitle",
        "---\n- a list\ntitle",
        "title: Checkout",
        "invalid YAML",
    );
    let err = parse("---\n- just\n- a list\n---\n", now()).unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("`key: value`"), "{err}");
}

#[test]
fn unclosed_front_matter_points_at_its_start() {
    let err = parse("---\ntitle: x\n\n## Summary\n", now()).unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("closing `---`"), "{err}");
}

#[test]
fn rows_with_the_wrong_number_of_cells() {
    let err = refused(
        "| 10:14 | alert | `CheckoutErrorRate` fires | detected | alertmanager | |",
        "| 10:14 | alert | fires |",
        "| 10:14 | alert | fires |",
        "timeline row has 3 cells, expected 6 (one per column of the header)",
    );
    assert_eq!(
        err.to_string(),
        format!("line {}: {}", err.line, err.message)
    );
    refused(
        "| A1 | Add",
        "| A1 | Add | extra",
        "| A1 | Add",
        "action item row has 10 cells, expected 9",
    );
    refused(
        "| canary | failed |",
        "| canary |",
        "| canary |",
        "release gate row has 2 cells, expected 3",
    );
}

#[test]
fn times_without_a_timezone() {
    refused(
        "| Time (UTC) |",
        "| Time |",
        "| 10:02 | deploy",
        "time `10:02` has no timezone; write `10:02Z`-style full timestamps or head the column `Time (UTC)`",
    );
    refused(
        "| 10:14 | alert",
        "| 2026-03-04T10:14 | alert",
        "| 2026-03-04T10:14 |",
        "has no timezone",
    );
    refused(
        "| 10:14 | alert",
        "| 2026-03-04 | alert",
        "| 2026-03-04 |",
        "a date without a time",
    );
    refused(
        "| 10:14 | alert",
        "| soon | alert",
        "| soon |",
        "is not a time",
    );
    refused(
        "  started: 2026-03-04T10:02:00Z",
        "  started: 2026-03-04T10:02:00",
        "started: 2026-03-04T10:02:00",
        "`milestones.started`: time `2026-03-04T10:02:00` has no date or no timezone",
    );
    refused(
        "    at: 2026-03-09T09:50:00Z",
        "    at: 2026-03-09",
        "at: 2026-03-09",
        "a date without a time",
    );
    refused(
        "milestones:\n  started: 2026-03-04T10:02:00Z\n",
        "",
        "| 10:02 | deploy",
        "set `milestones.started`",
    );
}

#[test]
fn a_time_with_z_needs_no_utc_header() {
    let text = VALID
        .replace("| Time (UTC) |", "| Time |")
        .replace("| 10:02 |", "| 10:02Z |")
        .replace("| 10:14 |", "| 2026-03-04T11:14+01:00 |");
    let pm = parse_ok(&text).postmortem;
    assert_eq!(pm.timeline[1].at, super::utc("2026-03-04T10:14:00Z"));
}

#[test]
fn unknown_words_list_the_accepted_ones() {
    refused(
        "severity: SEV2",
        "severity: SEV5",
        "severity: SEV5",
        "unknown severity `SEV5`, expected one of: SEV1, SEV2, SEV3, SEV4",
    );
    refused(
        "kind: deploy",
        "kind: outage",
        "kind: outage",
        "unknown kind `outage`, expected one of: incident, release",
    );
    refused(
        "status: draft",
        "status: done",
        "status: done",
        "unknown status `done`",
    );
    refused(
        "visibility: internal",
        "visibility: secret",
        "visibility: secret",
        "unknown visibility `secret`",
    );
    refused(
        "verdict: approved",
        "verdict: lgtm",
        "verdict: lgtm",
        "unknown review verdict `lgtm`",
    );
    refused(
        "  started: 2026",
        "  begun: 2026",
        "begun:",
        "unknown milestone `begun`",
    );
    refused(
        "| 10:14 | alert |",
        "| 10:14 | alarm |",
        "| 10:14 | alarm |",
        "unknown event kind `alarm`",
    );
    refused(
        "| detected |",
        "| noticed |",
        "| noticed |",
        "unknown milestone `noticed`",
    );
    refused(
        "- **canary**",
        "- **luck**",
        "- **luck**",
        "unknown factor category `luck`",
    );
    refused(
        "(F1)",
        "(F1, vibes, people)",
        "vibes",
        "two ids or an unknown group",
    );
    refused(
        "| canary | failed |",
        "| bake | failed |",
        "| bake |",
        "unknown gate `bake`",
    );
    refused(
        "| canary | failed |",
        "| canary | flaky |",
        "| canary | flaky |",
        "unknown gate outcome `flaky`",
    );
    refused(
        "| prevent | P1 |",
        "| avoid | P1 |",
        "| avoid |",
        "unknown action type `avoid`",
    );
    refused(
        "| prevent | P1 |",
        "| prevent | P9 |",
        "| P9 |",
        "unknown priority `P9`",
    );
    refused(
        "| open |",
        "| todo |",
        "| todo |",
        "unknown action status `todo`",
    );
    refused(
        "| open |",
        "| done: really |",
        "| done: really |",
        "only `wont-do` takes a reason",
    );
    refused(
        "| short-term |",
        "| someday |",
        "| someday |",
        "unknown horizon `someday`",
    );
    refused(
        "| engineering |",
        "| hope |",
        "| hope |",
        "unknown control level `hope`",
    );
    refused(
        "| 2026-03-20 |",
        "| next week |",
        "| next week |",
        "due date `next week` is not a date `YYYY-MM-DD`",
    );
}

#[test]
fn wrong_value_types() {
    refused(
        "status: draft",
        "status: draft\nversion: seven",
        "version: seven",
        "`version` must be a whole number",
    );
    refused(
        "status: draft",
        "status: draft\nimpact:\n  users_percent: 150",
        "users_percent: 150",
        "between 0 and 100",
    );
    refused(
        "status: draft",
        "status: draft\nimpact:\n  users: 3",
        "impact:",
        "unknown key `users` in `impact`, expected one of: users_affected",
    );
    refused(
        "status: draft",
        "status: draft\nservices:\n  a: b",
        "services:",
        "must be a list of text",
    );
    refused(
        "status: draft",
        "status: draft\nid: PM-12",
        "id: PM-12",
        "is not a UUID",
    );
    refused(
        "    at: 2026-03-09T09:50:00Z\n",
        "",
        "- reviewer",
        "a review needs `at`",
    );
}

#[test]
fn duplicated_known_sections() {
    let text = format!("{VALID}\n## summary\n\nAgain.\n");
    let err = parse(&text, now()).unwrap_err();
    assert_eq!(err.line, line_of(&text, "## summary"));
    assert!(
        err.message.contains(&format!(
            "`## Summary` appears twice (first at line {})",
            line_of(&text, "## Summary")
        )),
        "{err}"
    );
    refused(
        "### Five whys",
        "### Trigger\n\nA.\n\n### trigger",
        "### trigger",
        "`### Trigger` appears twice",
    );
}

#[test]
fn a_missing_title() {
    refused("title: Checkout 5xx\n", "", "---", "missing `title`");
    refused(
        "title: Checkout 5xx\n",
        "title: \"  \"\n",
        "---",
        "missing `title`",
    );
    let err = parse("## Summary\n\nNo front matter, no title.\n", now()).unwrap_err();
    assert_eq!(
        (err.line, err.message.contains("missing `title`")),
        (1, true)
    );
}

#[test]
fn content_a_section_has_no_place_for() {
    refused(
        "| Time (UTC) |",
        "Some notes.\n\n| Time (UTC) |",
        "Some notes.",
        "unexpected content under `## Timeline`",
    );
    refused(
        "| Time (UTC) | Kind |",
        "| Time (UTC) | Sort |",
        "| Time (UTC) | Sort |",
        "unknown timeline column `Sort`, expected: Time (UTC), Kind",
    );
    refused(
        "| Time (UTC) | Kind | Event | Milestone | Source | Ref |\n|---|---|---|---|---|---|",
        "| Time (UTC) | Kind |\n|---|---|",
        "| Time (UTC) | Kind |",
        "the timeline table needs a `Event` column",
    );
    refused(
        "### What went well",
        "### What went sideways",
        "### What went sideways",
        "unknown subsection `### What went sideways`",
    );
    refused(
        "- The rollback",
        "The rollback",
        "The rollback",
        "unexpected content under `### What went well`",
    );
    refused(
        "1. **Why",
        "**Why",
        "**Why",
        "unexpected content under `### Five whys`",
    );
    refused(
        "- **canary**",
        "**canary**",
        "**canary**",
        "unexpected content under `## Contributing factors`",
    );
    refused(
        "| A1 | Add a 5% canary step | prevent | P1 | tom.becker | 2026-03-20 | open | short-term | engineering |",
        "| A1 | Add a 5% canary step | prevent | P1 | tom.becker | 2026-03-20 | open | short-term | engineering |\n\n### A2\n\nMore.",
        "### A2",
        "names no action item",
    );
    refused(
        "| A1 | Add a 5% canary step | prevent | P1 | tom.becker | 2026-03-20 | open | short-term | engineering |",
        "| A1 | Add a 5% canary step | prevent | P1 | tom.becker | 2026-03-20 | open | short-term | engineering |\n| A1 | Again | | | | | | | |",
        "| A1 | Again",
        "action item id `A1` is used twice",
    );
    refused(
        "| A1 | Add a 5% canary step |",
        "| A1 | |",
        "| A1 | |",
        "no `Action` text",
    );
    refused(
        "## Summary",
        "Intro text.\n\n## Summary",
        "Intro text.",
        "text before the first `##` heading",
    );
}

#[test]
fn defaults_fill_what_a_row_leaves_out() {
    let text = VALID.replace(
        "| A1 | Add a 5% canary step | prevent | P1 | tom.becker | 2026-03-20 | open | short-term | engineering |",
        "| A3 | Add a 5% canary step | | | | | | | |\n| | Page the owner | detect | P0 | | | wont-do: moved | | |",
    ).replace("- **canary** (F1): The canary", "- canary: The canary");
    let pm = parse_ok(&text).postmortem;
    let ids: Vec<&str> = pm.actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["A3", "A4"]);
    assert_eq!(pm.actions[0].priority, crate::model::Priority::P2);
    assert_eq!(pm.actions[1].wont_do_reason.as_deref(), Some("moved"));
    assert_eq!(pm.analysis.factors[0].id, "F1");
    assert_eq!(
        pm.milestones.detected,
        Some(super::utc("2026-03-04T10:14:00Z"))
    );
}

#[test]
fn crlf_line_endings_and_a_byte_order_mark_read_the_same() {
    let lf = parse_ok(VALID).postmortem;
    let crlf = format!("\u{feff}{}", VALID.replace('\n', "\r\n"));
    let parsed = parse_ok(&crlf).postmortem;
    assert_eq!(
        parsed,
        crate::model::Postmortem {
            id: parsed.id,
            ..lf
        }
    );
    let err = parse(&crlf.replace("SEV2", "SEV9"), now()).unwrap_err();
    assert_eq!(err.line, 4);
}
