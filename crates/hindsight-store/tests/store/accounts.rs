//! The accounts half of the store suite, and restricted postmortems as each
//! kind of reader sees them. Run on every backend by `backend_suite!`.

use hindsight_core::access::Reader;
use hindsight_core::vocab::{Role, TokenScope};
use uuid::Uuid;

use super::*;

/// A PHC-shaped stand-in: the store keeps password hashes as given.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

pub fn account(name: &str, role: Role, groups: &[&str]) -> User {
    User {
        name: name.into(),
        display_name: name.to_uppercase(),
        role,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        disabled: false,
        created_at: at(1, 9, 0),
    }
}

pub fn token(user: &str, scope: TokenScope, created: DateTime<Utc>) -> ApiToken {
    ApiToken {
        id: Uuid::new_v4(),
        user: user.into(),
        name: format!("{scope} token"),
        scope,
        prefix: "abcd1234".into(),
        created_at: created,
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
    }
}

pub fn actions_of(events: &[AccountEvent]) -> Vec<&str> {
    events.iter().map(|e| e.action.as_str()).collect()
}

/// The newest `limit` events of the account log.
pub async fn newest_events(s: &dyn Store, limit: u32) -> Vec<AccountEvent> {
    s.account_events(None, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.event)
        .collect()
}

pub async fn accounts_are_created_read_and_updated(s: &dyn Store) {
    let ana = s
        .create_user(
            &account("Ana", Role::Editor, &["sre", "db", "sre"]),
            Some(HASH),
            "root",
        )
        .await
        .unwrap();
    assert_eq!(ana.groups, ["db", "sre"]);
    assert_eq!(s.user("ana").await.unwrap(), Some(ana.clone()));
    assert_eq!(s.user("ANA").await.unwrap(), Some(ana.clone()));
    assert_eq!(s.user("nobody").await.unwrap(), None);
    assert_eq!(s.password_hash("ana").await.unwrap().as_deref(), Some(HASH));

    let bot = s
        .create_user(&account("deploy-bot", Role::Viewer, &[]), None, "root")
        .await
        .unwrap();
    assert_eq!(s.password_hash("deploy-bot").await.unwrap(), None);
    assert_eq!(s.users().await.unwrap(), [ana.clone(), bot]);

    // Names clash case-insensitively; nothing is written by a refused create.
    let err = s
        .create_user(&account("ANA", Role::Admin, &[]), None, "root")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    for bad in ["", "two words", "tab\tname"] {
        let err = s
            .create_user(&account(bad, Role::Viewer, &[]), None, "root")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    }
    assert_eq!(s.users().await.unwrap().len(), 2);

    let mut change = ana.clone();
    change.name = "ANA".into();
    change.role = Role::Admin;
    change.groups = vec!["security".into()];
    change.disabled = true;
    change.created_at = at(20, 0, 0);
    let updated = s.update_user(&change, "root").await.unwrap();
    assert_eq!(updated.name, "Ana", "the stored spelling stays");
    assert_eq!(updated.created_at, ana.created_at, "creation time is kept");
    assert_eq!((updated.role, updated.disabled), (Role::Admin, true));
    assert_eq!(updated.groups, ["security"]);
    assert_eq!(s.user("ana").await.unwrap(), Some(updated));

    s.set_password("ANA", "$argon2id$new", "ana").await.unwrap();
    assert_eq!(
        s.password_hash("ana").await.unwrap().as_deref(),
        Some("$argon2id$new")
    );
    let err = s.set_password("ghost", HASH, "root").await.unwrap_err();
    assert!(matches!(err, StoreError::NoAccount(_)), "{err}");
    let err = s
        .update_user(&account("ghost", Role::Viewer, &[]), "root")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoAccount(_)), "{err}");

    let logged = s.account_events(None, 10).await.unwrap();
    let events: Vec<AccountEvent> = logged.iter().map(|l| l.event.clone()).collect();
    assert_eq!(
        actions_of(&events),
        ["password-set", "user-update", "user-create", "user-create"]
    );
    let update = &events[1];
    assert_eq!(
        (update.actor.as_str(), update.subject.as_str()),
        ("root", "Ana")
    );
    assert_eq!(update.detail["role"]["from"], "editor");
    assert_eq!(update.detail["role"]["to"], "admin");
    assert!(update.detail.get("display_name").is_none(), "only changes");
    assert_eq!(events[2].detail["password"], false);
    assert!(
        !serde_json::to_string(&events).unwrap().contains("argon2"),
        "no hash in the log"
    );
    // Paging and events that change nothing stored.
    let older = s.account_events(Some(logged[1].place), 10).await.unwrap();
    assert_eq!(older, logged[2..]);
    let login = AccountEvent {
        at: Utc::now(),
        actor: "ana".into(),
        action: "login-failed".into(),
        subject: "ana".into(),
        detail: serde_json::json!({ "ip": "192.0.2.1" }),
    };
    s.record_account_event(&login).await.unwrap();
    let newest = newest_events(s, 1).await;
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].action, "login-failed");
    assert_eq!(newest[0].detail, login.detail);

    // Events of the same microsecond: paging two at a time shows each once.
    let at = Utc::now();
    for n in 0..5 {
        let mut e = login.clone();
        e.at = at;
        e.subject = format!("burst-{n}");
        s.record_account_event(&e).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s.account_events(after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.place);
        seen.extend(page.iter().map(|l| l.event.subject.clone()));
    }
    let bursts: Vec<&String> = seen.iter().filter(|x| x.starts_with("burst-")).collect();
    assert_eq!(
        bursts,
        ["burst-4", "burst-3", "burst-2", "burst-1", "burst-0"]
    );
    assert_eq!(seen.len(), logged.len() + 1 + 5, "{seen:?}");
}

