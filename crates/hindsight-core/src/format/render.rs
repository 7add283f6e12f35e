//! Writes a postmortem as a file: the front matter, the known sections that
//! have content (all of them, with hints, for a template), then the kept
//! unknown sections.

use super::sections::Known;
use super::{actions, analysis, blocks, factors, front_matter_out, gates, lessons, timeline};
use crate::model::Postmortem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Only what the postmortem has (always a `## Summary`, so the file is
    /// never read as free-form).
    Export,
    /// Every section of the kind, empty ones holding a hint.
    Template,
}

const SUMMARY: &str = "What happened, in a few sentences: what broke, who was affected, for how long, and how it was fixed.";
const IMPACT: &str =
    "Who and what was affected, and how badly. The numbers go in the front matter under `impact:`.";
const TIMELINE: &str = "One row per event, in order. Time: HH:MM (UTC) on the day of milestones.started, or a full timestamp such as 2026-03-04T10:02:00Z. Kind: deploy, alert, page, ack, communication, action, mitigation, rollback, resolution, note. Milestone: started, detected, acknowledged, mitigated, resolved. Unused columns may be deleted.";
const ROOT_CAUSE: &str = "Why it happened: the conditions that made it possible, not who did what.";
const TRIGGER: &str =
    "What set it off: a deploy, a config change, a traffic spike, an expired certificate...";
const FIVE_WHYS: &str = "A numbered list, one step per item: 1. **Why did X happen?** Because Y.";
const FACTORS: &str = "One item per factor: - **category** (F1, group): what contributed. Categories: code, config, dependency, capacity, testing-gap, monitoring-gap, process-gap, documentation-gap, training-gap, ci, canary, soak, eval-gate, feedback-gate, rollback, communication, decision-authority. The group (people, process, technology, environment) is optional.";
const GATES: &str = "One row per gate (ci, canary, soak, eval, feedback): its outcome (passed, failed, skipped, absent) and why it did not catch this.";
const DETECTION: &str = "How and when it was detected, and how it could have been detected sooner.";
const RESPONSE: &str = "How the response went: what helped, what slowed it down.";
const WENT_WELL: &str = "What helped, one item each: - ...";
const WENT_WRONG: &str = "What hurt, one item each: - ...";
const GOT_LUCKY: &str = "What turned out well by chance, one item each: - ...";
const ACTIONS: &str = "One row per action. Action: starts with a verb. Owner: one person. Due: YYYY-MM-DD. Type: prevent, detect, mitigate, process. Priority: P0 to P3. Status: open, in-progress, done, verified, or wont-do: reason. Ticket: jira:KEY, or a link [jira:KEY](url). A longer description goes under a ### A1 heading after the table.";

/// Every hint the template writes; parsing drops them from free text.
pub(super) const HINTS: &[&str] = &[
    SUMMARY, IMPACT, TIMELINE, ROOT_CAUSE, TRIGGER, FIVE_WHYS, FACTORS, GATES, DETECTION, RESPONSE,
    WENT_WELL, WENT_WRONG, GOT_LUCKY, ACTIONS,
];

fn hint(text: &str) -> String {
    format!("<!-- {text} -->")
}

pub(super) fn document(pm: &Postmortem, mode: Mode) -> String {
    let template = mode == Mode::Template;
    let mut out = format!("---\n{}---\n", front_matter_out::write(pm, template));
    let known = Known::ALL
        .into_iter()
        .filter_map(|k| Some((k.heading().to_string(), section(pm, k, template)?)));
    let extra = pm
        .extra_sections
        .iter()
        .map(|s| (s.heading.clone(), s.body.clone()));
    for (heading, body) in known.chain(extra) {
        out.push_str(&format!("\n{}\n", blocks::atx(2, &heading)));
        if !body.is_empty() {
            out.push_str(&format!("\n{body}\n"));
        }
    }
    out
}

/// A section's content, or `None` to leave it out.
fn section(pm: &Postmortem, known: Known, template: bool) -> Option<String> {
    let text = |text: &str, hint_text: &str| match (text.is_empty(), template) {
        (false, _) => Some(text.to_string()),
        (true, true) => Some(hint(hint_text)),
        (true, false) => None,
    };
    let a = &pm.analysis;
    match known {
        Known::Summary => text(&pm.summary, SUMMARY).or(Some(String::new())),
        Known::Impact => text(&pm.impact.text, IMPACT),
        Known::Timeline => {
            let started = pm.milestones.started;
            match (pm.timeline.is_empty(), template) {
                (false, _) => Some(timeline::write(&pm.timeline, started, template)),
                (true, true) => Some(format!(
                    "{}\n\n{}",
                    hint(TIMELINE),
                    timeline::write(&[], started, true)
                )),
                (true, false) => None,
            }
        }
        Known::RootCause => {
            let subs = [
                (analysis::TRIGGER, text(&a.trigger, TRIGGER)),
                (
                    analysis::FIVE_WHYS,
                    text(&analysis::write_whys(&a.five_whys), FIVE_WHYS),
                ),
            ];
            let mut parts: Vec<String> = text(&a.root_cause, ROOT_CAUSE).into_iter().collect();
            for (heading, body) in subs {
                if let Some(body) = body {
                    parts.push(format!("### {heading}\n\n{body}"));
                }
            }
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        }
        Known::ContributingFactors => text(&factors::write(&a.factors), FACTORS),
        Known::ReleaseGates => {
            let gates = pm
                .release
                .as_ref()
                .map(|r| r.gates.as_slice())
                .unwrap_or_default();
            match (gates.is_empty(), template && pm.kind.is_release()) {
                (false, _) => Some(gates::write(gates)),
                (true, true) => Some(format!("{}\n\n{}", hint(GATES), gates::write(&[]))),
                (true, false) => None,
            }
        }
        Known::Detection => text(&a.detection, DETECTION),
        Known::Response => text(&a.response, RESPONSE),
        Known::LessonsLearned => {
            let written = lessons::write(&a.lessons);
            let hints = [
                (lessons::WENT_WELL, WENT_WELL),
                (lessons::WENT_WRONG, WENT_WRONG),
                (lessons::GOT_LUCKY, GOT_LUCKY),
            ];
            let subs: Vec<String> = hints
                .iter()
                .filter_map(|(heading, hint_text)| {
                    let body = written
                        .iter()
                        .find(|(h, _)| h == heading)
                        .map(|(_, b)| b.clone());
                    let body = body.or_else(|| template.then(|| hint(hint_text)))?;
                    Some(format!("### {heading}\n\n{body}"))
                })
                .collect();
            (!subs.is_empty()).then(|| subs.join("\n\n"))
        }
        Known::ActionItems => match (pm.actions.is_empty(), template) {
            (false, _) => Some(actions::write(&pm.actions, template)),
            (true, true) => Some(format!(
                "{}\n\n{}",
                hint(ACTIONS),
                actions::write(&[], true)
            )),
            (true, false) => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FactorCategory;

    #[test]
    fn the_factor_hint_names_every_category() {
        for c in FactorCategory::ALL {
            assert!(FACTORS.contains(c.as_str()), "{c}");
        }
    }

    #[test]
    fn hints_are_single_html_comments() {
        for h in HINTS {
            assert!(!h.contains("--") && !h.contains('\n'), "{h}");
        }
    }
}
