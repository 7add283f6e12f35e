//! Health, readiness, metrics, request ids and graceful shutdown.

use reqwest::StatusCode;

use crate::support::{Backend, Server};

#[tokio::test]
async fn probes_metrics_and_request_ids() {
    let server = Server::start(Backend::Sqlite).await;
    let anon = server.anonymous();
    let health = anon.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(!health.headers["x-request-id"].is_empty());
    assert_eq!(anon.get("/readyz").await.json()["status"], "ok");
    let echoed = anon
        .send(
            reqwest::Method::GET,
            "/healthz",
            None,
            &[("x-request-id", "abc-123")],
        )
        .await;
    assert_eq!(echoed.headers["x-request-id"], "abc-123");

    let seeded = server.seed("Metered", false).await;
    let editor = server.editor().await;
    editor
        .get(&format!("/api/v1/postmortems/{}", seeded.id))
        .await;
    let metrics = anon.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.text;
    assert!(
        text.lines()
            .any(|l| l.starts_with("hindsight_http_requests_total")
                && l.contains("route=\"/api/v1/postmortems/{id}\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("hindsight_http_request_duration_seconds_bucket"));
    assert!(text.contains("hindsight_database_up 1"));
    assert!(
        text.contains("hindsight_database_connections{state=\"idle\"}"),
        "{text}"
    );
    assert!(
        text.contains("hindsight_database_connections_max "),
        "{text}"
    );
    assert!(
        text.contains("hindsight_webhook_deliveries_stored{status=\"received\"} 0"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut server = Server::start(Backend::Sqlite).await;
    let editor = server.editor().await;
    let body = r#"{"title": "Written during shutdown", "kind": "incident"}"#;
    let address = server.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/postmortems HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        editor.token().unwrap(),
        body.len()
    );
    // Half a request is in flight when the shutdown starts...
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    server.signal_stop();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // ...and is still answered in full.
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let store = server.store.clone();
    server.stop().await;
    assert_eq!(store.count().await.unwrap(), 1);
}
