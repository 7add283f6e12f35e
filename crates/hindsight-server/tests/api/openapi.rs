//! The OpenAPI document matches the router: every route is documented, every
//! documented operation is served, and the document is OpenAPI 3.1.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};

use crate::matrix::routes;
use crate::support::{Backend, Server};

#[tokio::test]
async fn the_document_covers_every_route_and_nothing_else() {
    let server = Server::start(Backend::Sqlite).await;
    let anon = server.anonymous();
    let reply = anon.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");
    // It reads as an OpenAPI 3.1 document, and every operation has responses.
    let spec = oas3::from_json(&reply.text).unwrap_or_else(|e| panic!("invalid OpenAPI: {e}"));
    assert!(
        spec.operations()
            .all(|(_, _, op)| !op.responses(&spec).is_empty())
    );
    assert_eq!(
        doc,
        serde_json::to_value(hindsight_server::openapi_document()).unwrap()
    );

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["parameters", "summary", "description"].contains(&method.as_str()) {
                continue;
            }
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_string()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "documented operations not in the route table: {unknown:?}"
    );

    // Every documented operation reaches a handler, not the fallbacks.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{index}", "0")
            .replace("{factor}", "F1")
            .replace("{action}", "A1")
            .replace("{name}", "nobody");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let r = anon.send(method.clone(), &concrete, None, &[]).await;
        if !r.status.is_success() {
            let code = r.error_code();
            assert!(
                code != "no-route" && code != "method-not-allowed",
                "{method} {path} is documented but not served ({code})"
            );
        }
    }
    // And an undocumented one is not served.
    let r = anon
        .send(Method::PATCH, "/api/v1/postmortems", None, &[])
        .await;
    assert_eq!(r.error_code(), "method-not-allowed");
    server.stop().await;
}

/// Every `$ref` in `value` points at a schema the document defines.
fn dangling_refs(value: &serde_json::Value, doc: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(|r| r.as_str()) {
                let pointer = target.trim_start_matches('#');
                if doc.pointer(pointer).is_none() {
                    out.push(target.to_string());
                }
            }
            map.values().for_each(|v| dangling_refs(v, doc, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| dangling_refs(v, doc, out)),
        _ => {}
    }
}

/// The answer is an instance of the named component schema.
fn assert_conforms(doc: &serde_json::Value, schema: &str, answer: &serde_json::Value) {
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{schema}"),
        "components": doc["components"],
    });
    let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{schema}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema} does not match the answer:\n{}",
        errors.join("\n")
    );
}

#[tokio::test]
async fn answers_match_the_documented_schemas() {
    let server = Server::start(Backend::Sqlite).await;
    let doc = serde_json::to_value(hindsight_server::openapi_document()).unwrap();
    let mut dangling = Vec::new();
    dangling_refs(&doc, &doc, &mut dangling);
    assert!(
        dangling.is_empty(),
        "references to undefined schemas: {dangling:?}"
    );

    // A postmortem with every part filled: the demo's richest one.
    let editor = server.editor().await;
    let mut richest = hindsight_core::demo::generate(chrono::Utc::now().date_naive());
    richest.sort_by_key(|pm| std::cmp::Reverse(serde_json::to_string(pm).unwrap().len()));
    let pm = server.store.create(&richest[0], "test").await.unwrap();
    let answer = editor
        .get(&format!("/api/v1/postmortems/{}", pm.id))
        .await
        .json();
    assert_conforms(&doc, "Postmortem", &answer);
    let history = editor
        .get(&format!("/api/v1/postmortems/{}/audit", pm.id))
        .await
        .json();
    for entry in history.as_array().unwrap() {
        assert_conforms(&doc, "AuditEntry", entry);
    }
    // A document that breaks the schema is caught (the check can fail).
    let mut broken = answer.clone();
    broken["severity"] = serde_json::json!("SEV9");
    let root = serde_json::json!({"$ref": "#/components/schemas/Postmortem", "components": doc["components"]});
    assert!(!jsonschema::is_valid(&root, &broken));
    server.stop().await;
}
