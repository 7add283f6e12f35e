//! Optimistic concurrency at the HTTP boundary: the version a client edited
//! comes from a `version` body field or an `If-Match` header, and every saved
//! postmortem goes back with its version as the ETag.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hindsight_core::Postmortem;

use crate::error::ApiError;

/// The version the client edited: `If-Match` (`"3"`, `W/"3"` or `3`) or the
/// body's `version`; both must agree when both are given.
pub fn expected(headers: &HeaderMap, body: Option<i64>) -> Result<i64, ApiError> {
    let header = headers
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .ok()
                .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::invalid("If-Match", "If-Match must be a version such as \"3\"")
                })
        })
        .transpose()?;
    match (header, body) {
        (Some(h), Some(b)) if h != b => Err(ApiError::invalid(
            "version",
            format!("the body's version {b} and If-Match {h} disagree"),
        )),
        (Some(v), _) | (None, Some(v)) => Ok(v),
        (None, None) => Err(ApiError::version_required()),
    }
}

/// Refuses a change made from another version than the stored one.
pub fn check(stored: &Postmortem, expected: i64) -> Result<(), ApiError> {
    if stored.version == expected {
        Ok(())
    } else {
        Err(ApiError::conflict(expected, stored.version))
    }
}

/// A postmortem answered with its version as the ETag.
pub struct Tagged {
    pub status: StatusCode,
    pub postmortem: Postmortem,
}

impl Tagged {
    pub fn ok(postmortem: Postmortem) -> Self {
        Tagged {
            status: StatusCode::OK,
            postmortem,
        }
    }
}

impl IntoResponse for Tagged {
    fn into_response(self) -> Response {
        let etag = HeaderValue::from_str(&format!("\"{}\"", self.postmortem.version));
        let mut response = (self.status, axum::Json(self.postmortem)).into_response();
        if let Ok(etag) = etag {
            response.headers_mut().insert(header::ETAG, etag);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_if_match(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn version_comes_from_the_header_or_the_body() {
        assert_eq!(expected(&with_if_match("\"3\""), None).unwrap(), 3);
        assert_eq!(expected(&with_if_match("W/\"4\""), Some(4)).unwrap(), 4);
        assert_eq!(expected(&HeaderMap::new(), Some(5)).unwrap(), 5);
        assert_eq!(
            expected(&HeaderMap::new(), None).unwrap_err().status,
            StatusCode::PRECONDITION_REQUIRED
        );
        assert!(expected(&with_if_match("\"3\""), Some(4)).is_err());
        assert!(expected(&with_if_match("*"), None).is_err());
    }
}
