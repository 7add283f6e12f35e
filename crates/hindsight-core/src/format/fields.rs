//! Typed reading of front-matter values, with errors that name the key and
//! point at the value's line.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde_saphyr::Spanned;
use uuid::Uuid;

use super::ParseError;
use super::time;
use super::yaml::{Node, Yaml, to_json};
use crate::vocab::UnknownWord;

/// One value of the front matter and the dotted path of its key.
#[derive(Clone)]
pub(super) struct Field<'y> {
    yaml: &'y Yaml<'y>,
    pub path: String,
    key_line: usize,
    value: &'y Spanned<Node>,
}

impl<'y> Field<'y> {
    /// An error about this value.
    pub fn error(&self, message: impl Into<String>) -> ParseError {
        let line = match self.value.value {
            // A block collection's own location is its first item's line.
            Node::Seq(_) | Node::Map(_) | Node::Null => self.key_line,
            _ => self.yaml.line(self.value),
        };
        ParseError {
            line,
            message: message.into(),
        }
    }

    pub fn is_null(&self) -> bool {
        self.value.value == Node::Null
    }

    /// Text; `None` for null or blank.
    pub fn text(&self) -> Result<Option<String>, ParseError> {
        match &self.value.value {
            Node::Seq(_) => Err(self.error(format!("`{}` must be text, not a list", self.path))),
            Node::Map(_) => Err(self.error(format!("`{}` must be text, not a map", self.path))),
            _ => Ok(self
                .yaml
                .scalar_text(self.value)
                .filter(|t| !t.trim().is_empty())),
        }
    }

    /// A word of one of the domain's vocabularies.
    pub fn word<T: FromStr<Err = UnknownWord>>(&self) -> Result<Option<T>, ParseError> {
        self.text()?
            .map(|t| t.parse::<T>().map_err(|e| self.error(e.to_string())))
            .transpose()
    }

    /// A timestamp with a timezone, converted to UTC.
    pub fn time(&self) -> Result<Option<DateTime<Utc>>, ParseError> {
        self.text()?
            .map(|t| time::read_full(&t).map_err(|m| self.error(format!("`{}`: {m}", self.path))))
            .transpose()
    }

    pub fn uuid(&self) -> Result<Option<Uuid>, ParseError> {
        self.text()?
            .map(|t| {
                Uuid::parse_str(t.trim())
                    .map_err(|_| self.error(format!("`{}`: `{t}` is not a UUID", self.path)))
            })
            .transpose()
    }

    /// A list of text; a single text counts as a list of one. Numbers and
    /// booleans are kept as written, blank items are dropped.
    pub fn texts(&self) -> Result<Vec<String>, ParseError> {
        match &self.value.value {
            Node::Seq(items) => {
                let mut texts = Vec::new();
                for item in items {
                    let field = self.child(format!("{}[]", self.path), self.yaml.line(item), item);
                    if let Some(text) = field.text()? {
                        texts.push(text);
                    }
                }
                Ok(texts)
            }
            Node::Map(_) => {
                Err(self.error(format!("`{}` must be a list of text, not a map", self.path)))
            }
            _ => Ok(self.text()?.into_iter().collect()),
        }
    }

    /// A whole number ≥ 0.
    pub fn whole(&self) -> Result<Option<u64>, ParseError> {
        let wrong = || {
            self.error(format!(
                "`{}` must be a whole number (0 or more)",
                self.path
            ))
        };
        match &self.value.value {
            Node::Null => Ok(None),
            Node::UInt(u) => Ok(Some(*u)),
            Node::Int(i) => u64::try_from(*i).map(Some).map_err(|_| wrong()),
            Node::Str(s) => s.trim().parse().map(Some).map_err(|_| wrong()),
            _ => Err(wrong()),
        }
    }