pub async fn sessions_expire_and_end_with_their_account(s: &dyn Store) {
    let ana = s
        .create_user(&account("ana", Role::Viewer, &["sre"]), Some(HASH), "root")
        .await
        .unwrap();
    let session = Session {
        id_hash: "a".repeat(64),
        user: "ANA".into(),
        csrf_token: "csrf".into(),
        created_at: at(2, 9, 0),
        expires_at: at(2, 21, 0),
    };
    s.create_session(&session).await.unwrap();
    let (found, user) = s
        .session(&session.id_hash, at(2, 20, 59))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user, ana);
    assert_eq!(found.user, "ana");
    assert_eq!(
        (found.created_at, found.expires_at),
        (session.created_at, session.expires_at)
    );
    assert_eq!(found.csrf_token, "csrf");
    assert_eq!(
        s.session(&session.id_hash, at(2, 21, 0)).await.unwrap(),
        None
    );
    assert_eq!(s.session("unknown", at(2, 10, 0)).await.unwrap(), None);

    let err = s
        .create_session(&Session {
            id_hash: "b".repeat(64),
            user: "ghost".into(),
            ..session.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoAccount(_)), "{err}");

    // A disabled account's sessions stop working.
    let other = Session {
        id_hash: "c".repeat(64),
        expires_at: at(3, 21, 0),
        ..session.clone()
    };
    s.create_session(&other).await.unwrap();
    let mut off = ana.clone();
    off.disabled = true;
    s.update_user(&off, "root").await.unwrap();
    assert_eq!(s.session(&other.id_hash, at(2, 10, 0)).await.unwrap(), None);
    off.disabled = false;
    s.update_user(&off, "root").await.unwrap();
    assert!(
        s.session(&other.id_hash, at(2, 10, 0))
            .await
            .unwrap()
            .is_some()
    );

    assert_eq!(s.delete_expired_sessions(at(3, 0, 0)).await.unwrap(), 1);
    assert!(
        s.session(&other.id_hash, at(2, 10, 0))
            .await
            .unwrap()
            .is_some()
    );
    s.delete_session(&other.id_hash).await.unwrap();
    assert_eq!(s.session(&other.id_hash, at(2, 10, 0)).await.unwrap(), None);
    let logged = actions_of(&newest_events(s, 10).await)
        .into_iter()
        .filter(|a| a.starts_with("session"))
        .count();
    assert_eq!(logged, 0, "sessions are not account changes");
}

