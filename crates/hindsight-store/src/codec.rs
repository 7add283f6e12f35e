//! JSON in text columns. The postmortem document, action items and audit changes
//! are kept as serde_json text on every backend (not a native JSON type that could
//! reorder keys or renormalise numbers), so they read back exactly as written.

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Result, StoreError};

/// `value` as JSON text; `id` names the postmortem in the error.
pub(crate) fn to_json<T: Serialize + ?Sized>(
    id: &(impl Display + ?Sized),
    value: &T,
) -> Result<String> {
    serde_json::to_string(value).map_err(|source| StoreError::Corrupt {
        id: id.to_string(),
        source,
    })
}

/// The value stored as JSON `text` for the postmortem `id`.
pub(crate) fn from_json<T: DeserializeOwned>(
    id: &(impl Display + ?Sized),
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|source| StoreError::Corrupt {
        id: id.to_string(),
        source,
    })
}

/// A stored value of postmortem `id` that cannot be read back.
pub(crate) fn corrupt(id: &(impl Display + ?Sized), message: impl Display) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        source: serde::de::Error::custom(message),
    }
}
