//! What every page shares: the page chrome (who is logged in, navigation,
//! asset URLs), rendering, the error page, and how times and durations read.

use std::fmt;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use hindsight_core::vocab::Role;
use hindsight_store::StoreError;

use crate::auth::Need;
use crate::error::ApiError;
use crate::web::{Viewer, assets};

/// The frame around every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The logged-in account's name; empty on the login and error pages.
    pub user: String,
    pub display_name: String,
    pub role: String,
    pub csrf: String,
    /// May change postmortems.
    pub editor: bool,
    pub admin: bool,
    /// The navigation entry of this page (`home`, `postmortems`, `actions`, ...).
    pub nav: &'static str,
    pub title: String,
    pub css: &'static str,
    pub js: &'static str,
    pub htmx: &'static str,
}

impl Chrome {
    pub fn new(viewer: &Viewer, nav: &'static str, title: impl Into<String>) -> Chrome {
        let user = &viewer.caller.user;
        Chrome {
            user: user.name.clone(),
            display_name: user.display_name.clone(),
            role: user.role.to_string(),
            csrf: viewer.csrf.clone(),
            editor: viewer.caller.allows(Need::Write),
            admin: viewer.caller.allows(Need::Admin) && user.role == Role::Admin,
            ..Chrome::anonymous(nav, title)
        }
    }

    /// The chrome of a page seen without logging in.
    pub fn anonymous(nav: &'static str, title: impl Into<String>) -> Chrome {
        Chrome {
            user: String::new(),
            display_name: String::new(),
            role: String::new(),
            csrf: String::new(),
            editor: false,
            admin: false,
            nav,
            title: title.into(),
            css: assets::url(assets::CSS),
            js: assets::url(assets::JS),
            htmx: assets::url(assets::HTMX),
        }
    }

    /// `aria-current="page"` for the current navigation entry.
    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }
}

/// A rendered page, or the error page when rendering fails.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => WebError::from(ApiError::internal(e)).into_response(),
    }
}

/// A page-level error: the status, a short title and what to do about it.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    error: &'a WebError,
}

impl WebError {
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        WebError {
            status,
            title: title.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        WebError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("There is no {what}, or you may not see it."),
        )
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        let title = match e.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::CONFLICT => "Changed by someone else",
            StatusCode::UNPROCESSABLE_ENTITY => "Refused",
            StatusCode::BAD_REQUEST => "Cannot use this input",
            _ => "Something went wrong",
        };
        WebError::new(e.status, title, e.body.message)
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::from(ApiError::from(e))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            chrome: Chrome::anonymous("", self.title.clone()),
            error: &self,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, format!("{}: {}", self.title, self.message)).into_response(),
        }
    }
}

/// A point in time: UTC in the markup and on hover; `app.js` shows it in the
/// reader's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub DateTime<Utc>);

impl Stamp {
    /// The form value: `YYYY-MM-DD HH:MM` in UTC, with seconds when it has them.
    pub fn input(&self) -> String {
        use chrono::Timelike;
        if self.0.second() == 0 {
            self.0.format("%Y-%m-%d %H:%M").to_string()
        } else {
            self.0.format("%Y-%m-%d %H:%M:%S").to_string()
        }
    }
}

impl fmt::Display for Stamp {
    /// `<time>` markup; only digits and punctuation, so safe to embed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let utc = self.0.format("%Y-%m-%d %H:%M");
        write!(
            f,
            "<time datetime=\"{}\" title=\"{utc} UTC\" data-local>{utc} UTC</time>",
            self.0.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
}

/// Markup for an optional time, "—" when unknown.
pub fn stamp_or_dash(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| Stamp(t).to_string())
        .unwrap_or_else(|| "—".to_string())
}

/// A day, with how far it is from `today` (`in 3 days`, `5 days ago`).
pub fn due(day: NaiveDate, today: NaiveDate) -> String {
    let days = (day - today).num_days();
    let rel = match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "yesterday".to_string(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    };
    format!("{} ({rel})", day.format("%Y-%m-%d"))
}

/// A duration as people say it: `45 min`, `2 h 10 min`, `3 d 4 h`.
pub fn human(d: Duration) -> String {
    let minutes = d.num_minutes();
    let sign = if minutes < 0 { "−" } else { "" };
    let m = minutes.abs();
    let text = if m < 60 {
        format!("{m} min")
    } else if m < 24 * 60 {
        match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        }
    } else {
        match (m / 60) % 24 {
            0 => format!("{} d", m / (24 * 60)),
            h => format!("{} d {h} h", m / (24 * 60)),
        }
    };
    format!("{sign}{text}")
}

/// `text` with the HTML special characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_read_like_speech() {
        assert_eq!(human(Duration::minutes(45)), "45 min");
        assert_eq!(human(Duration::minutes(130)), "2 h 10 min");
        assert_eq!(human(Duration::minutes(120)), "2 h");
        assert_eq!(human(Duration::minutes(3 * 1440 + 250)), "3 d 4 h");
        assert_eq!(human(Duration::minutes(-5)), "−5 min");
    }

    #[test]
    fn stamps_carry_utc_for_the_script_and_the_hover() {
        let t = Utc.with_ymd_and_hms(2026, 3, 4, 10, 5, 0).single().unwrap();
        assert_eq!(
            Stamp(t).to_string(),
            "<time datetime=\"2026-03-04T10:05:00Z\" title=\"2026-03-04 10:05 UTC\" data-local>2026-03-04 10:05 UTC</time>"
        );
        assert_eq!(Stamp(t).input(), "2026-03-04 10:05");
        let today = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(
            due(today - Duration::days(2), today),
            "2026-03-02 (2 days ago)"
        );
    }
}
