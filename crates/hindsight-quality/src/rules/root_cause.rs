//! `root-cause/*`: a root cause that stops at a person, and five whys that
//! stop before they reach the system.

use std::sync::LazyLock;

use hindsight_core::Status;
use regex::Regex;

use super::Ctx;
use crate::finding::{Family, Rule, Severity};
use crate::text::people::{self, Who};

pub const STOPS_AT_PERSON: Rule = Rule {
    id: "root-cause/stops-at-person",
    family: Family::RootCause,
    severity: Severity::Error,
    summary: "The root cause ends at a person or at human error, not at the system that allowed it",
    example: "## Root cause\n\nHuman error: the operator ran the wrong command.",
};
pub const SHALLOW_WHYS: Rule = Rule {
    id: "root-cause/shallow-whys",
    family: Family::RootCause,
    severity: Severity::Warning,
    summary: "Fewer whys than the configured depth (default 3)",
    example: "### Five whys\n\n1. **Why did checkout fail?** A bad deploy.",
};

/// Words that reach a condition of the system: a check, a default, a gap.
static SYSTEMIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:process|processes|check|checks|checked|validation|validate|validated|validating|test|tests|testing|tested|pipeline|pipelines|review|reviews|reviewed|guard|guards|safeguard|safeguards|guardrail|guardrails|alert|alerts|alerting|monitoring|automation|automated|tooling|default|defaults|limit|limits|timeout|runbook|runbooks|documentation|documented|design|gate|gates|canary|permission|permissions|access|interface|confirmation|prompt|approval|policy|procedure|allowed|allow|allows|permitted|prevent|prevented|caught|catch|missing|lack|lacked|lacking|without|unsafe|nothing|no one|nobody|undocumented|untested|unvalidated|race|bug|leak|capacity|dependency|expired|misconfiguration|configured|fixture|contract|schema|threshold|retry|retries)\b")
        .unwrap_or_else(|e| unreachable!("systemic pattern: {e}"))
});

static HUMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:human|operator|user|engineer|people|personnel|manual)\s+(?:error|mistake|failure|slip)s?\b|\b(?:mistake|error|typo|oversight|negligence|carelessness)\b")
        .unwrap_or_else(|e| unreachable!("human pattern: {e}"))
});

pub fn check(ctx: &mut Ctx) {
    let pm = ctx.pm;
    let text = pm.analysis.root_cause.as_str();
    if text.trim().is_empty() {
        return;
    }
    if let Some(a) = ctx
        .fields
        .iter()
        .position(|f| f.path == "analysis.root_cause")
        .and_then(|i| ctx.analysed[i].as_ref())
    {
        let person = a.sentences.iter().any(|s| {
            people::mentions(&a.tokens, s.clone(), &ctx.people)
                .iter()
                .any(|m| matches!(m.who, Who::Named | Who::Role | Who::Pronoun | Who::Team))
        });
        if (person || HUMAN.is_match(text)) && !SYSTEMIC.is_match(text) {
            ctx.report(
                &STOPS_AT_PERSON,
                "analysis.root_cause",
                text,
                Some(0..text.len()),
                "the root cause stops at a person or a human error; it names no condition of the system".to_string(),
                Some("ask why once more: why was the action possible, why did nothing catch it (a missing check, review, guard or safer default)?".to_string()),
            );
        }
    }
    let whys = pm.analysis.five_whys.len();
    let min = ctx.config.thresholds.min_whys;
    let reviewing = pm.status != Status::Draft;
    if !ctx.origin.free_form && whys < min && (whys > 0 || reviewing) {
        ctx.report_field(
            &SHALLOW_WHYS,
            "analysis.five_whys",
            format!("{whys} why(s); at least {min} are expected to get from the symptom to the system"),
            Some("keep asking why until the answer is a condition you can change (a check, a default, a process)".to_string()),
        );
    }
}
