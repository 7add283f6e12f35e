//! `impact/*`: impact said in words where numbers belong.

use std::sync::LazyLock;

use regex::Regex;

use super::Ctx;
use crate::finding::{Family, Rule, Severity};

pub const NO_NUMBERS: Rule = Rule {
    id: "impact/no-numbers",
    family: Family::Impact,
    severity: Severity::Error,
    summary: "The impact is described without a single number",
    example: "## Impact\n\nSome customers could not check out for a while.",
};
pub const VAGUE_QUANTITY: Rule = Rule {
    id: "impact/vague-quantity",
    family: Family::Impact,
    severity: Severity::Warning,
    summary: "A vague quantity (\"many users\", \"significant downtime\") with no number next to it",
    example: "Many users saw errors.",
};

static VAGUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:many|some|several|numerous|a few|a lot of|lots of|most|a majority of|the majority of|a large number of|a small number of|a number of|a handful of|countless|a significant number of|a subset of|a portion of)\s+(?:of\s+)?(?:our\s+|the\s+)?(?:users|customers|clients|requests|orders|merchants|tenants|accounts|people|visitors|calls|transactions|payments|sessions)\b|\b(?:significant|major|minor|massive|huge|widespread|extended|prolonged|considerable|substantial|some|brief|limited)\s+(?:downtime|impact|disruption|degradation|outage|delay|delays|latency|errors|data loss|revenue loss|loss)\b|\bfor a (?:while|bit|long time|short time|few minutes|few hours)\b")
        .unwrap_or_else(|e| unreachable!("vague quantity pattern: {e}"))
});

pub fn check(ctx: &mut Ctx) {
    if ctx.origin.free_form {
        return;
    }
    let impact = &ctx.pm.impact;
    let text = impact.text.as_str();
    if text.trim().is_empty() {
        return;
    }
    if !impact.has_numbers() && !text.chars().any(|c| c.is_ascii_digit()) {
        ctx.report(
            &NO_NUMBERS,
            "impact.text",
            text,
            Some(0..text.len()),
            "the impact has no number: how many users, for how long, how much error budget?".to_string(),
            Some("add numbers: users affected (count or %), duration, failed requests, tickets, revenue, error budget consumed (e.g. `impact: { users_affected: 18400 }` in the front matter)".to_string()),
        );
        return;
    }
    for m in VAGUE.find_iter(text) {
        let sentence_start = text[..m.start()].rfind(['.', '\n']).map_or(0, |i| i + 1);
        let sentence_end = text[m.end()..]
            .find(['.', '\n'])
            .map_or(text.len(), |i| m.end() + i);
        if text[sentence_start..sentence_end]
            .chars()
            .any(|c| c.is_ascii_digit())
        {
            continue;
        }
        ctx.report(
            &VAGUE_QUANTITY,
            "impact.text",
            text,
            Some(m.range()),
            format!("`{}` is a guess at a number", m.as_str()),
            Some("replace it with the measured number (users, requests, minutes) or say it is unknown".to_string()),
        );
    }
}
