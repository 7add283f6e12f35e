//! End-to-end tests of `hindsight user` and `hindsight token`: the real binary
//! on a SQLite file, checked through its output and through the store.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use hindsight_auth::{Token, verify_password};
use hindsight_store::Store;

/// A temporary database and the binary run against it as actor `tester`.
struct Db {
    dir: tempfile::TempDir,
}

impl Db {
    fn new() -> Self {
        Db {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> String {
        self.dir.path().join("h.db").display().to_string()
    }

    /// Runs `hindsight ARGS` with `stdin` as standard input.
    fn run_with(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .arg("--db")
            .arg(self.path())
            .args(args)
            .env("HINDSIGHT_ACTOR", "tester")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A command that refuses its arguments exits without reading its input:
        // the write then fails with a broken pipe, which is not the test's concern.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run_with(args, stdin);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed:\n{stdout}\n{stderr}");
        stdout
    }

    /// Runs, expects failure, returns stderr.
    fn fails(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run_with(args, stdin);
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8(out.stderr).unwrap()
    }

    async fn store(&self) -> Box<dyn Store> {
        hindsight_store::open(&self.path()).await.unwrap()
    }
}

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn users_are_added_listed_updated_and_get_passwords() {
    let db = Db::new();
    let out = db.ok(
        &["user", "add", "root", "--role", "admin", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(out, "added admin root (can log in)\n");
    assert!(!out.contains(PASSWORD));
    let out = db.ok(
        &[
            "user",
            "add",
            "Dana",
            "--role",
            "viewer",
            "--group",
            "security",
            "--group",
            "sre",
            "--display-name",
            "Dana Scully",
        ],
        "",
    );
    assert!(out.contains("API tokens only"), "{out}");

    let err = db.fails(
        &["user", "add", "eve", "--role", "editor", "--password-stdin"],
        "short\n",
    );
    assert!(
        err.contains("too short: use at least 12 characters"),
        "{err}"
    );
    let err = db.fails(
        &["user", "add", "eve", "--role", "editor", "--password-stdin"],
        "",
    );
    assert!(err.contains("no password on standard input"), "{err}");
    let err = db.fails(&["user", "add", "DANA", "--role", "editor"], "");
    assert!(err.contains("already exists"), "{err}");
    let err = db.fails(&["user", "add", "x", "--role", "owner"], "");
    assert!(err.contains("viewer, editor, admin"), "{err}");

    let users: serde_json::Value =
        serde_json::from_str(&db.ok(&["user", "list", "--json"], "")).unwrap();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dana", "root"]);
    assert_eq!(users[0]["groups"], serde_json::json!(["security", "sre"]));
    let table = db.ok(&["user", "list"], "");
    assert!(
        table.contains("Dana Scully") && table.contains("security,sre"),
        "{table}"
    );
    assert!(!table.contains("argon2"));

    let out = db.ok(
        &[
            "user",
            "update",
            "dana",
            "--role",
            "editor",
            "--group",
            "oncall",
            "--disable",
        ],
        "",
    );
    assert_eq!(out, "updated Dana: editor, groups [oncall], disabled\n");
    let out = db.ok(&["user", "update", "dana", "--enable", "--no-groups"], "");
    assert_eq!(out, "updated Dana: editor, groups [], active\n");
    let err = db.fails(&["user", "update", "ghost", "--disable"], "");
    assert!(err.contains("no user `ghost`"), "{err}");

    let err = db.fails(&["user", "password", "dana"], "whatever\n");
    assert!(err.contains("--password-stdin"), "{err}");
    db.ok(
        &["user", "password", "dana", "--password-stdin"],
        "another long passphrase\r\n",
    );

    let store = db.store().await;
    let hash = store.password_hash("root").await.unwrap();
    assert!(verify_password(PASSWORD, hash.as_deref()).unwrap());
    let hash = store.password_hash("dana").await.unwrap();
    assert!(verify_password("another long passphrase", hash.as_deref()).unwrap());
    let events = store.account_events(None, 10).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "password-set",
            "user-update",
            "user-update",
            "user-create",
            "user-create"
        ]
    );
    assert!(events.iter().all(|e| e.event.actor == "tester"));
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_by_role_and_revocable() {
    let db = Db::new();
    db.ok(&["user", "add", "ed", "--role", "editor"], "");
    db.ok(&["user", "add", "vi", "--role", "viewer"], "");

    let out = db.ok(
        &[
            "token",
            "create",
            "--user",
            "ED",
            "--scope",
            "write",
            "--name",
            "ci deploys",
            "--expires-in-days",
            "30",
        ],
        "",
    );
    let last = out.lines().last().unwrap();
    let token = Token::parse(last).unwrap();
    assert_eq!(last, token.to_string(), "the token alone on the last line");
    assert_eq!(out.matches(last).count(), 1);
    assert!(out.contains("expires"), "{out}");

    let err = db.fails(&["token", "create", "--user", "ed", "--scope", "admin"], "");
    assert!(
        err.contains("admin tokens are above the editor role of `ed`"),
        "{err}"
    );
    assert!(err.contains("read, write, webhook"), "{err}");
    let err = db.fails(&["token", "create", "--user", "vi", "--scope", "write"], "");
    assert!(err.contains("allowed scopes: read"), "{err}");
    let err = db.fails(
        &["token", "create", "--user", "nobody", "--scope", "read"],
        "",
    );
    assert!(err.contains("no user `nobody`"), "{err}");
    let err = db.fails(
        &[
            "token",
            "create",
            "--user",
            "vi",
            "--scope",
            "read",
            "--expires-in-days",
            "0",
        ],
        "",
    );
    assert!(err.contains("expires-in-days"), "{err}");
    let viewer_token = db.ok(&["token", "create", "--user", "vi", "--scope", "read"], "");
    assert!(viewer_token.contains("never expires"));

    let store = db.store().await;
    let (used, user) = store
        .use_token(&token.hash(), chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.name.as_str(), used.name.as_str()),
        ("ed", "ci deploys")
    );
    assert_eq!(used.prefix, token.prefix());

    let list = db.ok(&["token", "list"], "");
    assert!(!list.contains(last), "{list}");
    assert!(list.contains(&format!("hs_{}_…", token.prefix())), "{list}");
    assert!(
        list.contains("ci deploys") && list.contains("active"),
        "{list}"
    );
    let json = db.ok(&["token", "list", "--user", "ed", "--json"], "");
    assert!(!json.contains(last));
    let tokens: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    assert!(tokens[0]["last_used_at"].is_string(), "use was recorded");
    let id = tokens[0]["id"].as_str().unwrap().to_string();

    assert_eq!(
        db.ok(&["token", "revoke", &id], ""),
        format!("revoked token {id}\n")
    );
    let err = db.fails(&["token", "revoke", &id], "");
    assert!(err.contains("no active token"), "{err}");
    let err = db.fails(&["token", "revoke", "not-a-uuid"], "");
    assert!(err.contains("invalid value"), "{err}");
    assert!(
        db.ok(&["token", "list", "--user", "ed"], "")
            .contains("revoked")
    );
    assert_eq!(
        store
            .use_token(&token.hash(), chrono::Utc::now())
            .await
            .unwrap(),
        None
    );
}