pub async fn tokens_are_checked_and_recorded_on_use(s: &dyn Store) {
    s.create_user(&account("ana", Role::Editor, &["sre"]), None, "root")
        .await
        .unwrap();
    s.create_user(&account("bob", Role::Viewer, &[]), None, "root")
        .await
        .unwrap();
    let read = token("ANA", TokenScope::Read, at(1, 10, 0));
    s.create_token(&read, "hash-read", "root").await.unwrap();
    let mut expiring = token("ana", TokenScope::Write, at(1, 11, 0));
    expiring.expires_at = Some(at(5, 0, 0));
    s.create_token(&expiring, "hash-write", "ana")
        .await
        .unwrap();
    let bobs = token("bob", TokenScope::Read, at(1, 12, 0));
    s.create_token(&bobs, "hash-bob", "root").await.unwrap();

    let err = s
        .create_token(
            &token("ana", TokenScope::Read, at(1, 13, 0)),
            "hash-read",
            "root",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    let err = s
        .create_token(
            &token("ghost", TokenScope::Read, at(1, 13, 0)),
            "hash-x",
            "root",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoAccount(_)), "{err}");

    let listed = s.tokens(Some("Ana")).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|t| t.id).collect();
    assert_eq!(ids, [expiring.id, read.id], "newest first");
    assert_eq!(listed[1].user, "ana");
    assert_eq!(s.tokens(None).await.unwrap().len(), 3);

    // Use: found by hash, with its user; the use is recorded.
    let used_at = at(2, 8, 30);
    let (t, user) = s.use_token("hash-read", used_at).await.unwrap().unwrap();
    assert_eq!(
        (t.id, t.scope, t.last_used_at),
        (read.id, TokenScope::Read, Some(used_at))
    );
    assert_eq!(user.groups, ["sre"]);
    assert_eq!(
        s.tokens(Some("ana")).await.unwrap()[1].last_used_at,
        Some(used_at)
    );
    assert_eq!(s.use_token("no-such-hash", used_at).await.unwrap(), None);
    // Uses within a minute are not written again; a later one is.
    let soon = used_at + chrono::TimeDelta::seconds(30);
    let (again, _) = s.use_token("hash-read", soon).await.unwrap().unwrap();
    assert_eq!(again.last_used_at, Some(used_at));
    let (later, _) = s
        .use_token("hash-read", at(2, 9, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(later.last_used_at, Some(at(2, 9, 0)));

    // Expired tokens are refused, and their last use is not moved.
    assert!(
        s.use_token("hash-write", at(4, 23, 59))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.use_token("hash-write", at(5, 0, 0)).await.unwrap(), None);
    let write = s.tokens(Some("ana")).await.unwrap()[0].clone();
    assert_eq!(write.last_used_at, Some(at(4, 23, 59)));

    // Revoked tokens are refused; revoking twice or an unknown id is false.
    assert!(s.revoke_token(read.id, at(3, 0, 0), "ana").await.unwrap());
    assert!(!s.revoke_token(read.id, at(3, 1, 0), "ana").await.unwrap());
    assert!(
        !s.revoke_token(Uuid::new_v4(), at(3, 1, 0), "ana")
            .await
            .unwrap()
    );
    assert_eq!(s.use_token("hash-read", at(3, 0, 1)).await.unwrap(), None);
    assert_eq!(
        s.tokens(Some("ana")).await.unwrap()[1].revoked_at,
        Some(at(3, 0, 0))
    );

    // A disabled account's tokens stop working.
    let mut bob = s.user("bob").await.unwrap().unwrap();
    bob.disabled = true;
    s.update_user(&bob, "root").await.unwrap();
    assert_eq!(s.use_token("hash-bob", at(2, 0, 0)).await.unwrap(), None);

    let events = newest_events(s, 20).await;
    let revoke = events.iter().find(|e| e.action == "token-revoke").unwrap();
    assert_eq!(revoke.subject, read.id.to_string());
    assert_eq!(revoke.detail["user"], "ana");
    let created: Vec<_> = events
        .iter()
        .filter(|e| e.action == "token-create")
        .collect();
    assert_eq!(created.len(), 3, "refused creates leave no event");
    assert!(!serde_json::to_string(&events).unwrap().contains("hash-"));
}

fn reader(name: &str, role: Role, groups: &[&str]) -> Reader {
    account(name, role, groups).reader()
}

fn with_reader(r: &Reader) -> Filter {
    Filter {
        reader: Some(r.clone()),
        ..Filter::default()
    }
}

pub async fn restricted_postmortems_show_only_to_their_readers(s: &dyn Store) {
    let open = s
        .create(&sample("Checkout outage", "checkout", 3), "alice")
        .await
        .unwrap();
    let mut secret = sample("Leaked signing key", "checkout", 4);
    secret.visibility = Visibility::Restricted;
    secret.restricted_to = vec!["security".into()];
    secret.owner = Some("olga".into());
    secret.authors = vec!["arthur".into()];
    secret.reviewers = vec!["rita".into()];
    secret.summary = "The zanzibar signing key was pasted in a public channel.".into();
    secret.actions[0].owner = Some("mallory".into());
    let secret = s.create(&secret, "olga").await.unwrap();

    let stranger = reader("mallory", Role::Editor, &["sre"]);
    let keys = |hits: Vec<Summary>| hits.into_iter().map(|h| h.key).collect::<Vec<_>>();
    let only_open = vec![open.key.clone().unwrap()];
    let both = vec![secret.key.clone().unwrap(), open.key.clone().unwrap()];

    assert_eq!(
        keys(s.list(&with_reader(&stranger)).await.unwrap()),
        only_open
    );
    assert_eq!(s.count_matching(&with_reader(&stranger)).await.unwrap(), 1);
    let loaded = s.load_all(&with_reader(&stranger)).await.unwrap();
    assert_eq!(loaded, std::slice::from_ref(&open));
    assert!(
        s.search("zanzibar", &with_reader(&stranger))
            .await
            .unwrap()
            .is_empty()
    );
    let hits = s.search("checkout", &with_reader(&stranger)).await.unwrap();
    let text = serde_json::to_string(&hits).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(
        !text.contains("Leaked") && !text.contains("zanzibar"),
        "{text}"
    );
    let actions = s
        .actions(&ActionFilter {
            owner: Some("mallory".into()),
            reader: Some(stranger.clone()),
            ..ActionFilter::default()
        })
        .await
        .unwrap();
    assert!(actions.is_empty(), "not even their own item of it");
    let by_handle = s
        .actions(&ActionFilter {
            postmortem: secret.key.clone(),
            reader: Some(stranger.clone()),
            ..ActionFilter::default()
        })
        .await
        .unwrap();
    assert!(by_handle.is_empty());
    let filtered = Filter {
        service: Some("checkout".into()),
        ..with_reader(&stranger)
    };
    assert_eq!(keys(s.list(&filtered).await.unwrap()), only_open);

    for insider in [
        reader("dana", Role::Viewer, &["security"]),
        reader("olga", Role::Viewer, &[]),
        reader("arthur", Role::Viewer, &[]),
        reader("rita", Role::Viewer, &[]),
        reader("root", Role::Admin, &[]),
    ] {
        assert_eq!(
            keys(s.list(&with_reader(&insider)).await.unwrap()),
            both,
            "{insider:?}"
        );
        assert_eq!(s.count_matching(&with_reader(&insider)).await.unwrap(), 2);
        assert_eq!(s.load_all(&with_reader(&insider)).await.unwrap().len(), 2);
        let hits = s.search("zanzibar", &with_reader(&insider)).await.unwrap();
        assert_eq!(hits.len(), 1, "{insider:?}");
        assert!(
            hits[0]
                .snippet
                .iter()
                .any(|p| p.matched && p.text == "zanzibar")
        );
        let rows = s
            .actions(&ActionFilter {
                reader: Some(insider.clone()),
                ..ActionFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "{insider:?}");
        assert!(insider.role == Role::Admin || insider.can_read(&secret));
    }

    // The access rows follow edits: a reviewer removed loses access.
    let mut edit = secret.clone();
    edit.reviewers.clear();
    s.update(&edit, "olga", AuditAction::Update).await.unwrap();
    let rita = reader("rita", Role::Viewer, &[]);
    assert_eq!(keys(s.list(&with_reader(&rita)).await.unwrap()), only_open);
    // No reader (operators) sees everything.
    assert_eq!(s.count_matching(&Filter::default()).await.unwrap(), 2);
    assert_eq!(
        s.count_matching(&Filter {
            limit: Some(1),
            ..Filter::default()
        })
        .await
        .unwrap(),
        2,
        "the limit does not cap the total"
    );
}
