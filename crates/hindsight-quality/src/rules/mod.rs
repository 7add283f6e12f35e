//! The lint rules: their catalogue and the context they run in.

mod action;
mod blame;
mod impact;
mod root_cause;
mod secret;
mod structure;
mod timeline;

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use hindsight_core::Postmortem;

use crate::config::Config;
use crate::fields::{TextField, text_fields};
use crate::finding::{Finding, Rule};
use crate::text::Analysed;
use crate::text::people::People;

pub use action::{UNBOUNDED, single_owner};
pub use secret::scan_source as scan_source_secrets;
pub use structure::PARSE_ERROR;
pub use timeline::NO_TIMEZONE;

/// Compiles one of the language rules' phrase patterns. The texts they run
/// on are lower-case words separated by single spaces, so word boundaries
/// and classes are ASCII: Unicode `\b`, `\w` and `\S` compile to large
/// automata, and a Unicode `\b` keeps the lazy DFA from searching at all.
fn phrase_pattern(pattern: &str) -> regex::Regex {
    let pattern = pattern
        .replace(r"\b", r"(?-u:\b)")
        .replace(r"\S", "[^ ]")
        .replace(r"\w", "[a-z0-9_']")
        .replace(r"\s", " ");
    regex::Regex::new(&pattern).unwrap_or_else(|e| unreachable!("phrase pattern: {e}\n{pattern}"))
}

/// Every rule, in the order of the documentation.
pub const ALL: &[Rule] = &[
    blame::PERSON_AS_CAUSE,
    blame::HUMAN_ERROR,
    blame::OMISSION,
    blame::COUNTERFACTUAL,
    blame::JUDGEMENT,
    blame::ANIMATED,
    blame::HINDSIGHT,
    blame::PERSON_IN_ROOT_CAUSE,
    blame::TEAM_PHRASE,
    action::VAGUE,
    action::NO_OWNER,
    action::GROUP_OWNER,
    action::NO_DUE_DATE,
    action::UNBOUNDED,
    action::TRAINING_ONLY,
    action::TOO_MANY,
    action::NO_FACTOR,
    action::UNKNOWN_FACTOR,
    structure::MISSING_SECTION,
    structure::NO_ACTION_ITEMS,
    structure::MISSING_FIELD,
    structure::FREE_FORM,
    structure::PARSE_ERROR,
    impact::NO_NUMBERS,
    impact::VAGUE_QUANTITY,
    timeline::NO_TIMEZONE,
    timeline::OUT_OF_ORDER,
    timeline::GAP,
    timeline::NO_DETECTION,
    timeline::MILESTONE_ORDER,
    root_cause::STOPS_AT_PERSON,
    root_cause::SHALLOW_WHYS,
    secret::AWS_ACCESS_KEY,
    secret::GITHUB_TOKEN,
    secret::GITLAB_TOKEN,
    secret::SLACK_TOKEN,
    secret::SLACK_WEBHOOK,
    secret::PRIVATE_KEY,
    secret::JWT,
    secret::API_KEY,
    secret::URL_CREDENTIALS,
    secret::PASSWORD_ASSIGNMENT,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

/// How the postmortem reached the linter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin {
    /// A Markdown file with no known section (a free-form write-up):
    /// section-by-section checks would only repeat that it has no sections.
    pub free_form: bool,
    /// Secrets are looked for in the raw file instead of in the fields (which
    /// miss YAML and HTML comments).
    pub secrets_in_source: bool,
}

/// What every rule can read.
pub struct Ctx<'a> {
    pub pm: &'a Postmortem,
    pub config: &'a Config,
    pub origin: Origin,
    pub people: People,
    pub fields: Vec<TextField<'a>>,
    /// The prose fields, analysed, in the order of `fields` (`None` for non-prose).
    pub analysed: Vec<Option<Analysed<'a>>>,
    allowed: Option<AhoCorasick>,
    findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    fn new(pm: &'a Postmortem, config: &'a Config, origin: Origin) -> Self {
        let fields = text_fields(pm);
        let analysed = fields
            .iter()
            .map(|f| f.role.is_prose().then(|| Analysed::new(f.text)))
            .collect();
        let names = pm
            .owner
            .iter()
            .chain(&pm.authors)
            .chain(&pm.reviewers)
            .chain(pm.actions.iter().filter_map(|a| a.owner.as_ref()))
            .chain(pm.reviews.iter().map(|r| &r.reviewer))
            .chain(&config.terms.people)
            .map(String::as_str);
        let allowed = (!config.terms.allowed.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&config.terms.allowed)
                    .ok()
            })
            .flatten();
        Ctx {
            pm,
            config,
            origin,
            people: People::new(names),
            fields,
            analysed,
            allowed,
            findings: Vec::new(),
        }
    }

    /// Reports a finding about `span` of the field at `path` (whose text is
    /// `text`), unless the rule is off or the span is an allowed term.
    pub fn report(
        &mut self,
        rule: &'static Rule,
        path: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: String,
        suggestion: Option<String>,
    ) {
        let Some(severity) = self.config.severity(rule) else {
            return;
        };
        if let (Some(allowed), Some(span)) = (&self.allowed, &span)
            && allowed
                .find_iter(text)
                .any(|m| m.start() < span.end && span.start < m.end())
        {
            return;
        }
        let excerpt = span
            .as_ref()
            .and_then(|s| text.get(s.clone()))
            .unwrap_or_default()
            .to_string();
        self.findings.push(Finding {
            rule: rule.id,
            family: rule.family,
            severity,
            field: path.to_string(),
            span,
            excerpt,
            message,
            suggestion,
            position: None,
        });
    }

    /// Reports a finding about a field as a whole.
    pub fn report_field(
        &mut self,
        rule: &'static Rule,
        path: &str,
        message: String,
        suggestion: Option<String>,
    ) {
        self.report(rule, path, "", None, message, suggestion);
    }
}

/// Runs every rule over `pm`.
pub fn run(pm: &Postmortem, config: &Config, origin: Origin) -> Vec<Finding> {
    let mut ctx = Ctx::new(pm, config, origin);
    blame::check(&mut ctx);
    action::check(&mut ctx);
    structure::check(&mut ctx);
    impact::check(&mut ctx);
    timeline::check(&mut ctx);
    root_cause::check(&mut ctx);
    if !origin.secrets_in_source {
        secret::check(&mut ctx);
    }
    ctx.findings
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
