//! End-to-end tests of the `hindsight` binary: real processes on a real SQLite
//! file, the real public corpus from ../shared, the documented file format.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hindsight_store::scratch::ScratchDatabase;
use serde_json::Value;

/// A scratch folder with its own database.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> String {
        self.path("hindsight.db").display().to_string()
    }

    fn command(&self, db: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hindsight"));
        cmd.arg("--db")
            .arg(db)
            .args(args)
            .env("HINDSIGHT_ACTOR", "tester")
            .env_remove("HINDSIGHT_DB")
            .current_dir(self.dir.path());
        cmd
    }

    /// Runs against the sandbox database and returns the output, whatever the exit code.
    fn run(&self, args: &[&str]) -> Output {
        self.command(&self.db(), args).output().unwrap()
    }

    /// Runs `hindsight edit HANDLE` with `editor` as $EDITOR.
    fn edit(&self, handle: &str, editor: &Path) -> Output {
        self.command(&self.db(), &["edit", handle])
            .env("EDITOR", editor)
            .env_remove("VISUAL")
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        self.ok_on(&self.db(), args)
    }

    /// Runs against another database and expects success; returns stdout.
    fn ok_on(&self, db: &str, args: &[&str]) -> String {
        let out = self.command(db, args).output().unwrap();
        assert!(
            out.status.success(),
            "hindsight {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
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

    fn count(&self) -> usize {
        self.json(&["list", "--json"]).as_array().unwrap().len()
    }
}

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/icco");
    assert!(
        dir.is_dir(),
        "the public corpus must be at {} (tests read it from ../shared)",
        dir.display()
    );
    dir
}

/// The complete example postmortem of docs/format.md.
fn documented_example() -> String {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/format.md"))
            .unwrap();
    let start = doc.find("```markdown\n").unwrap() + "```markdown\n".len();
    let len = doc[start..].find("\n```\n").unwrap();
    format!("{}\n", &doc[start..start + len])
}

#[test]
fn the_corpus_imports_once_and_is_searchable() {
    let s = Sandbox::new();
    let corpus = corpus();
    let files = std::fs::read_dir(&corpus)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "md")
        })
        .count();
    let first = s.ok(&["import", corpus.to_str().unwrap()]);
    assert!(
        first.contains(&format!(
            "imported {files} file(s): {files} created, 0 updated, 0 unchanged, 0 failed"
        )),
        "{first}"
    );
    let again = s.ok(&["import", corpus.to_str().unwrap()]);
    assert!(
        again.contains(&format!(
            "0 created, 0 updated, {files} unchanged, 0 failed"
        )),
        "{again}"
    );
    assert_eq!(s.count(), files);

    // Words that only appear in the free-form bodies find their postmortem.
    let hits = s.json(&["search", "SimpleDB", "storage", "nodes", "--json"]);
    let ids: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["postmortem"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.first().copied(),
        Some("00b7f759-21f8-4767-8803-f09d863005cd"),
        "{hits}"
    );
    let human = s.ok(&["search", "boot.ini"]);
    assert!(human.contains("EVE Online"), "{human}");
    assert!(human.contains("[boot]"), "{human}");
}

