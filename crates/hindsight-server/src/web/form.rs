//! Submitted HTML forms: fields by name, repeated rows by index.

use axum::extract::{Form, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::web::WebError;

/// The fields of a submitted form, in the order sent.
#[derive(Debug, Default, Clone)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The first value of `name`, or "" when the form has none.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The value of `name`, trimmed; `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// The row indexes used by fields named `prefix.N.*`, ascending.
    pub fn rows(&self, prefix: &str) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .0
            .iter()
            .filter_map(|(k, _)| {
                let rest = k.strip_prefix(prefix)?.strip_prefix('.')?;
                rest.split_once('.')?.0.parse().ok()
            })
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

impl FromRequest<AppState> for Fields {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        match Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(Form(pairs)) => Ok(Fields(pairs)),
            Err(e) => Err(WebError::new(
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                e.body_text(),
            )
            .into_response()),
        }
    }
}

/// Percent-encodes `text` for a URL query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A list typed as comma- or newline-separated words, trimmed, blanks dropped.
pub fn list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A list typed one item per line, trimmed, blanks and bullet marks dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().trim_start_matches(['-', '*']).trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_the_distinct_indexes_in_order() {
        let f = Fields::from_pairs(&[
            ("tl.2.text", "b"),
            ("tl.0.text", "a"),
            ("tl.0.at", "x"),
            ("tl.x.at", "ignored"),
            ("tlx.1.at", "ignored"),
        ]);
        assert_eq!(f.rows("tl"), [0, 2]);
        assert_eq!(f.get("tl.0.at"), "x");
        assert_eq!(f.get("missing"), "");
        assert_eq!(f.text("tl.0.text").as_deref(), Some("a"));
    }

    #[test]
    fn lists_and_lines_drop_blanks_and_bullets() {
        assert_eq!(list("a, b,,\n c "), ["a", "b", "c"]);
        assert_eq!(lines("- one\n\n* two\nthree"), ["one", "two", "three"]);
        assert_eq!(encode("/p?q=a b&c"), "%2Fp%3Fq%3Da%20b%26c");
    }
}
