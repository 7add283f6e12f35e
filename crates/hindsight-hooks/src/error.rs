use crate::Source;

/// A webhook body that cannot be read: which sender, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {sender} payload: `{field}`: {reason}")]
pub struct ParseError {
    pub sender: Source,
    /// Path of the offending field (`alerts[0].startsAt`), or `.` for the body.
    pub field: String,
    pub reason: String,
}

impl ParseError {
    pub(crate) fn new(sender: Source, field: impl Into<String>, reason: impl Into<String>) -> Self {
        ParseError {
            sender,
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Why a signed delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the `{0}` header is missing")]
    Missing(&'static str),
    #[error("the `{0}` header is not a signature this sender makes")]
    Malformed(&'static str),
    #[error("no signature in `{0}` matches the body with a configured secret")]
    Mismatch(&'static str),
    #[error("no signing secret is configured")]
    NoSecret,
}