#[test]
fn the_demo_set_survives_export_and_import_unchanged() {
    let s = Sandbox::new();
    let loaded = s.ok(&["demo", "--today", "2026-11-01"]);
    assert!(loaded.contains("created"), "{loaded}");
    let again = s.ok(&["demo", "--today", "2026-11-01"]);
    assert!(again.contains(" 0 created, 0 updated"), "{again}");
    let original = s.json(&["export", "--all", "--format", "json"]);
    let n = original.as_array().unwrap().len();
    assert!((55..=65).contains(&n), "{n} demo postmortems");
    assert!(original[0]["id"].is_string());

    for format in ["md", "json"] {
        let out = s.path(&format!("export-{format}"));
        s.ok(&[
            "export",
            "--all",
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ]);
        let copy = s.path(&format!("copy-{format}.db")).display().to_string();
        let imported = s
            .command(&copy, &["import", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            imported.status.success(),
            "{}",
            String::from_utf8_lossy(&imported.stderr)
        );
        let exported = s
            .command(&copy, &["export", "--all", "--format", "json"])
            .output()
            .unwrap();
        let round_tripped: Value = serde_json::from_slice(&exported.stdout).unwrap();
        assert_eq!(
            round_tripped, original,
            "{format} round trip changed the demo set"
        );
    }
}

#[test]
fn broken_files_are_reported_with_their_line_and_nothing_is_imported() {
    let s = Sandbox::new();
    let good = s.path("good.md");
    std::fs::write(&good, documented_example()).unwrap();
    let bad_severity = s.path("bad-severity.md");
    std::fs::write(
        &bad_severity,
        "---\ntitle: Outage\nkind: incident\nseverity: SEV5\n---\n\n## Summary\n\nText.\n",
    )
    .unwrap();
    let bad_row = s.path("bad-row.md");
    std::fs::write(
        &bad_row,
        "---\ntitle: Outage\nmilestones:\n  started: 2026-03-04T10:00:00Z\n---\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 10:00 | Start | extra |\n",
    )
    .unwrap();
    let no_zone = s.path("no-zone.md");
    std::fs::write(
        &no_zone,
        "---\ntitle: Outage\nmilestones:\n  started: 2026-03-04T10:00:00\n---\n",
    )
    .unwrap();

    let err = s.fails(&["import", s.dir.path().to_str().unwrap()]);
    assert!(err.contains("bad-severity.md:4: "), "{err}");
    assert!(
        err.contains("unknown severity `SEV5`, expected one of: SEV1, SEV2, SEV3, SEV4"),
        "{err}"
    );
    assert!(err.contains("bad-row.md:11: "), "{err}");
    assert!(err.contains("no-zone.md:4: "), "{err}");
    assert_eq!(
        s.count(),
        0,
        "a batch with a broken file must not change the database"
    );

    // The good file alone imports, and the database is untouched by a later bad one.
    s.ok(&["import", good.to_str().unwrap()]);
    let before = s.json(&["export", "--all", "--format", "json"]);
    s.fails(&["import", bad_severity.to_str().unwrap()]);
    assert_eq!(s.json(&["export", "--all", "--format", "json"]), before);
}

#[test]
fn the_documented_example_imports_with_every_section() {
    let s = Sandbox::new();
    let file = s.path("pm-12.md");
    std::fs::write(&file, documented_example()).unwrap();
    s.ok(&["import", file.to_str().unwrap()]);
    let shown = s.json(&["show", "PM-12", "--json"]);
    let pm = &shown["postmortem"];
    assert_eq!(pm["title"], "Checkout 5xx after payments-api 2.14 rollout");
    assert_eq!(pm["timeline"].as_array().unwrap().len(), 3);
    assert_eq!(pm["analysis"]["five_whys"].as_array().unwrap().len(), 2);
    assert_eq!(pm["analysis"]["factors"][1]["group"], "people");
    assert_eq!(pm["release"]["gates"].as_array().unwrap().len(), 2);
    assert_eq!(
        pm["actions"][1]["wont_do_reason"],
        "replaced by the v3 schema"
    );
    assert_eq!(pm["extra_sections"][0]["heading"], "Customer communication");
    assert_eq!(shown["durations"]["time_to_detect_seconds"], 12 * 60);
    assert_eq!(shown["durations"]["time_to_resolve_seconds"], 63 * 60);
    // The export is the canonical form of the same document: it differs from the
    // example only where the example uses a shorthand (a `2026-03-05T08:00Z`
    // time, an empty source), and importing it back changes nothing.
    let exported = s.ok(&["export", "PM-12"]);
    assert!(
        exported.contains("| 2026-03-05T08:00:00Z | note | Follow-up review held | | manual | |")
    );
    assert_eq!(
        exported
            .replace(
                "08:00:00Z | note | Follow-up review held | | manual |",
                "08:00Z | note | Follow-up review held | | |"
            )
            .replace("reviews:\n- reviewer", "reviews:\n  - reviewer")
            .replace(
                "\n  verdict: approved\n  at: 2026-03-09T09:50:00Z\n  comment:",
                "\n    verdict: approved\n    at: 2026-03-09T09:50:00Z\n    comment:"
            ),
        documented_example()
    );
    let again = s.path("exported.md");
    std::fs::write(&again, &exported).unwrap();
    let out = s.ok(&["import", again.to_str().unwrap()]);
    assert!(out.contains("0 created, 0 updated, 1 unchanged"), "{out}");
}

#[test]
fn the_workflow_refuses_what_is_missing_and_records_history() {
    let s = Sandbox::new();
    let file = s.path("new.md");
    s.ok(&[
        "new",
        "Search latency after index rebuild",
        "--kind",
        "incident",
        "--out",
        file.to_str().unwrap(),
    ]);
    s.ok(&["import", file.to_str().unwrap()]);
    let err = s.fails(&["status", "PM-1", "closed"]);
    assert!(err.contains("cannot move from draft to closed"), "{err}");
    let err = s.fails(&["status", "PM-1", "in-review"]);
    assert!(
        err.contains("missing: an owner; a severity; a summary"),
        "{err}"
    );

    // The example is complete: in-review -> final, then closing waits for A1.
    let example = s.path("example.md");
    std::fs::write(
        &example,
        documented_example().replace("status: final", "status: in-review"),
    )
    .unwrap();
    s.ok(&["import", example.to_str().unwrap()]);
    s.ok(&["status", "PM-12", "final"]);
    s.ok(&[
        "action",
        "add",
        "PM-12",
        "Add a contract test for the amount field",
        "--owner",
        "tom.becker",
        "--due",
        "2026-04-01",
    ]);
    let err = s.fails(&["status", "PM-12", "closed"]);
    assert!(
        err.contains("action item A3 \"Add a contract test for the amount field\" to be done, verified or won't-do with a reason (it is open)"),
        "{err}"
    );
    assert!(
        !err.contains("A1") && !err.contains("A2"),
        "A1 is done and A2 won't be done: {err}"
    );
    s.ok(&["action", "update", "PM-12", "A3", "--status", "done"]);
    s.ok(&["status", "PM-12", "closed"]);
    let history = s.ok(&["history", "PM-12"]);
    assert!(history.contains("transition tester"), "{history}");
    assert!(
        history.contains("status: \"in-review\" -> \"final\""),
        "{history}"
    );
}

#[test]
fn action_items_are_added_updated_and_followed() {
    let s = Sandbox::new();
    s.ok(&["demo", "--today", "2026-11-01"]);
    let overdue = s.json(&["action", "list", "--overdue", "--json"]);
    assert!(
        !overdue.as_array().unwrap().is_empty(),
        "the demo set has overdue items"
    );
    for row in overdue.as_array().unwrap() {
        let status = row["item"]["status"].as_str().unwrap();
        assert!(status == "open" || status == "in-progress", "{row}");
    }

    let file = s.path("new.md");
    s.ok(&[
        "new",
        "Queue backlog",
        "--severity",
        "SEV3",
        "--owner",
        "lena.fischer",
        "--out",
        file.to_str().unwrap(),
    ]);
    s.ok(&["import", file.to_str().unwrap()]);
    let key = s.json(&["list", "--json", "--owner", "lena.fischer"])[0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let added = s.ok(&[
        "action",
        "add",
        &key,
        "Alert when consumer lag exceeds 5 minutes",
        "--type",
        "detect",
        "--priority",
        "P1",
        "--owner",
        "tom.becker",
        "--due",
        "2020-01-31",
        "--ticket",
        "jira:OPS-12",
        "--outcome",
        "Lag alert fires in a game day",
    ]);
    assert!(added.contains("added A1"), "{added}");
    let mine = s.json(&[
        "action",
        "list",
        "--owner",
        "tom.becker",
        "--overdue",
        "--json",
    ]);
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|r| r["postmortem_key"] == key.as_str()),
        "{mine}"
    );
    let err = s.fails(&["action", "update", &key, "A1", "--status", "wont-do"]);
    assert!(err.contains("wont-do needs a reason"), "{err}");
    s.ok(&[
        "action",
        "update",
        &key,
        "A1",
        "--status",
        "wont-do",
        "--reason",
        "Replaced by the queue migration",
    ]);
    let err = s.fails(&["action", "update", &key, "A9", "--status", "done"]);
    assert!(err.contains("has no action item A9 (it has: A1)"), "{err}");
    let items = s.json(&["action", "list", "--postmortem", &key, "--json"]);
    assert_eq!(items[0]["item"]["status"], "wont-do");
    assert_eq!(items[0]["item"]["ticket"]["key"], "OPS-12");
}

