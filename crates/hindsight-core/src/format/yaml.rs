//! The front matter as a YAML tree that remembers where each value was, so
//! errors about a value name its line, and keys the format does not know can
//! be kept as JSON values.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{MessageFormatter, Spanned};

use super::ParseError;

/// A YAML value; scalars already typed by YAML's core schema.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::UInt(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

/// The parsed front matter and how to find its lines in the file.
pub(super) struct Yaml<'a> {
    pub root: Spanned<Node>,
    text: &'a str,
    /// The file line of the YAML's first line, minus one.
    line_offset: usize,
}

impl<'a> Yaml<'a> {
    /// Parses `text`, the front matter starting at file line `first_line`.
    /// YAML 1.1 booleans (`yes`, `on`) stay text; duplicate keys are errors.
    pub fn parse(text: &'a str, first_line: usize) -> Result<Self, ParseError> {
        let line_offset = first_line.saturating_sub(1);
        let options = serde_saphyr::options! {
            strict_booleans: true,
            with_snippet: false,
        };
        match serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options) {
            Ok(root) => Ok(Yaml {
                root,
                text,
                line_offset,
            }),
            Err(err) => {
                let yaml_line = err.location().map_or(1, |l| l.line().max(1));
                let message = serde_saphyr::DefaultMessageFormatter.format_message(&err);
                let message = message
                    .split(", set DuplicateKeyPolicy")
                    .next()
                    .unwrap_or_default();
                Err(ParseError {
                    line: line_offset + usize::try_from(yaml_line).unwrap_or(1),
                    message: format!("invalid YAML in the front matter: {message}"),
                })
            }
        }
    }

    /// The file line of a value (or a key).
    pub fn line<T>(&self, at: &Spanned<T>) -> usize {
        let line = usize::try_from(at.referenced.line()).unwrap_or(0);
        self.line_offset + line.max(1)
    }

    /// The value's text as written, for scalars YAML typed as numbers or
    /// booleans where the format wants text (`- 404` in a keyword list).
    pub fn scalar_text(&self, at: &Spanned<Node>) -> Option<String> {
        match &at.value {
            Node::Str(s) => Some(s.clone()),
            Node::Null | Node::Seq(_) | Node::Map(_) => None,
            Node::Bool(_) | Node::Int(_) | Node::UInt(_) | Node::Float(_) => {
                let span = at.referenced.span();
                let raw = span
                    .byte_offset()
                    .zip(span.byte_len())
                    .and_then(|(start, len)| {
                        let start = usize::try_from(start).ok()?;
                        let end = start.checked_add(usize::try_from(len).ok()?)?;
                        self.text.get(start..end)
                    });
                Some(match raw.map(str::trim).filter(|r| !r.is_empty()) {
                    Some(raw) => raw.to_string(),
                    None => plain_text(&at.value),
                })
            }
        }
    }
}

fn plain_text(node: &Node) -> String {
    match node {
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::UInt(u) => u.to_string(),
        Node::Float(f) => f.to_string(),
        Node::Str(s) => s.clone(),
        Node::Null | Node::Seq(_) | Node::Map(_) => String::new(),
    }
}

/// The value as JSON, for keys kept as they are.
pub(super) fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Int(i) => Value::from(*i),
        Node::UInt(u) => Value::from(*u),
        // Non-finite floats are refused by the parser, so `from_f64` holds.
        Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(items.iter().map(|i| to_json(&i.value)).collect()),
        Node::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.value.clone(), to_json(&v.value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_the_file_and_scalars_keep_their_text() {
        let yaml = Yaml::parse("a: 1\nlist:\n  - 1.10\n  - yes\n", 2).unwrap();
        let Node::Map(entries) = &yaml.root.value else {
            panic!("not a map")
        };
        let (key, list) = &entries[1];
        assert_eq!(yaml.line(key), 3);
        let Node::Seq(items) = &list.value else {
            panic!("not a list")
        };
        assert_eq!(yaml.scalar_text(&items[0]).as_deref(), Some("1.10"));
        assert_eq!(items[1].value, Node::Str("yes".into()));
        assert_eq!(yaml.line(&items[1]), 5);
    }

    #[test]
    fn errors_point_at_the_file_line() {
        let err = Yaml::parse("a: 1\nb: [1, 2\nc: 3\n", 2).err().unwrap();
        assert_eq!(err.line, 4, "{err}");
        let err = Yaml::parse("a: 1\na: 2\n", 2).err().unwrap();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("duplicate"), "{err}");
        assert!(!err.message.contains("DuplicateKeyPolicy"), "{err}");
    }
}
