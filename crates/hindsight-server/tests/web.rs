//! The web UI over HTTP: a real server on 127.0.0.1:0 over SQLite, driven by
//! a cookie-keeping client that does not follow redirects, so each answer is
//! seen as the browser gets it. The full journey in a browser is
//! `tests/browser/journey.test.mjs` (scripts/browser-test).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use hindsight_auth::hash_password;
use hindsight_core::vocab::Role;
use hindsight_core::{ActionItem, Kind, Postmortem, Severity, TimelineEvent, Visibility};
use hindsight_server::Config;
use hindsight_store::{Store, User};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};

const PASSWORD: &str = "correct horse battery";

struct Server {
    base: String,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.db");
        let store: Arc<dyn Store> = Arc::from(
            hindsight_store::open(&path.to_string_lossy())
                .await
                .unwrap(),
        );
        let config = Config {
            cookie_secure: false,
            ..Config::default()
        };
        let app = hindsight_server::app(store.clone(), &config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(hindsight_server::serve(
            listener,
            app,
            std::future::pending(),
        ));
        let hash = hash_password(PASSWORD).unwrap();
        for (name, role, groups) in [
            ("olivia", Role::Editor, vec![]),
            ("erin", Role::Editor, vec![]),
            ("vic", Role::Viewer, vec![]),
            ("sam", Role::Editor, vec!["security-team".to_string()]),
            ("ada", Role::Admin, vec![]),
        ] {
            let user = User {
                name: name.into(),
                display_name: format!("{name} display"),
                role,
                groups,
                disabled: false,
                created_at: Utc::now(),
            };
            store.create_user(&user, Some(&hash), "test").await.unwrap();
        }
        Server {
            base,
            store,
            _dir: dir,
        }
    }

    /// A draft owned by olivia with a summary, one event and an open action item.
    async fn seed(&self, title: &str, visibility: Visibility) -> Postmortem {
        let now = Utc::now();
        let mut pm = Postmortem::new(title, Kind::Incident, now);
        pm.owner = Some("olivia".into());
        pm.severity = Some(Severity::Sev2);
        pm.summary = format!("Summary of {title}. <script>alert('x')</script>");
        pm.impact.users_affected = Some(40);
        pm.analysis.root_cause = "A config default changed.".into();
        pm.timeline = vec![TimelineEvent::note(now, "Deploy reached 100%")];
        pm.visibility = visibility;
        if visibility == Visibility::Restricted {
            pm.restricted_to = vec!["security-team".into()];
        }
        let mut a = ActionItem::new("A1", "Add an alert on checkout 5xx");
        a.owner = Some("olivia".into());
        a.due = NaiveDate::from_ymd_opt(2031, 1, 1);
        pm.actions = vec![a];
        self.store.create(&pm, "test").await.unwrap()
    }

    /// A logged-in browser-like client, with the session's CSRF token read
    /// from a page's forms.
    async fn login(&self, name: &str) -> Browser {
        let http = browser_client();
        let token = login_token(&http, &self.base).await;
        let r = post_login(&http, &self.base, name, PASSWORD, "/", &token).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {name}");
        let mut b = Browser {
            http,
            base: self.base.clone(),
            csrf: String::new(),
        };
        let (_, home) = b.get("/").await;
        b.csrf = field_value(&home, "_csrf").expect("a form with the CSRF token");
        b
    }
}

/// Opens the login form with `http` (which keeps its cookie) and returns the
/// form's token.
async fn login_token(http: &reqwest::Client, base: &str) -> String {
    let html = http
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    field_value(&html, "_login").expect("the login form's token")
}

/// A client that keeps cookies and does not follow redirects, like a
/// browser whose every step the test looks at.
fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the login form with `http` as a browser would: name, password,
/// `next` and the form's token.
async fn post_login(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    password: &str,
    next: &str,
    token: &str,
) -> reqwest::Response {
    http.post(format!("{base}/login"))
        .form(&[
            ("name", name),
            ("password", password),
            ("next", next),
            ("_login", token),
        ])
        .send()
        .await
        .unwrap()
}

