//! Machine-readable reports: a JSON array of findings, and SARIF 2.1.0 for
//! code-scanning tools (GitHub accepts it as uploaded).

use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::rules;

/// The findings of one file, under the path to show (relative to the
/// repository root, with `/` separators).
#[derive(Debug, Clone, Copy)]
pub struct LintedFile<'a> {
    pub path: &'a str,
    pub findings: &'a [Finding],
}

/// One JSON object per finding: `rule`, `family`, `severity`, `path`,
/// `line`, `column`, `end_line`, `end_column`, `field`, `message`,
/// `suggestion`, `fingerprint`.
pub fn json(files: &[LintedFile]) -> Value {
    Value::Array(
        files
            .iter()
            .flat_map(|file| {
                file.findings.iter().map(move |f| {
                    let p = f.position.unwrap_or(crate::Position {
                        line: 1,
                        column: 1,
                        end_line: 1,
                        end_column: 1,
                    });
                    json!({
                        "rule": f.rule,
                        "family": f.family,
                        "severity": f.severity,
                        "path": file.path,
                        "line": p.line,
                        "column": p.column,
                        "end_line": p.end_line,
                        "end_column": p.end_column,
                        "field": f.field,
                        "message": f.message,
                        "suggestion": f.suggestion,
                        "fingerprint": f.fingerprint(),
                    })
                })
            })
            .collect(),
    )
}

/// SARIF regions end after their last character: at least one column wide on one line.
fn end_column(p: crate::Position) -> usize {
    if p.end_line == p.line {
        p.end_column.max(p.column + 1)
    } else {
        p.end_column
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A SARIF 2.1.0 log with one run: every rule in the driver (stable ids and
/// indexes), one result per finding with its region, and a partial
/// fingerprint that survives the finding moving to another line.
pub fn sarif(files: &[LintedFile], tool_version: &str) -> Value {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.replace(['/', '-'], "_"),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": format!("{} Example: {}", r.summary, r.example) },
                "help": { "text": format!("{} Suppress with <!-- hindsight-ignore {} -->.", r.summary, r.id) },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": [r.family.as_str(), "postmortem"] },
            })
        })
        .collect();
    let results: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |f| {
                let p = f.position.unwrap_or(crate::Position {
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                });
                let index = rules::ALL.iter().position(|r| r.id == f.rule).unwrap_or(0);
                let text = match &f.suggestion {
                    Some(s) => format!("{} Suggestion: {s}", f.message),
                    None => f.message.clone(),
                };
                json!({
                    "ruleId": f.rule,
                    "ruleIndex": index,
                    "level": level(f.severity),
                    "message": { "text": text },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": file.path, "uriBaseId": "%SRCROOT%" },
                            "region": {
                                "startLine": p.line,
                                "startColumn": p.column,
                                "endLine": p.end_line,
                                "endColumn": end_column(p),
                            }
                        },
                        "logicalLocations": [{ "name": f.field, "kind": "member" }],
                    }],
                    "partialFingerprints": { "hindsightFinding/v1": f.fingerprint() },
                    "properties": { "family": f.family.as_str(), "field": f.field },
                })
            })
        })
        .collect();
    let artifacts: Vec<Value> = files
        .iter()
        .map(|f| json!({ "location": { "uri": f.path, "uriBaseId": "%SRCROOT%" } }))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "hindsight",
                    "version": tool_version,
                    "semanticVersion": tool_version,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
        }]
    })
}
