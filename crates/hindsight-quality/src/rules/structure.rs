//! `structure/*`: the sections a postmortem needs at its status and kind.

use hindsight_core::{Postmortem, Status};

use super::Ctx;
use crate::finding::{Family, Rule, Severity};

pub const MISSING_SECTION: Rule = Rule {
    id: "structure/missing-section",
    family: Family::Structure,
    severity: Severity::Error,
    summary: "A section required at the postmortem's status (and kind) is missing or empty",
    example: "status: in-review, with no `## Contributing factors`",
};
pub const NO_ACTION_ITEMS: Rule = Rule {
    id: "structure/no-action-items",
    family: Family::Structure,
    severity: Severity::Error,
    summary: "The postmortem has no action items",
    example: "`## Action items` missing or with an empty table",
};
pub const MISSING_FIELD: Rule = Rule {
    id: "structure/missing-field",
    family: Family::Structure,
    severity: Severity::Warning,
    summary: "A postmortem in review or later has no severity or no owner",
    example: "status: final, with no `severity:`",
};
pub const FREE_FORM: Rule = Rule {
    id: "structure/free-form",
    family: Family::Structure,
    severity: Severity::Note,
    summary: "A free-form write-up with none of the known sections",
    example: "a Markdown file whose body has no `## Summary`, `## Timeline`, ...",
};
pub const PARSE_ERROR: Rule = Rule {
    id: "structure/parse-error",
    family: Family::Structure,
    severity: Severity::Error,
    summary: "The file does not follow the format (docs/format.md), so nothing else could be checked",
    example: "| 10:02 | ... | under a `| Time | Event |` header without (UTC)",
};

/// A section, the field path it fills and whether it has content.
struct Section {
    heading: &'static str,
    path: &'static str,
    filled: fn(&Postmortem) -> bool,
    /// Needed from draft on (else only from in-review on).
    in_draft: bool,
    release_only: bool,
}

const SECTIONS: &[Section] = &[
    Section {
        heading: "Summary",
        path: "summary",
        filled: |p| !p.summary.trim().is_empty(),
        in_draft: true,
        release_only: false,
    },
    Section {
        heading: "Impact",
        path: "impact.text",
        filled: |p| !p.impact.text.trim().is_empty() || p.impact.has_numbers(),
        in_draft: true,
        release_only: false,
    },
    Section {
        heading: "Timeline",
        path: "timeline",
        filled: |p| !p.timeline.is_empty(),
        in_draft: true,
        release_only: false,
    },
    Section {
        heading: "Root cause",
        path: "analysis.root_cause",
        filled: |p| !p.analysis.root_cause.trim().is_empty(),
        in_draft: false,
        release_only: false,
    },
    Section {
        heading: "Contributing factors",
        path: "analysis.factors",
        filled: |p| !p.analysis.factors.is_empty(),
        in_draft: false,
        release_only: false,
    },
    Section {
        heading: "Release gates",
        path: "release.gates",
        // Gates left `unknown` (as a webhook lists them) are not analysed yet.
        filled: |p| {
            p.release.as_ref().is_some_and(|r| {
                !r.gates.is_empty()
                    && r.gates
                        .iter()
                        .all(|g| g.outcome != hindsight_core::GateOutcome::Unknown)
            })
        },
        in_draft: false,
        release_only: true,
    },
    Section {
        heading: "Detection",
        path: "analysis.detection",
        filled: |p| !p.analysis.detection.trim().is_empty(),
        in_draft: false,
        release_only: false,
    },
    Section {
        heading: "Response",
        path: "analysis.response",
        filled: |p| !p.analysis.response.trim().is_empty(),
        in_draft: false,
        release_only: false,
    },
    Section {
        heading: "Lessons learned",
        path: "analysis.lessons",
        filled: |p| !p.analysis.lessons.is_empty(),
        in_draft: false,
        release_only: false,
    },
];

pub fn check(ctx: &mut Ctx) {
    let pm = ctx.pm;
    if ctx.origin.free_form {
        ctx.report_field(
            &FREE_FORM,
            "summary",
            "free-form write-up: none of the known sections, so the whole body is the summary".to_string(),
            Some("`hindsight new` writes a template with every section; move the text under its headings".to_string()),
        );
        return;
    }
    let reviewing = pm.status != Status::Draft;
    for s in SECTIONS {
        let needed = (s.in_draft || reviewing) && (!s.release_only || pm.kind.is_release());
        if needed && !(s.filled)(pm) {
            let why = if s.release_only {
                format!("a {} postmortem", pm.kind)
            } else {
                format!("a postmortem in status `{}`", pm.status)
            };
            ctx.report_field(
                &MISSING_SECTION,
                s.path,
                format!("`## {}` is missing or empty; {why} needs it", s.heading),
                Some(format!(
                    "add a `## {}` section (`hindsight new` shows what goes in it)",
                    s.heading
                )),
            );
        }
    }
    if pm.actions.is_empty() {
        ctx.report_field(
            &NO_ACTION_ITEMS,
            "actions",
            "no action items: without them nothing changes".to_string(),
            Some("add an `## Action items` table: one row per change, each with an owner and a due date".to_string()),
        );
    }
    if reviewing {
        if pm.severity.is_none() {
            ctx.report_field(
                &MISSING_FIELD,
                "severity",
                "no severity: set it before review".to_string(),
                Some("add `severity: SEV1`..`SEV4` to the front matter".to_string()),
            );
        }
        if pm.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            ctx.report_field(
                &MISSING_FIELD,
                "owner",
                "no owner: one person is accountable for the postmortem".to_string(),
                Some("add `owner: <person>` to the front matter".to_string()),
            );
        }
    }
}
