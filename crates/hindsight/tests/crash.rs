//! A webhook delivery the server acknowledged survives the server being
//! killed (SIGKILL, no shutdown): `hindsight serve` runs as a real process on
//! a real SQLite file, is killed while senders are still delivering, and,
//! started again, holds every acknowledged delivery and finishes processing
//! any that the kill interrupted.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hindsight_store::{Deliveries, DeliveryStatus, SqliteStore};

const DELIVERIES: usize = 200;
const SENDERS: usize = 4;

fn hindsight(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    c.args(["--db", db]).env_remove("HINDSIGHT_DATABASE_URL");
    c
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `hindsight serve` and waits until it answers `/readyz`.
fn serve(db: &str, port: u16) -> Child {
    let mut child = hindsight(db)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if matches!(request(port, "GET", "/readyz", "", ""), Ok(200)) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("the server did not become ready");
}

/// One HTTP/1.1 request on a fresh connection; the response's status code.
fn request(port: u16, method: &str, path: &str, token: &str, body: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut status_line = String::new();
    BufReader::new(&mut stream).read_line(&mut status_line)?;
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in `{status_line}`")))
}

#[tokio::test]
async fn acknowledged_deliveries_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hindsight.db").display().to_string();
    let ok = |c: &mut Command| assert!(c.output().unwrap().status.success());
    ok(hindsight(&db).args(["init"]));
    ok(hindsight(&db).args(["user", "add", "deploybot", "--role", "editor"]));
    let out = hindsight(&db)
        .args([
            "token",
            "create",
            "--user",
            "deploybot",
            "--scope",
            "webhook",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap();
    let token = token.lines().last().unwrap().trim().to_string();

    let port = free_port();
    let mut server = serve(&db, port);
    // Senders deliver in parallel; the server is killed once some answers
    // are in, with other deliveries still on the wire or being processed.
    let acked = Arc::new(Mutex::new(Vec::new()));
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let (acked, token) = (acked.clone(), token.clone());
            std::thread::spawn(move || {
                for n in (s..DELIVERIES).step_by(SENDERS) {
                    let body = format!(
                        r#"{{"id": "crash-{n}", "type": "deploy.failed",
                            "at": "2026-03-04T10:{:02}:00Z", "title": "service-{n} deploy failed",
                            "service": "service-{n}",
                            "deploy": {{"id": "service-{n}-deploy", "version": "1.{n}.0"}}}}"#,
                        n % 60
                    );
                    match request(port, "POST", "/hooks/events", &token, &body) {
                        Ok(202) => acked.lock().unwrap().push(format!("crash-{n}")),
                        Ok(other) => panic!("delivery {n}: {other}"),
                        // The server is gone: the rest is never acknowledged.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < DELIVERIES / 2 {
        std::thread::sleep(Duration::from_millis(1));
    }
    // No shutdown: SIGKILL.
    server.kill().unwrap();
    server.wait().unwrap();
    for sender in senders {
        sender.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    let store = SqliteStore::open(&db).await.unwrap();
    let stored = store.deliveries(None, 1000).await.unwrap();
    for id in &acked {
        assert!(
            stored.iter().any(|d| &d.delivery_id == id),
            "acknowledged delivery {id} was lost"
        );
    }

    // Started again, the server finishes whatever the kill interrupted.
    let mut server = serve(&db, port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pending = store
            .deliveries(Some(DeliveryStatus::Received), 1000)
            .await
            .unwrap();
        if pending.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} deliveries never finished",
            pending.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let done = store.deliveries(None, 1000).await.unwrap();
    assert!(done.len() >= acked.len());
    assert!(
        done.iter().all(|d| d.status == DeliveryStatus::Processed),
        "{:?}",
        done.iter()
            .map(|d| (d.id, d.status, d.error.clone()))
            .collect::<Vec<_>>()
    );
    // Each failed deploy (of its own service) opened its own postmortem, once.
    let with_pm: std::collections::HashSet<_> =
        done.iter().filter_map(|d| d.postmortem_id).collect();
    assert_eq!(with_pm.len(), done.len());
}