    /// A finite number.
    pub fn number(&self) -> Result<Option<f64>, ParseError> {
        let value = match &self.value.value {
            Node::Null => return Ok(None),
            Node::UInt(u) => *u as f64,
            Node::Int(i) => *i as f64,
            Node::Float(f) => *f,
            Node::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
            _ => f64::NAN,
        };
        if value.is_finite() {
            Ok(Some(value))
        } else {
            Err(self.error(format!("`{}` must be a number", self.path)))
        }
    }

    pub fn flag(&self) -> Result<Option<bool>, ParseError> {
        match &self.value.value {
            Node::Null => Ok(None),
            Node::Bool(b) => Ok(Some(*b)),
            _ => Err(self.error(format!("`{}` must be true or false", self.path))),
        }
    }

    /// The `key: value` entries of a map (none for null).
    pub fn entries(&self) -> Result<Vec<(String, Field<'y>)>, ParseError> {
        match &self.value.value {
            Node::Null => Ok(Vec::new()),
            Node::Map(entries) => Ok(entries
                .iter()
                .map(|(key, value)| {
                    let path = format!("{}.{}", self.path, key.value);
                    (
                        key.value.clone(),
                        self.child(path, self.yaml.line(key), value),
                    )
                })
                .collect()),
            _ => Err(self.error(format!(
                "`{}` must be a map of `key: value` lines",
                self.path
            ))),
        }
    }

    /// The items of a list (none for null).
    pub fn items(&self) -> Result<Vec<Field<'y>>, ParseError> {
        match &self.value.value {
            Node::Null => Ok(Vec::new()),
            Node::Seq(items) => Ok(items
                .iter()
                .map(|item| self.child(format!("{}[]", self.path), self.yaml.line(item), item))
                .collect()),
            _ => Err(self.error(format!("`{}` must be a list", self.path))),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        to_json(&self.value.value)
    }

    /// An error for a key of this map that the format does not know.
    pub fn unknown_key(&self, key: &str, expected: &[&str]) -> ParseError {
        self.error(format!(
            "unknown key `{key}` in `{}`, expected one of: {}",
            self.path,
            expected.join(", ")
        ))
    }

    fn child(&self, path: String, key_line: usize, value: &'y Spanned<Node>) -> Field<'y> {
        Field {
            yaml: self.yaml,
            path,
            key_line,
            value,
        }
    }
}

/// The top-level keys, taken one by one; what is left over is kept as is.
pub(super) struct Fields<'y> {
    entries: Vec<(String, Field<'y>)>,
}

impl<'y> Fields<'y> {
    /// The keys of the front matter's top-level map (none when it is empty).
    pub fn new(yaml: &'y Yaml<'y>) -> Result<Self, ParseError> {
        let root = Field {
            yaml,
            path: String::new(),
            key_line: yaml.line(&yaml.root),
            value: &yaml.root,
        };
        let entries = match &yaml.root.value {
            Node::Null => Vec::new(),
            Node::Map(entries) => entries
                .iter()
                .map(|(key, value)| {
                    let field = root.child(key.value.clone(), yaml.line(key), value);
                    (key.value.clone(), field)
                })
                .collect(),
            _ => {
                return Err(root.error(
                    "the front matter must be YAML `key: value` lines, such as `title: ...`",
                ));
            }
        };
        Ok(Fields { entries })
    }

    /// An empty set, for a file without front matter.
    pub fn empty() -> Self {
        Fields {
            entries: Vec::new(),
        }
    }

    /// Removes and returns the value of `key`.
    pub fn take(&mut self, key: &str) -> Option<Field<'y>> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The value of `key`, left in place.
    pub fn peek(&self, key: &str) -> Option<&Field<'y>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, f)| f)
    }

    pub fn has(&self, key: &str) -> bool {
        self.peek(key).is_some()
    }

    /// What is left, as JSON values.
    pub fn into_json(self) -> std::collections::BTreeMap<String, serde_json::Value> {
        self.entries
            .into_iter()
            .map(|(key, field)| (key, field.json()))
            .collect()
    }
}
