//! Postmortems through the API: create, read, replace, delete, concurrent
//! edits, parts, workflow, import/export, search, action items, audit.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Server, both_backends};

both_backends! {
    async fn create_read_replace_delete(server: Server) {
        let editor = server.editor().await;
        let created = editor
            .post("/api/v1/postmortems", &json!({
                "title": "Checkout latency after deploy", "kind": "deploy",
                "severity": "SEV2", "services": ["checkout"], "owner": "erin"
            }))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.headers["etag"], "\"1\"");
        let pm = created.json();
        let key = pm["key"].as_str().unwrap().to_string();
        assert_eq!(pm["status"], "draft");

        let got = editor.get(&format!("/api/v1/postmortems/{key}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.json()["title"], "Checkout latency after deploy");

        // Server-set fields cannot be given on create.
        let refused = editor
            .post("/api/v1/postmortems", &json!({"title": "x", "kind": "incident", "status": "final"}))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.json()["error"]["field"], "status");

        // A replacement without a version is refused; with one it saves.
        let mut body = got.json();
        body["title"] = json!("Checkout latency after the 5.2 deploy");
        let mut unversioned = body.clone();
        unversioned.as_object_mut().unwrap().remove("version");
        let r = editor.json(Method::PUT, &format!("/api/v1/postmortems/{key}"), &unversioned).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(r.error_code(), "version-required");
        let r = editor.json(Method::PUT, &format!("/api/v1/postmortems/{key}"), &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["version"], 2);
        assert_eq!(r.headers["etag"], "\"2\"");

        // Status changes only through transitions.
        let mut moved = r.json();
        moved["status"] = json!("final");
        let r = editor.json(Method::PUT, &format!("/api/v1/postmortems/{key}"), &moved).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["field"], "status");

        // Delete needs the current version.
        let r = editor.delete(&format!("/api/v1/postmortems/{key}?version=1")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["current_version"], 2);
        let r = editor
            .send(Method::DELETE, &format!("/api/v1/postmortems/{key}"), None, &[("if-match", "\"2\"")])
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(editor.get(&format!("/api/v1/postmortems/{key}")).await.status, StatusCode::NOT_FOUND);

        // The history outlives the postmortem, for admins, by id.
        let id = pm["id"].as_str().unwrap();
        let admin = server.admin().await;
        let history = admin.get(&format!("/api/v1/postmortems/{id}/audit")).await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.text);
        let actions: Vec<String> = history.json().as_array().unwrap().iter()
            .map(|e| e["action"].as_str().unwrap().to_string()).collect();
        assert_eq!(actions, ["create", "update", "delete"]);
        assert_eq!(history.json()[0]["actor"].as_str().unwrap().split(' ').next(), Some("erin"));
        assert!(history.json()[0]["actor"].as_str().unwrap().contains("(token "));
        assert_eq!(editor.get(&format!("/api/v1/postmortems/{id}/audit")).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_second_of_two_concurrent_edits_gets_409_and_keeps_its_change(server: Server) {
        let seeded = server.seed("Cache stampede", false).await;
        let path = format!("/api/v1/postmortems/{}", seeded.id);
        let alice = server.editor().await;
        let bob = server.client_for("bob", hindsight_core::vocab::Role::Editor,
            hindsight_core::vocab::TokenScope::Write).await;
        let mut alice_copy = alice.get(&path).await.json();
        let mut bob_copy = bob.get(&path).await.json();
        alice_copy["summary"] = json!("Alice's summary.");
        bob_copy["impact"]["text"] = json!("Bob's impact: 12% of checkouts failed.");

        let first = alice.json(Method::PUT, &path, &alice_copy).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        let second = bob.json(Method::PUT, &path, &bob_copy).await;
        assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text);
        assert_eq!(second.error_code(), "version-conflict");
        assert_eq!(second.json()["error"]["current_version"], 2);

        // Nothing was overwritten: the stored copy is Alice's.
        let stored = alice.get(&path).await.json();
        assert_eq!(stored["summary"], "Alice's summary.");
        assert_eq!(stored["impact"]["text"], "");
        // Bob still has his edit and re-applies it on the current version.
        let mut rebased = stored.clone();
        rebased["impact"]["text"] = bob_copy["impact"]["text"].clone();
        let retried = bob.json(Method::PUT, &path, &rebased).await;
        assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
        let last = retried.json();
        assert_eq!(last["summary"], "Alice's summary.");
        assert_eq!(last["impact"]["text"], "Bob's impact: 12% of checkouts failed.");
        assert_eq!(last["version"], 3);
    }

    async fn parts_and_workflow(server: Server) {
        let seeded = server.seed("Queue backlog", false).await;
        let base = format!("/api/v1/postmortems/{}", seeded.id);
        let editor = server.editor().await;

        let r = editor.post(&format!("{base}/timeline"), &json!({
            "version": 1, "at": "2026-03-04T10:00:00Z", "kind": "alert", "text": "Backlog alert fired"
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["timeline"][0]["text"], "Backlog alert fired");
        assert_eq!(r.json()["timeline"][0]["source"], "manual");
        let r = editor.json(Method::PATCH, &format!("{base}/timeline/0"), &json!({
            "version": 2, "milestone": "detected"
        })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["timeline"][0]["milestone"], "detected");
        let r = editor.delete(&format!("{base}/timeline/7?version=3")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let r = editor.post(&format!("{base}/factors"), &json!({
            "version": 3, "category": "monitoring-gap", "text": "No alert on consumer lag"
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let factor = &r.json()["analysis"]["factors"][1];
        assert_eq!(factor["id"], "F2");
        assert_eq!(factor["group"], "technology");

        let r = editor.post(&format!("{base}/actions"), &json!({
            "version": 4, "title": "Alert on consumer lag over 5 minutes", "owner": "erin",
            "due": "2026-06-01", "factor": "F2", "type": "detect"
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["actions"][1]["id"], "A2");
        let r = editor.post(&format!("{base}/actions"), &json!({
            "version": 5, "title": "Add a check", "factor": "F9"
        })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["field"], "factor");
        let r = editor.delete(&format!("{base}/factors/F2?version=5")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_code(), "factor-in-use");
        let r = editor.json(Method::PATCH, &format!("{base}/actions/A2"), &json!({"status": "done"}))
            .await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
        let r = editor
            .send(Method::PATCH, &format!("{base}/actions/A2"),
                Some(("application/json", json!({"status": "done"}).to_string())), &[("if-match", "\"5\"")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["actions"][1]["status"], "done");

        // Workflow: to final is refused with what is missing; to in-review works.
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "final", "version": 6})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.error_code(), "transition-refused");
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "in-review", "version": 6})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["status"], "in-review");
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "closed", "version": 7})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = editor.post(&format!("{base}/transitions"), &json!({"to": "draft", "version": 6})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        let r = editor.delete(&format!("{base}/actions/A2?version=7")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let history = editor.get(&format!("{base}/audit")).await.json();
        assert_eq!(history.as_array().unwrap().len(), 8);
        assert_eq!(history[6]["action"], "transition");
    }

    async fn lists_search_actions_import_export(server: Server) {
        for n in 0..7 {
            server.seed(&format!("Outage number {n}"), false).await;
        }
        let editor = server.editor().await;
        let mut seen = Vec::new();
        let mut path = "/api/v1/postmortems?limit=3&sort=key&severity=SEV2".to_string();
        loop {
            let page = editor.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text);
            let page = page.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap().to_string()));
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/postmortems?limit=3&sort=key&severity=SEV2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, (1..=7).map(|n| format!("PM-{n}")).collect::<Vec<_>>());
        let none = editor.get("/api/v1/postmortems?kind=security").await.json();
        assert_eq!(none["items"].as_array().unwrap().len(), 0);

        let hits = editor.get("/api/v1/search?q=number%204&service=checkout").await;
        assert_eq!(hits.status, StatusCode::OK, "{}", hits.text);
        let hits = hits.json();
        assert_eq!(hits[0]["postmortem"]["title"], "Outage number 4");
        assert!(hits[0]["snippet"].as_array().unwrap().iter().any(|p| p["matched"] == true));

        let overdue = editor.get("/api/v1/actions?overdue=true&owner=olivia").await.json();
        assert_eq!(overdue.as_array().unwrap().len(), 7);
        let mine = editor.get("/api/v1/actions?mine=true").await.json();
        assert_eq!(mine.as_array().unwrap().len(), 0);

        let markdown = editor.get("/api/v1/postmortems/PM-3/export?format=md").await;
        assert_eq!(markdown.status, StatusCode::OK);
        assert!(markdown.headers["content-type"].to_str().unwrap().starts_with("text/markdown"));
        assert!(markdown.text.contains("Outage number 2"));
        // Re-importing the export changes nothing; an edited copy updates.
        let again = editor.send(Method::POST, "/api/v1/import",
            Some(("text/markdown", markdown.text.clone())), &[]).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        assert_eq!(again.json()["outcome"], "unchanged");
        let edited = markdown.text.replace("Outage number 2", "Outage number two");
        let r = editor.send(Method::POST, "/api/v1/import", Some(("text/markdown", edited.clone())), &[]).await;
        assert_eq!(r.json()["outcome"], "updated", "{}", r.text);
        let stale = editor.send(Method::POST, "/api/v1/import", Some(("text/markdown", edited)), &[]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
        let fresh = editor.send(Method::POST, "/api/v1/import",
            Some(("text/markdown", "# Free-form write-up\n\nThe queue filled up.\n".to_string())), &[]).await;
        assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.text);
        assert_eq!(fresh.json()["outcome"], "created");
        let json_export = editor.get("/api/v1/postmortems/PM-3/export?format=json").await;
        assert_eq!(json_export.json()["title"], "Outage number two");

        // A cursor whose postmortem was deleted asks to restart, not to stop.
        let first = editor.get("/api/v1/postmortems?limit=2&sort=-key").await.json();
        let cursor = first["next_cursor"].as_str().unwrap().to_string();
        let last = &first["items"][1];
        let gone = format!("/api/v1/postmortems/{}?version={}", last["key"].as_str().unwrap(), last["version"]);
        assert_eq!(editor.delete(&gone).await.status, StatusCode::NO_CONTENT);
        let r = editor.get(&format!("/api/v1/postmortems?limit=2&sort=-key&cursor={cursor}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json()["error"]["field"], "cursor");
    }

    async fn quality_report_and_public_export(server: Server) {
        let seeded = server.seed("Login outage", false).await;
        let path = format!("/api/v1/postmortems/{}", seeded.id);
        let editor = server.editor().await;
        let report = editor.get(&format!("{path}/quality")).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.text);
        let report = report.json();
        assert!(report["findings"].is_array());
        assert!(report["score"]["passed"].is_boolean());

        let r = editor.get(&format!("{path}/export?format=public")).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "not-public"));
        let mut pm = editor.get(&path).await.json();
        pm["visibility"] = json!("public");
        pm["summary"] = json!("Paged oncall@example.com, who rolled back.");
        let r = editor.json(Method::PUT, &path, &pm).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let public = editor.get(&format!("{path}/export?format=public")).await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.text);
        assert!(public.text.contains("[REDACTED:email]"), "{}", public.text);
        assert!(!public.text.contains("oncall@example.com"));
    }
}
