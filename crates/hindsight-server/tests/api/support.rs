//! A real server on 127.0.0.1:0 over a real store (SQLite in a temporary
//! folder, or a throwaway PostgreSQL database), and a small HTTP client.

use std::sync::Arc;

use chrono::Utc;
use hindsight_auth::Token;
use hindsight_core::vocab::{Role, TokenScope};
use hindsight_core::{Kind, Postmortem, Severity, TimelineEvent, Visibility};
use hindsight_server::Config;
use hindsight_store::scratch::ScratchDatabase;
use hindsight_store::{ApiToken, Store, User};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Runs a test body on both backends: `name::sqlite` and `name::postgres`.
macro_rules! both_backends {
    ($(async fn $name:ident($server:ident: $ty:ty) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($server: $ty) $body

                #[tokio::test]
                async fn sqlite() {
                    run(crate::support::Server::start(crate::support::Backend::Sqlite).await).await;
                }

                #[tokio::test]
                async fn postgres() {
                    run(crate::support::Server::start(crate::support::Backend::Postgres).await).await;
                }
            }
        )*
    };
}
pub(crate) use both_backends;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What keeps the database alive for the test.
#[allow(dead_code)]
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres(Box<ScratchDatabase>),
}

pub struct Server {
    pub base: String,
    pub store: Arc<dyn Store>,
    _db: Database,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// The body limit of test servers, small so the limit is cheap to hit.
pub const BODY_LIMIT: usize = 256 * 1024;

impl Server {
    pub async fn start(backend: Backend) -> Server {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Server {
        let (target, db) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("hindsight.db");
                (path.to_string_lossy().into_owned(), Database::Sqlite(dir))
            }
            Backend::Postgres => {
                let db = ScratchDatabase::create()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                (db.url(), Database::Postgres(Box::new(db)))
            }
        };
        let store: Arc<dyn Store> = Arc::from(hindsight_store::open(&target).await.unwrap());
        let mut config = Config {
            body_limit: BODY_LIMIT,
            ..Config::default()
        };
        adjust(&mut config);
        let app = hindsight_server::app(store.clone(), &config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(hindsight_server::serve(listener, app, async {
            let _ = stopped.await;
        }));
        Server {
            base,
            store,
            _db: db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Starts the shutdown without waiting for it.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Stops the server, waiting for requests in flight.
    pub async fn stop(mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// An account (created if needed; no password) with these groups.
    pub async fn user(&self, name: &str, role: Role, groups: &[&str]) -> User {
        if let Some(u) = self.store.user(name).await.unwrap() {
            return u;
        }
        let user = User {
            name: name.into(),
            display_name: name.into(),
            role,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            disabled: false,
            created_at: Utc::now(),
        };
        self.store.create_user(&user, None, "test").await.unwrap()
    }

    /// A client with a new token of `scope` for the account `name`.
    pub async fn client_for(&self, name: &str, role: Role, scope: TokenScope) -> Client {
        self.user(name, role, &[]).await;
        let token = Token::generate().unwrap();
        let record = ApiToken::issued(
            name,
            &format!("{scope} test token"),
            scope,
            token.prefix(),
            Utc::now(),
            None,
        );
        self.store
            .create_token(&record, &token.hash(), "test")
            .await
            .unwrap();
        self.client(Some(token.to_string()))
    }

    pub async fn editor(&self) -> Client {
        self.client_for("erin", Role::Editor, TokenScope::Write)
            .await
    }

    pub async fn admin(&self) -> Client {
        self.client_for("ada", Role::Admin, TokenScope::Admin).await
    }

    pub fn anonymous(&self) -> Client {
        self.client(None)
    }

    pub fn client(&self, token: Option<String>) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            token,
            csrf: None,
        }
    }

    /// Stores a complete draft (owner, severity, summary, one timeline event,
    /// factor F1 and action item A1) directly, at version 1.
    pub async fn seed(&self, title: &str, restricted: bool) -> Postmortem {
        let now = Utc::now();
        let mut pm = Postmortem::new(title, Kind::Incident, now);
        pm.owner = Some("olivia".into());
        pm.severity = Some(Severity::Sev2);
        pm.summary = format!("Summary of {title}.");
        pm.services = vec!["checkout".into()];
        pm.timeline = vec![TimelineEvent::note(now, format!("Noticed {title}"))];
        pm.analysis.factors = vec![hindsight_core::ContributingFactor {
            id: "F1".into(),
            category: hindsight_core::FactorCategory::Config,
            group: hindsight_core::FishboneGroup::Technology,
            text: format!("A factor of {title}"),
        }];
        let mut action = hindsight_core::ActionItem::new("A1", format!("Fix {title}"));
        action.owner = Some("olivia".into());
        action.due = Some(now.date_naive() - chrono::Duration::days(3));
        pm.actions = vec![action];
        if restricted {
            pm.visibility = Visibility::Restricted;
            pm.restricted_to = vec!["security-team".into()];
        }
        self.store.create(&pm, "test").await.unwrap()
    }
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The `error.code` of an error reply, after checking the error shape.
    pub fn error_code(&self) -> String {
        let body = self.json();
        let error = body
            .get("error")
            .unwrap_or_else(|| panic!("no error: {}", self.text));
        assert_eq!(error["status"], self.status.as_u16(), "{}", self.text);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        error["code"].as_str().unwrap().to_string()
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    /// Set after a login: cookie sessions send it back on changes.
    pub csrf: Option<String>,
}

impl Client {
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn with_cookies(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: base.to_string(),
            token: None,
            csrf: None,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, String)>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(csrf) = &self.csrf {
            req = req.header("x-csrf-token", csrf);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some((content_type, body)) = body {
            req = req.header("content-type", content_type).body(body);
        }
        let resp = req.send().await.unwrap();
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, &[]).await
    }

    pub async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        self.send(
            method,
            path,
            Some(("application/json", body.to_string())),
            &[],
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.json(Method::POST, path, body).await
    }
}