/// `edit` saves through the version check: an edit made while someone else
/// saved is refused, and the edited file is kept.
#[test]
fn edit_saves_with_a_version_check_and_never_loses_typing() {
    let s = Sandbox::new();
    let file = s.path("pm.md");
    std::fs::write(&file, documented_example()).unwrap();
    s.ok(&["import", file.to_str().unwrap()]);

    let editor = s.path("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/^title: .*/title: Checkout errors after the 2.14 rollout/' \"$1\"\n",
    )
    .unwrap();
    make_executable(&editor);
    let out = s.edit("PM-12", &editor);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("saved PM-12 (version 8)"));
    let pm = s.json(&["show", "PM-12", "--json"]);
    assert_eq!(
        pm["postmortem"]["title"],
        "Checkout errors after the 2.14 rollout"
    );

    // While this editor is open, another writer saves the same postmortem.
    let racing = s.path("racing-editor.sh");
    std::fs::write(
        &racing,
        format!(
            "#!/bin/sh\n'{bin}' --db '{db}' action add PM-12 'Page the payments on-call on canary errors' >/dev/null\nsed -i 's/^title: .*/title: Lost update?/' \"$1\"\n",
            bin = env!("CARGO_BIN_EXE_hindsight"),
            db = s.db()
        ),
    )
    .unwrap();
    make_executable(&racing);
    let out = s.edit("PM-12", &racing);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("changed by someone else"), "{err}");
    assert!(err.contains("your edit is kept in"), "{err}");
    let pm = s.json(&["show", "PM-12", "--json"]);
    assert_eq!(
        pm["postmortem"]["title"],
        "Checkout errors after the 2.14 rollout"
    );
    assert_eq!(pm["postmortem"]["version"], 9);
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// SQLite -> PostgreSQL -> SQLite keeps every record: the exports are identical
/// and the copy is verified by counts and checksum each way.
#[test]
fn migrate_data_moves_a_deployment_to_postgres_and_back() {
    let s = Sandbox::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pg = runtime
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"));
    let pg_url = pg.url();

    s.ok(&["demo", "--today", "2026-11-01"]);
    s.ok(&[
        "action",
        "add",
        "PM-3",
        "Alert on queue age above 5 minutes",
        "--owner",
        "tom.becker",
    ]);
    s.ok(&["user", "add", "bob", "--role", "editor", "--group", "sre"]);
    s.ok(&["token", "create", "--user", "bob", "--scope", "write"]);
    let deleted = s.ok(&["delete", "PM-4", "--yes"]);
    let deleted_id = deleted
        .trim()
        .trim_end_matches("`)")
        .rsplit(' ')
        .next()
        .unwrap();
    let original = s.ok(&["export", "--all", "--format", "json"]);

    let schema = s.ok_on(&pg_url, &["migrate"]);
    assert!(
        schema.starts_with("postgres database postgres://"),
        "{schema}"
    );
    assert!(schema.contains("migrations applied"), "{schema}");

    let db = s.db();
    let there = s.ok(&["migrate-data", "--from", &db, "--to", &pg_url]);
    assert!(there.contains("verified: same counts, sha256 "), "{there}");
    assert_eq!(
        s.ok_on(&pg_url, &["export", "--all", "--format", "json"]),
        original
    );
    assert!(there.contains("1 users, 1 API tokens"), "{there}");
    for listing in [["user", "list", "--json"], ["token", "list", "--json"]] {
        assert_eq!(s.ok_on(&pg_url, &listing), s.ok(&listing));
    }
    // The deleted postmortem's history moved too.
    let history = |db: &str| s.ok_on(db, &["history", deleted_id]);
    assert_eq!(history(&pg_url), history(&db));

    let back = s.path("back.db").display().to_string();
    let again = s.ok(&["migrate-data", "--from", &pg_url, "--to", &back]);
    let checksum = |out: &str| out.split("sha256 ").nth(1).unwrap().to_string();
    assert_eq!(checksum(&again), checksum(&there));
    assert_eq!(
        s.ok_on(&back, &["export", "--all", "--format", "json"]),
        original
    );
    let markdown = |db: &str, name: &str| {
        let dir = s.path(name);
        s.ok_on(
            db,
            &[
                "export",
                "--all",
                "--format",
                "md",
                "--out",
                dir.to_str().unwrap(),
            ],
        );
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let before = markdown(&db, "md-before");
    assert!(before.len() > 50);
    assert_eq!(markdown(&back, "md-after"), before);

    // A target that holds data is refused and left as it was.
    let refused = s.fails(&["migrate-data", "--from", &db, "--to", &back]);
    assert!(refused.contains("not empty"), "{refused}");
    assert_eq!(
        s.ok_on(&back, &["export", "--all", "--format", "json"]),
        original
    );
}

/// The public corpus in both backends: the same queries find the same
/// postmortems in the same order, up to ties in score.
#[test]
fn the_corpus_searches_alike_on_sqlite_and_postgres() {
    let s = Sandbox::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pg = runtime
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"));
    let pg_url = pg.url();
    let corpus = corpus();
    let corpus = corpus.to_str().unwrap();
    s.ok(&["import", corpus]);
    s.ok_on(&pg_url, &["import", corpus]);

    let queries = [
        "certificate expired",
        "database failover",
        "DNS",
        "BGP routes",
        "memory leak",
        "configuration change rollback",
        "load balancer",
        "disk full",
    ];
    for query in queries {
        let hits = |db: &str| -> Vec<(String, f64)> {
            let out = s.ok_on(db, &["search", query, "--limit", "10", "--json"]);
            serde_json::from_str::<Value>(&out)
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h["postmortem"]["id"].as_str().unwrap().to_string(),
                        h["score"].as_f64().unwrap(),
                    )
                })
                .collect()
        };
        let (lite, pg) = (hits(&s.db()), hits(&pg_url));
        assert!(!lite.is_empty(), "`{query}` finds nothing");
        assert_eq!(lite.len(), pg.len(), "`{query}`: {lite:?} vs {pg:?}");
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(1.0);
        for (rank, ((lite_id, lite_score), (pg_id, pg_score))) in
            lite.iter().zip(&pg).take(5).enumerate()
        {
            assert!(
                close(*lite_score, *pg_score),
                "`{query}` rank {rank}: score {lite_score} vs {pg_score}"
            );
            // A different postmortem at this rank is fine only if it ties.
            if lite_id != pg_id {
                let tied = |id: &str, hits: &[(String, f64)]| {
                    hits.iter()
                        .any(|(other, score)| other == id && close(*score, *lite_score))
                };
                assert!(
                    tied(lite_id, &pg) && tied(pg_id, &lite),
                    "`{query}` rank {rank}: {lite_id} on SQLite, {pg_id} on PostgreSQL"
                );
            }
        }
    }
}
