//! What a rule reports: a finding with its rule, severity, where it is and
//! what to write instead.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How serious a finding is. `Error` findings make `hindsight lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rule families of the quality engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Blame,
    Action,
    Structure,
    Impact,
    Timeline,
    RootCause,
    Secret,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Blame,
        Family::Action,
        Family::Structure,
        Family::Impact,
        Family::Timeline,
        Family::RootCause,
        Family::Secret,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Blame => "blame",
            Family::Action => "action",
            Family::Structure => "structure",
            Family::Impact => "impact",
            Family::Timeline => "timeline",
            Family::RootCause => "root-cause",
            Family::Secret => "secret",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Family {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Family::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(())
    }
}

/// A rule's fixed description. Ids are stable: they appear in configuration
/// files, suppression comments and SARIF, so they are never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `family/name`, e.g. `blame/human-error`.
    pub id: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Text that triggers the rule.
    pub example: &'static str,
}

/// A 1-based line and column (in Unicode scalar values) of a Markdown source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// One problem found in a postmortem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// Field path in the postmortem, e.g. `timeline[4].text` or
    /// `actions[2].owner`; `source` for findings about the raw file.
    pub field: String,
    /// Byte range in the field's text (or the source) the finding is about.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    /// The text of the span, for messages and stable fingerprints.
    pub excerpt: String,
    pub message: String,
    pub suggestion: Option<String>,
    /// Where it is in the Markdown source (set when linting a file).
    pub position: Option<Position>,
}

impl Finding {
    /// A stable fingerprint that survives the finding moving to another
    /// line: rule, field kind and excerpt (FNV-1a, hex).
    pub fn fingerprint(&self) -> String {
        let field_kind: String = self.field.chars().filter(|c| !c.is_ascii_digit()).collect();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [self.rule, field_kind.as_str(), self.excerpt.as_str()] {
            for byte in part.bytes().chain(std::iter::once(0xff)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }
}
