//! Turning a JSON object from a client into a domain value: the client's
//! fields laid over a base value (defaults or the stored value), with the
//! fields only the server sets refused.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The body as a JSON object.
pub fn object(body: Value) -> Result<Map<String, Value>, ApiError> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::invalid("", "the body must be a JSON object")),
    }
}

/// Removes and returns the body's `version` field.
pub fn take_version(body: &mut Map<String, Value>) -> Result<Option<i64>, ApiError> {
    match body.remove("version") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid("version", "version must be a whole number")),
    }
}

/// `base` with the body's fields laid over it. A body field named in `fixed`
/// is refused; the result must still be a valid `T`.
pub fn merge<T: Serialize + DeserializeOwned>(
    base: &T,
    body: Map<String, Value>,
    fixed: &[&str],
) -> Result<T, ApiError> {
    if let Some(key) = body.keys().find(|k| fixed.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            key.clone(),
            format!("`{key}` is set by the server and cannot be given here"),
        ));
    }
    let mut value = serde_json::to_value(base).map_err(ApiError::internal)?;
    if let Value::Object(map) = &mut value {
        map.extend(body);
    }
    from_value(value)
}

/// Reads a JSON value as `T`, naming the field at fault.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        ApiError::invalid(if path == "." { String::new() } else { path }, message)
    })
}
