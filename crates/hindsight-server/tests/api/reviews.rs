//! The review workflow through the API: asking reviewers, verdicts on the
//! postmortem and on a section, approvals gating `final`, reopening, due
//! dates, and the admin's audit logs.

use chrono::{DateTime, Duration, Utc};
use hindsight_core::vocab::{Role, TokenScope};
use hindsight_store::AuditAction;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Server, both_backends};

both_backends! {
    async fn review_from_request_to_final_and_reopen(server: Server) {
        let mut pm = server.seed("Cache stampede", false).await;
        pm.impact.text = "Checkout p99 rose to 4 s for 20 minutes.".into();
        pm.analysis.root_cause = "The cache expired every key at once.".into();
        pm.milestones.resolved = Some(Utc::now() - Duration::hours(60));
        let pm = server.store.update(&pm, "test", AuditAction::Update).await.unwrap();
        let base = format!("/api/v1/postmortems/{}", pm.id);
        let editor = server.editor().await;
        let rita = server.client_for("rita", Role::Editor, TokenScope::Write).await;
        server.user("vera", Role::Viewer, &[]).await;

        // A draft: no review yet, the draft is overdue (SEV2: 48 h after resolving).
        let state = editor.get(&format!("{base}/review")).await.json();
        assert_eq!(state["status"], "draft");
        assert_eq!(state["approvals_required"], 1);
        assert_eq!(state["deadlines"]["draft_overdue"], true);
        let draft_due: DateTime<Utc> = state["deadlines"]["draft_due"].as_str().unwrap().parse().unwrap();
        let want = pm.milestones.resolved.unwrap() + Duration::hours(48);
        assert!((draft_due - want).num_seconds().abs() < 1, "{draft_due} vs {want}");
        assert!(state["review_requested_at"].is_null());

        // Reviewers must be accounts.
        let r = editor.post(&format!("{base}/review-requests"), &json!({"reviewers": ["rita", "nobody"], "version": 2})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json()["error"]["field"], "reviewers[1]");
        assert!(r.text.contains("nobody"), "{}", r.text);
        let r = editor.post(&format!("{base}/review-requests"), &json!({"reviewers": ["rita"], "version": 2})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["status"], "in-review");
        assert_eq!(r.json()["reviewers"], json!(["rita"]));

        let state = editor.get(&format!("{base}/review")).await.json();
        assert_eq!(state["status"], "in-review");
        let asked: DateTime<Utc> = state["review_requested_at"].as_str().unwrap().parse().unwrap();
        let review_due: DateTime<Utc> = state["deadlines"]["review_due"].as_str().unwrap().parse().unwrap();
        assert_eq!(review_due - asked, Duration::hours(72));
        assert_eq!(state["deadlines"]["review_overdue"], false);
        assert_eq!(state["missing_approvals"], json!(["an approving review"]));

        // Only a requested reviewer approves; a request for changes says what.
        let r = editor.post(&format!("{base}/reviews"), &json!({"verdict": "approved", "version": 3})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.error_code(), "review-refused");
        assert!(r.text.contains("not a requested reviewer"), "{}", r.text);
        let r = rita.post(&format!("{base}/reviews"), &json!({"verdict": "changes-requested", "version": 3})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = rita.post(&format!("{base}/reviews"), &json!({
            "verdict": "changes-requested", "section": "Root cause",
            "comment": "Say why every key expired at once.", "version": 3
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["reviews"][0]["section"], "Root cause");
        let state = editor.get(&format!("{base}/review")).await.json();
        assert_eq!(state["changes_requested_by"], json!(["rita"]));

        // `final` waits for the approval, then goes through.
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "final", "version": 4})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("an approving review"), "{}", r.text);
        assert!(r.text.contains("rita, who requested changes"), "{}", r.text);
        let r = rita.post(&format!("{base}/reviews"), &json!({"verdict": "approved", "comment": "Thanks.", "version": 4})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let state = editor.get(&format!("{base}/review")).await.json();
        assert_eq!(state["approved_by"], json!(["rita"]));
        assert_eq!(state["changes_requested_by"], json!([]));
        assert_eq!(state["missing_approvals"], json!([]));
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "final", "version": 5})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);

        // Reopening is recorded in the history.
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "in-review", "version": 6})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let history = editor.get(&format!("{base}/audit")).await.json();
        let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "update", "review-request", "review", "review", "transition", "transition"]);
        let reopen = &history[6]["changes"];
        assert!(reopen.as_array().unwrap().iter().any(|c| c["field"] == "status"
            && c["before"] == "final" && c["after"] == "in-review"), "{reopen}");
    }

    async fn reviewers_of_a_restricted_postmortem_must_be_able_to_read_it(server: Server) {
        let pm = server.seed("Leaked key", true).await;
        let admin = server.admin().await;
        server.user("rita", Role::Editor, &[]).await;
        server.user("sam", Role::Editor, &["security-team"]).await;
        let base = format!("/api/v1/postmortems/{}", pm.id);
        let r = admin.post(&format!("{base}/review-requests"), &json!({"reviewers": ["rita"], "version": 1})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert!(r.text.contains("may not read"), "{}", r.text);
        let r = admin.post(&format!("{base}/review-requests"), &json!({"reviewers": ["sam"], "version": 1})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }

    async fn admins_read_the_whole_audit_log_page_by_page(server: Server) {
        let first = server.seed("First", false).await;
        let second = server.seed("Second", true).await;
        let admin = server.admin().await;
        let editor = server.editor().await;
        let r = editor.delete(&format!("/api/v1/postmortems/{}?version=1", first.id)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        assert_eq!(editor.get("/api/v1/audit").await.status, StatusCode::FORBIDDEN);

        // Newest first, deleted and restricted postmortems included.
        let page = admin.get("/api/v1/audit?limit=2").await.json();
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["action"], "delete");
        assert!(items[0]["actor"].as_str().unwrap().starts_with("erin (token "), "{page}");
        assert_eq!(items[1]["postmortem_id"], second.id.to_string());
        let cursor = page["next_cursor"].as_str().unwrap();
        let rest = admin.get(&format!("/api/v1/audit?limit=2&cursor={cursor}")).await.json();
        assert_eq!(rest["items"][0]["postmortem_id"], first.id.to_string());
        assert_eq!(rest["items"][0]["action"], "create");
        assert!(rest["next_cursor"].is_null(), "{rest}");

        let only = admin.get(&format!("/api/v1/audit?postmortem={}&action=create", first.id)).await.json();
        assert_eq!(only["items"].as_array().unwrap().len(), 1);
        let by_erin = admin.get("/api/v1/audit?actor=erin").await.json();
        assert_eq!(by_erin["items"].as_array().unwrap().len(), 1);
        let future = admin.get("/api/v1/audit?from=2999-01-01").await.json();
        assert_eq!(future["items"], json!([]));
        let r = admin.get("/api/v1/audit?cursor=abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["field"], "cursor");

        // The account log: the users and tokens the test made, newest first.
        let events = admin.get("/api/v1/account-events?limit=1").await.json();
        assert_eq!(events["items"].as_array().unwrap().len(), 1);
        let cursor = events["next_cursor"].as_str().unwrap();
        let older = admin.get(&format!("/api/v1/account-events?cursor={}", urlencode(cursor))).await.json();
        assert!(older["items"].as_array().unwrap().iter().any(|e| e["action"] == "user-create"), "{older}");
        let r = admin.get("/api/v1/account-events?cursor=2026-01-01T00%3A00%3A00Z~x").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["field"], "cursor");
    }
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
