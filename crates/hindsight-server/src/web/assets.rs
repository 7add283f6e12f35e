//! The UI's static files, embedded in the binary and served under names that
//! carry a hash of their content: a changed file gets a new URL, so browsers
//! may cache every URL for a year without ever seeing a stale file.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::web::WebError;

/// One embedded file.
struct Asset {
    /// The logical name templates ask for (`app.css`).
    name: &'static str,
    /// The served name: stem, content hash, extension (`app.3f2a9c1b0d.css`).
    hashed: String,
    /// `/assets/` and the served name.
    url: String,
    content_type: &'static str,
    body: &'static [u8],
}

pub const CSS: &str = "app.css";
pub const JS: &str = "app.js";
pub const HTMX: &str = "htmx.js";

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        (
            CSS,
            "text/css; charset=utf-8",
            include_bytes!("../../assets/app.css").as_slice(),
        ),
        (
            JS,
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/app.js").as_slice(),
        ),
        (
            HTMX,
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/htmx-2.0.11.min.js").as_slice(),
        ),
    ]
    .into_iter()
    .map(|(name, content_type, body)| {
        let digest = Sha256::digest(body);
        let hash: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let hashed = format!("{stem}.{hash}.{ext}");
        Asset {
            name,
            url: format!("/assets/{hashed}"),
            hashed,
            content_type,
            body,
        }
    })
    .collect()
});

/// The URL of the asset named `name` (one of the constants above).
pub fn url(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.url.as_str())
        .unwrap_or("/assets/missing")
}

/// `GET /assets/{file}`: an embedded file by its hashed name, cached for a year.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.hashed == file) else {
        return WebError::not_found("such file").into_response();
    };
    let mut response = (StatusCode::OK, asset.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_content_hash() {
        let css = url(CSS);
        assert!(
            css.starts_with("/assets/app.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/app.0123456789.css".len());
        assert_eq!(url("nope"), "/assets/missing");
    }
}