struct Browser {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Posts a form with the CSRF token; the status, the redirect target and the body.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        all.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .unwrap();
        let location = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status(), location, r.text().await.unwrap())
    }
}

/// The value of the first input named `name` in `html`.
fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

#[tokio::test]
async fn pages_need_a_session_and_carry_a_strict_policy() {
    let s = Server::start().await;
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = anonymous
        .get(format!("{}/postmortems?q=db", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/login?next=%2Fpostmortems%3Fq%3Ddb");

    // A background htmx request never navigates away from what is typed.
    let r = anonymous
        .post(format!("{}/postmortems/PM-1/lint", s.base))
        .header("hx-request", "true")
        .form(&[("summary", "typed")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("hx-redirect").is_none());

    let r = anonymous
        .get(format!("{}/login", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "inline code on the page"
    );

    // Assets: hashed names, a year of caching, the right type; others 404.
    let css = html
        .split('"')
        .find(|p| p.starts_with("/assets/app.") && p.ends_with(".css"))
        .expect("the stylesheet link")
        .to_string();
    let r = anonymous
        .get(format!("{}{css}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let r = anonymous
        .get(format!("{}/assets/app.0000000000.css", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // An unknown address: a page for a browser, JSON for API clients.
    let r = anonymous
        .get(format!("{}/no-such-page", s.base))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers().contains_key(CONTENT_SECURITY_POLICY));
    let html = r.text().await.unwrap();
    assert!(html.contains("There is no page at this address."), "{html}");
    for path in ["/no-such-page", "/api/v1/no-such-route"] {
        let accept = if path.starts_with("/api/") {
            "text/html"
        } else {
            "application/json"
        };
        let r = anonymous
            .get(format!("{}{path}", s.base))
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "no-route", "{path}: {body}");
    }
}

#[tokio::test]
async fn login_refuses_a_wrong_password_and_never_redirects_off_site() {
    let s = Server::start().await;
    let http = browser_client();
    let token = login_token(&http, &s.base).await;
    let r = post_login(&http, &s.base, "olivia", "nope", "/", &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(html.contains("Wrong name or password"));
    // The form shown again carries a new token that works.
    let token = field_value(&html, "_login").expect("a new token");
    let r = post_login(
        &http,
        &s.base,
        "olivia",
        PASSWORD,
        "//evil.example/x",
        &token,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("hindsight_session=") && cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn a_login_form_posted_from_elsewhere_logs_no_one_in() {
    let s = Server::start().await;
    let victim = browser_client();
    let _ = login_token(&victim, &s.base).await;
    // Another site's form knows the attacker's password but not the
    // victim's token, which lives in a cookie only this site sees.
    let attacker = reqwest::Client::new();
    let attackers_token = login_token(&attacker, &s.base).await;
    for token in ["", attackers_token.as_str()] {
        let r = post_login(&victim, &s.base, "olivia", PASSWORD, "/", token).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "token {token:?}");
        assert!(
            r.headers()
                .get_all(SET_COOKIE)
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("hindsight_session=")),
            "a session was set"
        );
        assert!(r.text().await.unwrap().contains("log in again"));
    }
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_are_refused() {
    let s = Server::start().await;
    let pm = s.seed("Checkout 5xx", Visibility::Internal).await;
    let olivia = s.login("olivia").await;
    let r = olivia
        .http
        .post(format!("{}/postmortems/{}/status", s.base, pm.handle()))
        .form(&[("to", "in-review"), ("version", "1"), ("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let stored = s.store.get(&pm.handle()).await.unwrap().unwrap();
    assert_eq!(stored.version, 1, "nothing was written");
}

#[tokio::test]
async fn the_postmortem_page_escapes_markup_and_shows_findings_by_section() {
    let s = Server::start().await;
    let pm = s.seed("Checkout 5xx", Visibility::Internal).await;
    let olivia = s.login("olivia").await;
    let (status, html) = olivia.get(&format!("/postmortems/{}", pm.handle())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert"), "raw HTML from the summary");
    assert!(html.contains("&lt;script&gt;alert"));
    assert!(html.contains("id=\"timeline\"") && html.contains("Deploy reached 100%"));
    assert!(html.contains("class=\"finding"), "lint findings are shown");
    assert!(html.contains("id=\"edit-link\""));
}

#[tokio::test]
async fn restricted_postmortems_do_not_exist_for_others() {
    let s = Server::start().await;
    let secret = s.seed("Leaked signing key", Visibility::Restricted).await;
    let open = s.seed("Cache stampede", Visibility::Internal).await;
    let erin = s.login("erin").await;
    let (status, _) = erin.get(&format!("/postmortems/{}", secret.handle())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = erin.get("/postmortems").await;
    assert!(list.contains(&open.handle()) && !list.contains("Leaked signing key"));
    let (_, hits) = erin.get("/postmortems?q=signing").await;
    assert!(!hits.contains("Leaked"), "search leaks the restricted one");
    let (_, board) = erin.get("/actions").await;
    assert!(!board.contains(&format!("/postmortems/{}#", secret.handle())));
    let (status, _, _) = erin
        .post(
            &format!("/postmortems/{}/edit", secret.handle()),
            &[("version", "1"), ("title", "x"), ("kind", "incident")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let sam = s.login("sam").await;
    let (status, _) = sam.get(&format!("/postmortems/{}", secret.handle())).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a member of the named group reads it"
    );
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_change() {
    let s = Server::start().await;
    let pm = s.seed("Checkout 5xx", Visibility::Internal).await;
    let vic = s.login("vic").await;
    let (status, html) = vic.get(&format!("/postmortems/{}", pm.handle())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"edit-link\"") && !html.contains("id=\"workflow\""));
    let (status, _) = vic.get(&format!("/postmortems/{}/edit", pm.handle())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = vic
        .post(
            &format!("/actions/{}/A1", pm.handle()),
            &[("status", "done"), ("from", "open")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = vic
        .post("/postmortems/new", &[("title", "x"), ("kind", "incident")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_editor_keeps_what_was_typed_on_errors_and_conflicts() {
    let s = Server::start().await;
    let pm = s.seed("Checkout 5xx", Visibility::Internal).await;
    let olivia = s.login("olivia").await;
    let path = format!("/postmortems/{}/edit", pm.handle());
    let (_, form) = olivia.get(&path).await;
    let base = field_value(&form, "base").unwrap();

    let (status, _, html) = olivia
        .post(
            &path,
            &[
                ("version", "1"),
                ("base", &base),
                ("title", "Checkout 5xx"),
                ("kind", "incident"),
                ("tl.0.at", "half past two"),
                ("tl.0.text", "Rollback started"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("is not a time") && html.contains("value=\"Rollback started\""));

    // Someone else saves first.
    let mut other = s.store.get(&pm.handle()).await.unwrap().unwrap();
    other.analysis.detection = "Paged after 4 minutes.".into();
    s.store
        .update(&other, "erin", hindsight_store::AuditAction::Update)
        .await
        .unwrap();
    let (status, _, html) = olivia
        .post(
            &path,
            &[
                ("version", "1"),
                ("base", &base),
                ("title", "Checkout 5xx after the 7.3 deploy"),
                ("kind", "incident"),
                ("summary", "My new summary"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"conflict\"") && html.contains("analysis.detection"));
    assert!(
        html.contains(">My new summary</textarea>"),
        "the typed text is kept"
    );
    assert_eq!(field_value(&html, "version").as_deref(), Some("2"));
    let stored = s.store.get(&pm.handle()).await.unwrap().unwrap();
    assert_eq!(stored.title, "Checkout 5xx", "nothing was written");

    let (status, location, _) = olivia
        .post(
            &path,
            &[
                ("version", "2"),
                ("title", "Checkout 5xx after the 7.3 deploy"),
                ("kind", "incident"),
                ("severity", "SEV2"),
                ("owner", "olivia"),
                ("summary", "My new summary"),
                ("action.0.id", "A1"),
                ("action.0.title", "Add an alert on checkout 5xx"),
                ("action.0.owner", "olivia"),
                ("action.0.due", "2031-01-01"),
                ("action.0.status", "open"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?done=saved"), "{location}");
    let stored = s.store.get(&pm.handle()).await.unwrap().unwrap();
    assert_eq!(stored.title, "Checkout 5xx after the 7.3 deploy");
    assert_eq!(
        stored.analysis.detection, "",
        "the deliberate save replaced it"
    );
}

#[tokio::test]
async fn review_and_workflow_go_through_the_core_rules() {
    let s = Server::start().await;
    let pm = s.seed("Checkout 5xx", Visibility::Internal).await;
    let key = pm.handle();
    let olivia = s.login("olivia").await;
    let (status, _, html) = olivia
        .post(
            &format!("/postmortems/{key}/review"),
            &[("version", "1"), ("reviewers", "nobody")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("id=\"reviewers-error\"") && html.contains("no account named"),
        "the error is next to the reviewers field"
    );
    let (status, location, _) = olivia
        .post(
            &format!("/postmortems/{key}/review"),
            &[("version", "1"), ("reviewers", "erin")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let erin = s.login("erin").await;
    let (_, home) = erin.get("/").await;
    assert!(
        home.contains(&format!("/postmortems/{key}#review")),
        "the review waits on erin's home"
    );
    let (status, _, html) = erin
        .post(
            &format!("/postmortems/{key}/verdict"),
            &[
                ("version", "2"),
                ("verdict", "changes-requested"),
                ("comment", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"comment-error\"") && html.contains("needs a comment"));
    let (status, _, _) = erin
        .post(
            &format!("/postmortems/{key}/verdict"),
            &[
                ("version", "2"),
                ("verdict", "approved"),
                ("section", "Root cause"),
                ("comment", "Good"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = olivia
        .post(
            &format!("/postmortems/{key}/status"),
            &[("version", "3"), ("to", "final")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = olivia
        .post(
            &format!("/postmortems/{key}/status"),
            &[("version", "4"), ("to", "closed")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Not closed") && html.contains("action item A1"),
        "the reason is shown"
    );
    let (status, _, _) = olivia
        .post(
            &format!("/actions/{key}/A1"),
            &[("status", "done"), ("from", "open"), ("back", "/actions")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = olivia
        .post(
            &format!("/postmortems/{key}/status"),
            &[("version", "5"), ("to", "closed")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let stored = s.store.get(&key).await.unwrap().unwrap();
    assert_eq!(stored.status, hindsight_core::Status::Closed);
    assert_eq!(stored.reviews[0].section.as_deref(), Some("Root cause"));
    let actions: Vec<String> = s
        .store
        .audit(stored.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "review-request",
            "review",
            "transition",
            "update",
            "transition"
        ]
    );
}

#[tokio::test]
async fn a_new_postmortem_starts_from_its_kinds_template() {
    let s = Server::start().await;
    let olivia = s.login("olivia").await;
    let (status, _, html) = olivia
        .post("/postmortems/new", &[("title", " "), ("kind", "security")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Give the postmortem a title"));
    let (status, location, _) = olivia
        .post(
            "/postmortems/new",
            &[
                ("title", "Token in a public log"),
                ("kind", "security"),
                ("severity", "SEV1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let key = location
        .trim_start_matches("/postmortems/")
        .trim_end_matches("/edit")
        .to_string();
    let pm = s.store.get(&key).await.unwrap().unwrap();
    assert_eq!(pm.visibility, Visibility::Restricted);
    assert_eq!(pm.restricted_to, ["olivia"]);
    assert_eq!(pm.owner.as_deref(), Some("olivia"));
    let (status, location, _) = olivia
        .post(
            "/postmortems/new",
            &[("title", "Bad canary"), ("kind", "deploy")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, editor) = olivia.get(&location).await;
    for gate in ["ci", "canary", "soak", "eval", "feedback"] {
        assert!(
            editor.contains(&format!("<option selected>{gate}</option>")),
            "{gate} row"
        );
    }
}

#[tokio::test]
async fn admins_manage_accounts_and_others_may_not() {
    let s = Server::start().await;
    let erin = s.login("erin").await;
    let (status, _) = erin.get("/admin/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = erin
        .post("/admin/users/vic", &[("role", "admin"), ("groups", "")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let ada = s.login("ada").await;
    let (status, html) = ada.get("/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"user-olivia\""));
    let (status, _, html) = ada
        .post(
            "/admin/users",
            &[
                ("name", "nina"),
                ("role", "viewer"),
                ("groups", "sre, oncall"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(html.contains("Added nina."));
    let (status, _, html) = ada
        .post("/admin/users", &[("name", "nina"), ("role", "viewer")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"nina\""), "what was typed stays");
    let (status, location, _) = ada
        .post(
            "/admin/users/nina",
            &[
                ("role", "editor"),
                ("groups", "sre"),
                ("display_name", "Nina"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/users")
    );
    let nina = s.store.user("nina").await.unwrap().unwrap();
    assert_eq!(
        (nina.role, nina.groups),
        (Role::Editor, vec!["sre".to_string()])
    );
    assert_eq!(nina.display_name, "Nina");
}

#[tokio::test]
async fn the_board_puts_overdue_first_and_shows_at_most_a_hundred_items() {
    let s = Server::start().await;
    let mut pm = Postmortem::new("Many follow-ups", Kind::Incident, Utc::now());
    for i in 1..=101 {
        let mut a = ActionItem::new(format!("A{i}"), format!("Follow up number {i}"));
        a.owner = Some("olivia".into());
        a.due = NaiveDate::from_ymd_opt(2031, 1, 1);
        pm.actions.push(a);
    }
    // The last item is the only overdue one: it comes first.
    pm.actions[100].due = NaiveDate::from_ymd_opt(2020, 1, 1);
    let pm = s.store.create(&pm, "test").await.unwrap();
    let olivia = s.login("olivia").await;
    let (status, html) = olivia.get("/actions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Showing the 100 most urgent of 101 items"));
    let first = html.find("Follow up number").unwrap();
    assert!(
        html[first..].starts_with("Follow up number 101<"),
        "overdue first"
    );
    assert!(html.contains(&format!(
        "id=\"row-{}-A101\" class=\"overdue\"",
        pm.handle()
    )));
    let (_, filtered) = olivia.get("/actions?overdue=1").await;
    assert!(!filtered.contains("most urgent") && filtered.contains("Follow up number 101"));
}

/// A postmortem on checkout with a config factor, its incident in 2026-Q3.
async fn incident(s: &Server, title: &str, month: u32, visibility: Visibility) -> Postmortem {
    let started = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, month, 3, 10, 0, 0).unwrap();
    let mut pm = Postmortem::new(title, Kind::Incident, started);
    pm.severity = Some(Severity::Sev2);
    pm.services = vec!["checkout".into()];
    pm.summary = "The checkout connection pool ran dry after a config push.".into();
    pm.milestones.started = Some(started);
    pm.milestones.resolved = Some(started + chrono::Duration::minutes(90));
    pm.analysis.factors = vec![hindsight_core::ContributingFactor {
        id: "F1".into(),
        category: hindsight_core::FactorCategory::Config,
        group: hindsight_core::FishboneGroup::Technology,
        text: "The pool size came from a config default".into(),
    }];
    pm.visibility = visibility;
    if visibility == Visibility::Restricted {
        pm.restricted_to = vec!["security-team".into()];
    }
    s.store.create(&pm, "test").await.unwrap()
}

#[tokio::test]
async fn insights_and_similar_postmortems_show_only_what_the_viewer_reads() {
    let s = Server::start().await;
    let july = incident(&s, "Checkout pool ran dry", 7, Visibility::Internal).await;
    let august = incident(&s, "Checkout pool ran dry again", 8, Visibility::Internal).await;
    let secret = incident(&s, "Checkout pool ZEBRA", 9, Visibility::Restricted).await;

    let vic = s.login("vic").await;
    let (status, html) = vic.get("/insights?period=2026-Q3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/insights\" aria-current=\"page\""),
        "in the navigation"
    );
    assert!(html.contains("<h1>Insights 2026-Q3</h1>"));
    assert!(
        html.contains("<option selected>2026-Q3</option>"),
        "the period picker"
    );
    assert_eq!(
        html.matches("<svg xmlns").count(),
        4,
        "the four charts inline"
    );
    let headline = &html[html.find("id=\"headline\"").unwrap()..];
    assert!(
        headline.contains("<span class=\"l\">Postmortems</span>\n      <span class=\"n\">2</span>"),
        "two readable postmortems in the period"
    );
    assert!(
        headline.contains("<span class=\"l\">MTTR</span>\n      <span class=\"n\">1h 30m</span>"),
        "MTTR median"
    );
    let patterns = &html[html.find("id=\"patterns\"").unwrap()..];
    assert!(patterns.contains("config</strong>") && patterns.contains(": 2 postmortems"));
    assert!(patterns.contains(&july.handle()) && patterns.contains(&august.handle()));
    assert!(
        !html.contains("ZEBRA") && !html.contains(&format!("/postmortems/{}\"", secret.handle()))
    );

    let ada = s.login("ada").await;
    let (_, html) = ada.get("/insights?period=2026-Q3").await;
    let patterns = &html[html.find("id=\"patterns\"").unwrap()..];
    assert!(patterns.contains(": 3 postmortems") && patterns.contains(&secret.handle()));

    let (status, _) = vic.get("/insights?period=2026-Q9").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The similar panel on the page of the July postmortem.
    let (_, page) = vic.get(&format!("/postmortems/{}", july.handle())).await;
    let panel = &page[page.find("id=\"similar\"").unwrap()..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(panel.contains(&august.handle()), "{panel}");
    assert!(
        panel.contains("same service (checkout), same factor: config"),
        "{panel}"
    );
    assert!(!panel.contains(&secret.handle()) && !page.contains("ZEBRA"));
    let (_, page) = ada.get(&format!("/postmortems/{}", july.handle())).await;
    let panel = &page[page.find("id=\"similar\"").unwrap()..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(panel.contains(&secret.handle()), "{panel}");

    // While editing: the editor's quality panel lists them too, and the list
    // follows what is typed (htmx posts the form to the lint route).
    let erin = s.login("erin").await;
    let (status, page) = erin
        .get(&format!("/postmortems/{}/edit", july.handle()))
        .await;
    assert_eq!(status, StatusCode::OK);
    let panel = &page[page.find("Similar past postmortems").unwrap()..];
    let panel = &panel[..panel.find("</ol>").unwrap()];
    assert!(panel.contains(&august.handle()), "{panel}");
    assert!(!page.contains(&secret.handle()) && !page.contains("ZEBRA"));
    let lint = format!("/postmortems/{}/lint", july.handle());
    let (_, _, typed) = erin
        .post(
            &lint,
            &[
                ("title", "Checkout pool ran dry"),
                ("kind", "incident"),
                ("services", "checkout"),
            ],
        )
        .await;
    assert!(
        typed.contains("id=\"similar-list\"") && typed.contains(&august.handle()),
        "{typed}"
    );
    let (_, _, typed) = erin
        .post(
            &lint,
            &[
                ("title", "Quarterly badge printer jam"),
                ("kind", "incident"),
                ("services", "badges"),
            ],
        )
        .await;
    assert!(typed.contains("id=\"similar-none\""), "{typed}");
}
