//! YAML values to write, in a chosen key order, serialized by serde-saphyr
//! (which quotes whatever YAML would otherwise read as another type).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

pub(super) enum Out<'a> {
    Text(String),
    Whole(u64),
    Int(i64),
    /// Written as a whole number when it is one, so `42000` stays `42000`.
    Number(f64),
    Bool(bool),
    /// A list on one line: `[a, b]`.
    Flow(Vec<Out<'a>>),
    /// A list with one `- item` per line.
    Block(Vec<Out<'a>>),
    Map(Vec<(String, Out<'a>)>),
    Json(&'a serde_json::Value),
}

impl Out<'_> {
    pub fn text(text: impl Into<String>) -> Self {
        Out::Text(text.into())
    }

    pub fn texts(texts: &[String]) -> Self {
        Out::Flow(texts.iter().map(Out::text).collect())
    }
}

/// Whole numbers below this are written without a fraction and still read
/// back as the same `f64`.
const EXACT_WHOLE: f64 = 9_007_199_254_740_992.0;

impl Serialize for Out<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Text(t) => s.serialize_str(t),
            Out::Whole(n) => s.serialize_u64(*n),
            Out::Int(n) => s.serialize_i64(*n),
            Out::Number(n) if n.fract() == 0.0 && n.abs() < EXACT_WHOLE => {
                s.serialize_i64(*n as i64)
            }
            Out::Number(n) => s.serialize_f64(*n),
            Out::Bool(b) => s.serialize_bool(*b),
            Out::Flow(items) => serde_saphyr::FlowSeq(items).serialize(s),
            Out::Block(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Out::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Out::Json(value) => value.serialize(s),
        }
    }
}

/// The YAML text of `entries`, ending with a newline. YAML 1.2 rules:
/// timestamps and `yes` are left unquoted (the reader keeps them as text);
/// long lines are not folded, multi-line text is a `|` block.
pub(super) fn to_yaml(entries: Vec<(String, Out)>) -> String {
    let options = serde_saphyr::ser_options! {
        yaml_12: true,
        no_lang_directive: true,
        folded_wrap_chars: usize::MAX,
    };
    match serde_saphyr::to_string_with_options(&Out::Map(entries), options) {
        Ok(text) if text.ends_with('\n') => text,
        Ok(text) => text + "\n",
        // Values here are strings, numbers and lists: writing cannot fail,
        // but if it ever did, the file says so instead of losing data silently.
        Err(e) => format!("# the front matter could not be written: {e}\n"),
    }
}
