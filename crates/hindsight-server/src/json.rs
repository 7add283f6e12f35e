//! JSON request bodies: size-limited (by the router's body limit), depth-limited,
//! and with errors that name the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body read into `T`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or_default().trim();
                mime.eq_ignore_ascii_case("application/json")
                    || mime.to_ascii_lowercase().ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as JSON with Content-Type: application/json",
            )
            .at("Content-Type"));
        }
        let bytes = Bytes::from_request(req, state).await?;
        parse(&bytes, state.limits.json_depth).map(ApiJson)
    }
}

/// Parses a JSON document no deeper than `max_depth`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8], max_depth: usize) -> Result<T, ApiError> {
    if depth(bytes) > max_depth {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "json-too-deep",
            format!("the JSON body nests arrays and objects more than {max_depth} levels deep"),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = (path != ".").then_some(path);
        let mut err = ApiError::new(
            StatusCode::BAD_REQUEST,
            if inner.is_syntax() || inner.is_eof() {
                "malformed-json"
            } else {
                "invalid-input"
            },
            inner.to_string(),
        );
        err.body.field = field;
        err
    })?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            format!("trailing characters after the JSON value: {e}"),
        )
    })?;
    Ok(value)
}

/// The deepest nesting of arrays and objects in a JSON text, without parsing it
/// (brackets inside strings do not count).
fn depth(bytes: &[u8]) -> usize {
    let (mut current, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                current += 1;
                deepest = deepest.max(current);
            }
            b']' | b'}' => current = current.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(depth(br#"{"a": [1, {"b": "[[[{{"}]}"#), 3);
        assert_eq!(depth(br#""\"[""#), 0);
        assert_eq!(depth(b"1"), 0);
    }

    #[test]
    fn too_deep_and_bad_fields_are_named() {
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        let err = parse::<serde_json::Value>(deep.as_bytes(), 64).unwrap_err();
        assert_eq!(err.body.code, "json-too-deep");

        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            n: u32,
        }
        let err = parse::<Outer>(br#"{"items": [{"n": 1}, {"n": "x"}]}"#, 64).unwrap_err();
        assert_eq!(err.body.field.as_deref(), Some("items[1].n"));
    }
}
