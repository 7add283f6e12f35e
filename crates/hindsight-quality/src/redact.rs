//! Redaction for public exports: secrets (the detectors of the `secret/*`
//! rules), email addresses and the configured patterns are replaced by a
//! visible marker `[REDACTED:<kind>]` in every text of a postmortem.

use std::ops::Range;
use std::sync::LazyLock;

use hindsight_core::Postmortem;
use regex::Regex;
use serde_json::Value;

use crate::config::{Config, RedactPattern};
use crate::secrets::SecretPolicy;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")
        .unwrap_or_else(|e| unreachable!("email pattern: {e}"))
});

/// One replaced piece of text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redaction {
    /// Field path, e.g. `timeline[3].text`.
    pub field: String,
    /// `aws-access-key`, `email`, or the name of a configured pattern.
    pub kind: String,
}

/// A redaction that would break the postmortem (a pattern matched a date or an id).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redaction changed a field that must keep its form: {0}")]
pub struct RedactError(String);

/// Removes secrets and configured patterns.
#[derive(Debug, Clone)]
pub struct Redactor {
    secrets: SecretPolicy,
    emails: bool,
    patterns: Vec<RedactPattern>,
}

impl Redactor {
    pub fn new(config: &Config) -> Self {
        Redactor {
            secrets: config.secrets.clone(),
            emails: config.redact_emails,
            patterns: config.redact_patterns.clone(),
        }
    }

    /// What to replace in `text`: ranges and kinds, in order, not overlapping.
    fn matches(&self, text: &str) -> Vec<(Range<usize>, String)> {
        let mut found: Vec<(Range<usize>, String)> = self
            .secrets
            .scan(text)
            .into_iter()
            .map(|m| (m.range, m.kind.as_str().to_string()))
            .collect();
        let mut add = |range: Range<usize>, kind: &str| {
            if !found
                .iter()
                .any(|(r, _)| r.start < range.end && range.start < r.end)
                && !range.is_empty()
            {
                found.push((range, kind.to_string()));
            }
        };
        if self.emails {
            for m in EMAIL.find_iter(text) {
                add(m.range(), "email");
            }
        }
        for p in &self.patterns {
            for m in p.regex.find_iter(text) {
                add(m.range(), &p.name);
            }
        }
        found.sort_by_key(|(r, _)| r.start);
        found
    }

    /// `text` with every match replaced by `[REDACTED:<kind>]`, and the kinds replaced.
    pub fn redact_text(&self, text: &str) -> (String, Vec<String>) {
        let mut out = String::with_capacity(text.len());
        let mut kinds = Vec::new();
        let mut at = 0;
        for (range, kind) in self.matches(text) {
            out.push_str(&text[at..range.start]);
            out.push_str(&format!("[REDACTED:{kind}]"));
            at = range.end;
            kinds.push(kind);
        }
        out.push_str(&text[at..]);
        (out, kinds)
    }

    /// A copy of `pm` with every text redacted, and what was redacted where.
    /// Every string of the postmortem is covered, front-matter extras and
    /// evidence references included, so a secret anywhere cannot leak.
    pub fn redact_postmortem(
        &self,
        pm: &Postmortem,
    ) -> Result<(Postmortem, Vec<Redaction>), RedactError> {
        let mut value = serde_json::to_value(pm).map_err(|e| RedactError(e.to_string()))?;
        let mut redactions = Vec::new();
        self.walk(&mut value, String::new(), &mut redactions);
        let fields: Vec<&str> = redactions.iter().map(|r| r.field.as_str()).collect();
        let redacted = serde_json::from_value(value)
            .map_err(|e| RedactError(format!("{e} (redacted fields: {})", fields.join(", "))))?;
        Ok((redacted, redactions))
    }

    fn walk(&self, value: &mut Value, path: String, out: &mut Vec<Redaction>) {
        match value {
            Value::String(s) => {
                let (text, kinds) = self.redact_text(s);
                if !kinds.is_empty() {
                    *s = text;
                    out.extend(kinds.into_iter().map(|kind| Redaction {
                        field: path.clone(),
                        kind,
                    }));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    self.walk(v, format!("{path}[{i}]"), out);
                }
            }
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    self.walk(v, child, out);
                }
            }
            _ => {}
        }
    }

    /// The secrets still in `text` (an export is checked with this before it is written).
    pub fn leaks(&self, text: &str) -> Vec<String> {
        self.secrets
            .scan(text)
            .into_iter()
            .map(|m| m.kind.as_str().to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use hindsight_core::{Kind, TimelineEvent};

    #[test]
    fn secrets_emails_and_patterns_are_marked() {
        let config = Config::parse("[redact]\npatterns = [{ name = \"internal-host\", regex = '\\b[a-z0-9-]+\\.corp\\.acme\\.io\\b' }]").unwrap();
        let r = Redactor::new(&config);
        let (text, kinds) =
            r.redact_text("key AKIAZ7QX2MN4PL8RWT3Y from ops@acme.io on db1.corp.acme.io");
        assert_eq!(
            text,
            "key [REDACTED:aws-access-key] from [REDACTED:email] on [REDACTED:internal-host]"
        );
        assert_eq!(kinds.len(), 3);
    }

    #[test]
    fn every_text_of_a_postmortem_is_redacted() {
        let mut pm = Postmortem::new("t", Kind::Incident, DateTime::<Utc>::UNIX_EPOCH);
        let mut event = TimelineEvent::note(
            DateTime::<Utc>::UNIX_EPOCH,
            "token ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5 pasted",
        );
        event.source_ref = Some("xoxb-1234567890-abcdefghijkl".to_string());
        pm.timeline.push(event);
        pm.extra_fields.insert(
            "note".to_string(),
            serde_json::json!({"deep": ["DB_PASSWORD=hT8#kq2Lz9!wXm"]}),
        );
        let r = Redactor::new(&Config::default());
        let (clean, redactions) = r.redact_postmortem(&pm).unwrap();
        let all = serde_json::to_string(&clean).unwrap();
        assert!(r.leaks(&all).is_empty(), "{all}");
        assert!(all.contains("[REDACTED:github-token]"));
        assert_eq!(redactions.len(), 3);
        assert_eq!(clean.timeline[0].at, pm.timeline[0].at);
    }
}
