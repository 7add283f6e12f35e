//! The one error type of the library.

/// What the library refuses, with enough context to fix the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsightError {
    #[error(
        "invalid period `{text}`: {reason} (write a quarter like 2026-Q3 or a month like 2026-07)"
    )]
    Period { text: String, reason: &'static str },
    #[error("invalid rubric for RCA completeness: {0}")]
    Rubric(String),
}
