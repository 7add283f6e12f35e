//! One error shape everywhere, including limits and unknown routes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{BODY_LIMIT, Backend, Server, both_backends};

#[tokio::test]
async fn every_error_has_the_one_shape() {
    let server = Server::start(Backend::Sqlite).await;
    let editor = server.editor().await;

    let r = editor.get("/api/v1/nothing-here").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::NOT_FOUND, "no-route")
    );
    let r = editor
        .send(Method::PATCH, "/api/v1/postmortems", None, &[])
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.error_code(), "method-not-allowed");

    let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
    let r = editor
        .send(
            Method::POST,
            "/api/v1/postmortems",
            Some(("application/json", deep)),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "json-too-deep")
    );

    let big = json!({"title": "x".repeat(BODY_LIMIT), "kind": "incident"});
    let r = editor.post("/api/v1/postmortems", &big).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body-too-large")
    );

    let r = editor
        .send(
            Method::POST,
            "/api/v1/postmortems",
            Some(("application/json", "{\"title\":".into())),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "malformed-json")
    );
    let r = editor
        .send(
            Method::POST,
            "/api/v1/postmortems",
            Some(("text/plain", "{}".into())),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    r.error_code();

    let r = editor
        .post(
            "/api/v1/postmortems",
            &json!({"title": "x", "kind": "incident", "severity": "SEV9"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["field"], "severity");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SEV1")
    );
    let r = editor.post("/api/v1/postmortems", &json!({"title": "x", "kind": "incident",
        "actions": [{"id": "A1", "title": "t", "type": "prevent", "priority": "P1", "status": "open", "due": "soon"}]})).await;
    assert_eq!(r.json()["error"]["field"], "actions[0].due", "{}", r.text);

    let r = editor.get("/api/v1/postmortems?severity=SEV9").await;
    assert_eq!(r.json()["error"]["field"], "severity");
    let r = editor.get("/api/v1/postmortems?from=yesterday").await;
    assert_eq!(r.json()["error"]["field"], "from");
    let r = editor.get("/api/v1/postmortems?cursor=nonsense").await;
    assert_eq!(r.json()["error"]["field"], "cursor");
    let r = editor.get("/api/v1/postmortems?limit=many").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "invalid-query")
    );
    let r = editor.get("/api/v1/postmortems/PM-404").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::NOT_FOUND, "not-found")
    );
    let r = editor.delete("/api/v1/tokens/not-a-uuid").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "invalid-path")
    );
    server.stop().await;
}

both_backends! {
    async fn unknown_query_parameters_are_refused_by_name(server: Server) {
        let editor = server.editor().await;
        let r = editor.get("/api/v1/postmortems?severty=SEV1").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json()["error"]["field"], "severty");
        assert!(r.text.contains("severity"), "the known parameters are listed: {}", r.text);
        let r = editor.get("/api/v1/postmortems?severity=SEV1&kind=deploy&limit=5").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = editor.get("/api/v1/search?q=disk&owner=erin&limit=3").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = editor.get("/api/v1/search?query=disk").await;
        assert_eq!(r.json()["error"]["field"], "query");
        let r = editor.get("/api/v1/session?debug=1").await;
        assert!(r.text.contains("takes no query parameters"), "{}", r.text);
        // Without credentials the 401 comes first; a public route still checks.
        let anonymous = server.anonymous();
        let r = anonymous.get("/api/v1/postmortems?severty=SEV1").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        let r = anonymous.get("/healthz?verbose=1").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
}
