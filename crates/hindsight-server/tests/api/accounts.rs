//! Sessions (cookie flags, CSRF, rate limit, logout), API tokens and users.

use hindsight_core::vocab::{Role, TokenScope};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Backend, Client, Server, both_backends};

const PASSWORD: &str = "correct horse battery staple";

async fn with_password(server: &Server, name: &str, role: Role) {
    server.user(name, role, &[]).await;
    let hash = hindsight_auth::hash_password(PASSWORD).unwrap();
    server
        .store
        .set_password(name, &hash, "test")
        .await
        .unwrap();
}

async fn login(client: &mut Client, name: &str, password: &str) -> crate::support::Reply {
    let r = client
        .post(
            "/api/v1/session",
            &json!({"name": name, "password": password}),
        )
        .await;
    if r.status == StatusCode::OK {
        client.csrf = r.json()["csrf_token"].as_str().map(String::from);
    }
    r
}

both_backends! {
    async fn sessions_need_csrf_for_changes_and_end_at_logout(server: Server) {
        with_password(&server, "erin", Role::Editor).await;
        let mut client = Client::with_cookies(&server.base);
        let r = login(&mut client, "erin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cookie = r.headers["set-cookie"].to_str().unwrap().to_string();
        for flag in ["hindsight_session=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(cookie.contains(flag), "{cookie} lacks {flag}");
        }
        assert_eq!(client.get("/api/v1/session").await.json()["user"]["name"], "erin");

        let csrf = client.csrf.take();
        let r = client.post("/api/v1/postmortems", &json!({"title": "t", "kind": "incident"})).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::FORBIDDEN, "csrf"));
        client.csrf = Some("wrong".into());
        let r = client.post("/api/v1/postmortems", &json!({"title": "t", "kind": "incident"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        client.csrf = csrf;
        let r = client.post("/api/v1/postmortems", &json!({"title": "t", "kind": "incident"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let history = client.get("/api/v1/postmortems/PM-1/audit").await.json();
        assert_eq!(history[0]["actor"], "erin");

        assert_eq!(client.delete("/api/v1/session").await.status, StatusCode::NO_CONTENT);
        assert_eq!(client.get("/api/v1/postmortems").await.status, StatusCode::UNAUTHORIZED);
    }

    async fn tokens_are_shown_once_scoped_and_revocable(server: Server) {
        let viewer = server.client_for("vera", Role::Viewer, TokenScope::Admin).await;
        // A viewer's admin-scoped token manages tokens but holds only read ones.
        let r = viewer.post("/api/v1/tokens", &json!({"name": "ci", "scope": "write"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["error"]["field"], "scope");
        let r = viewer.post("/api/v1/tokens", &json!({"name": "dashboards", "scope": "read"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let secret = r.json()["token"].as_str().unwrap().to_string();
        let id = r.json()["record"]["id"].as_str().unwrap().to_string();
        assert!(secret.starts_with("hs_"));
        let listed = viewer.get("/api/v1/tokens").await;
        assert!(!listed.text.contains(&secret));
        assert!(listed.json().as_array().unwrap().iter().any(|t| t["id"] == id.as_str()));

        let fresh = server.client(Some(secret.clone()));
        let me = fresh.get("/api/v1/session").await.json();
        assert_eq!((me["via"].as_str(), me["scope"].as_str()), (Some("token"), Some("read")));
        // A read token cannot manage tokens, even its own.
        assert_eq!(fresh.delete(&format!("/api/v1/tokens/{id}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(viewer.get("/api/v1/tokens?user=ada").await.status, StatusCode::FORBIDDEN);

        assert_eq!(viewer.delete(&format!("/api/v1/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
        assert_eq!(viewer.delete(&format!("/api/v1/tokens/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(fresh.get("/api/v1/postmortems").await.status, StatusCode::UNAUTHORIZED);
        let garbage = server.client(Some("hs_not_a_token".into()));
        assert_eq!(garbage.get("/api/v1/postmortems").await.error_code(), "unauthenticated");
    }

    async fn admins_manage_users(server: Server) {
        let admin = server.admin().await;
        let editor = server.editor().await;
        let new = json!({"name": "sam", "role": "viewer", "groups": ["sre"], "password": PASSWORD});
        assert_eq!(editor.post("/api/v1/users", &new).await.status, StatusCode::FORBIDDEN);
        let r = admin.post("/api/v1/users", &new).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert!(!r.text.contains(PASSWORD));
        assert_eq!(admin.post("/api/v1/users", &new).await.status, StatusCode::CONFLICT);
        let short = json!({"name": "tim", "role": "viewer", "password": "short"});
        let r = admin.post("/api/v1/users", &short).await;
        assert_eq!(r.json()["error"]["field"], "password");

        let r = admin.json(Method::PATCH, "/api/v1/users/sam", &json!({"role": "editor"})).await;
        assert_eq!(r.json()["role"], "editor", "{}", r.text);
        let mut sam = Client::with_cookies(&server.base);
        assert_eq!(login(&mut sam, "sam", PASSWORD).await.status, StatusCode::OK);
        admin.json(Method::PATCH, "/api/v1/users/sam", &json!({"disabled": true})).await;
        assert_eq!(sam.get("/api/v1/session").await.status, StatusCode::UNAUTHORIZED);
        let users = admin.get("/api/v1/users").await.json();
        assert!(users.as_array().unwrap().iter().any(|u| u["name"] == "sam" && u["disabled"] == true));
        assert_eq!(admin.get("/api/v1/users/nobody").await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_account() {
    let server = Server::start_with(Backend::Sqlite, |c| c.cookie_secure = false).await;
    with_password(&server, "erin", Role::Editor).await;
    let mut client = Client::with_cookies(&server.base);
    for _ in 0..5 {
        let r = login(&mut client, "erin", "wrong password!").await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::UNAUTHORIZED, "invalid-credentials")
        );
    }
    let r = login(&mut client, "erin", PASSWORD).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate-limited")
    );
    assert!(r.headers.contains_key("retry-after"));
    // Unknown names get the same answer as wrong passwords.
    let r = login(&mut client, "nobody", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Without `Secure` when configured so (plain-HTTP localhost).
    with_password(&server, "olga", Role::Viewer).await;
    let r = login(&mut client, "olga", PASSWORD).await;
    assert!(!r.headers["set-cookie"].to_str().unwrap().contains("Secure"));
    server.stop().await;
}

#[tokio::test]
async fn the_setup_token_creates_the_first_admin_once() {
    let server = Server::start_with(Backend::Sqlite, |c| {
        c.cookie_secure = false;
        c.setup_token = Some("first-start-token".into());
    })
    .await;
    let anon = server.anonymous();
    let admin = json!({"token": "first-start-token", "name": "root", "password": PASSWORD});
    let r = anon
        .post(
            "/api/v1/setup",
            &json!({"token": "guess", "name": "root", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(r.json()["error"]["field"], "token");
    let r = anon
        .post(
            "/api/v1/setup",
            &json!({"token": "first-start-token", "name": "root", "password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json()["error"]["field"], "password");
    let r = anon.post("/api/v1/setup", &admin).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["role"], "admin");
    // Once only, even with the right token.
    let r = anon.post("/api/v1/setup", &admin).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.error_code(), "setup-done");
    // The new admin logs in and administers.
    let mut client = Client::with_cookies(&server.base);
    assert_eq!(
        login(&mut client, "root", PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(client.get("/api/v1/users").await.status, StatusCode::OK);
    let events = client.get("/api/v1/account-events").await.json();
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "user-create" && e["actor"] == "setup"),
        "{events}"
    );
}
