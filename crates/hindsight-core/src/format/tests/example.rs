//! The example of `docs/format.md` parses as documented.

use super::{parse_ok, utc};
use crate::format::{parse, render, template};
use crate::model::*;

/// The first ```markdown block of the format's documentation.
fn documented_example() -> String {
    let doc = include_str!("../../../../../docs/format.md");
    let start = doc.find("```markdown\n").expect("an example") + "```markdown\n".len();
    let end = start + doc[start..].find("\n```\n").expect("end of the example");
    doc[start..end].to_string() + "\n"
}

#[test]
fn the_documented_example_parses_as_documented() {
    let parsed = parse_ok(&documented_example());
    let pm = &parsed.postmortem;
    assert!(parsed.given.id && parsed.given.key && parsed.given.version);
    assert!(parsed.given.created_at && parsed.given.updated_at);
    assert_eq!(pm.key.as_deref(), Some("PM-12"));
    assert_eq!(pm.title, "Checkout 5xx after payments-api 2.14 rollout");
    assert_eq!(
        (pm.kind, pm.severity, pm.status),
        (Kind::Deploy, Some(Severity::Sev2), Status::Final)
    );
    assert_eq!(pm.services, ["checkout", "payments-api"]);
    assert_eq!(pm.version, 7);
    assert_eq!(pm.milestones.detected, Some(utc("2026-03-04T10:14:00Z")));
    assert_eq!(pm.impact.users_percent, Some(12.5));
    assert_eq!(pm.impact.revenue, Some(42000.0));
    assert_eq!(pm.impact.sla_breached, Some(false));
    let release = pm.release.as_ref().unwrap();
    assert_eq!(release.canary_steps, [25, 100]);
    assert_eq!(release.gates.len(), 2);
    assert_eq!(release.gates[1].outcome, GateOutcome::Failed);
    assert_eq!(pm.reviews[0].verdict, Verdict::Approved);

    assert_eq!(pm.summary, "Free Markdown.");
    assert_eq!(pm.timeline.len(), 3);
    assert_eq!(pm.timeline[0].at, utc("2026-03-04T10:02:00Z"));
    assert_eq!(pm.timeline[0].kind, EventKind::Deploy);
    assert_eq!(pm.timeline[0].source_ref.as_deref(), Some("deploy-8812"));
    assert_eq!(pm.timeline[1].text, "`CheckoutErrorRate` fires");
    assert_eq!(pm.timeline[1].source_ref, None);
    assert_eq!(pm.timeline[2].at, utc("2026-03-05T08:00:00Z"));
    assert_eq!(pm.timeline[2].source, MANUAL_SOURCE);

    let a = &pm.analysis;
    assert_eq!(a.root_cause, "Free Markdown: the root cause(s).");
    assert_eq!(a.trigger, "Free Markdown: what set it off.");
    assert_eq!(a.five_whys.len(), 2);
    assert_eq!(a.five_whys[0].question, "Why did checkout fail?");
    assert_eq!(
        a.five_whys[0].answer,
        "The new client sent amounts in cents."
    );
    assert_eq!(a.factors[1].id, "F2");
    assert_eq!(a.factors[1].category, FactorCategory::TestingGap);
    assert_eq!(a.factors[1].group, FishboneGroup::People);
    assert_eq!(a.lessons.went_well, ["The rollback took four minutes."]);
    assert_eq!(a.lessons.got_lucky.len(), 1);

    let [a1, a2] = &pm.actions[..] else {
        panic!("two actions")
    };
    assert_eq!(
        a1.ticket.as_ref().unwrap().url.as_deref(),
        Some("https://acme.atlassian.net/browse/PAY-311")
    );
    assert_eq!(a1.control, Some(ControlLevel::Engineering));
    assert_eq!(a1.factor.as_deref(), Some("F1"));
    assert_eq!(
        a1.description,
        "Optional longer description of action item A1, in Markdown."
    );
    assert_eq!(a2.status, ActionStatus::WontDo);
    assert_eq!(
        a2.wont_do_reason.as_deref(),
        Some("replaced by the v3 schema")
    );
    assert_eq!(a2.ticket, None);
    assert_eq!(a2.due, chrono::NaiveDate::from_ymd_opt(2026, 6, 1));

    assert_eq!(pm.extra_sections.len(), 1);
    assert_eq!(pm.extra_sections[0].heading, "Customer communication");

    let again = parse_ok(&render(pm));
    assert_eq!(&again.postmortem, pm);
}

#[test]
fn a_template_has_every_section_and_parses_back_empty() {
    let mut pm = Postmortem::new("Checkout 5xx", Kind::Deploy, utc("2026-03-04T13:02:00Z"));
    pm.owner = Some("priya.raman".into());
    let text = template(&pm);
    for heading in [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Root cause",
        "### Trigger",
        "### Five whys",
        "## Contributing factors",
        "## Release gates",
        "## Detection",
        "## Response",
        "## Lessons learned",
        "### What went well",
        "## Action items",
    ] {
        assert!(
            text.contains(&format!("\n{heading}\n")),
            "{heading} missing:\n{text}"
        );
    }
    assert!(text.contains("<!-- "));
    assert_eq!(parse_ok(&text).postmortem, pm);

    pm.kind = Kind::Incident;
    assert!(!template(&pm).contains("## Release gates"));
}

#[test]
fn hints_left_next_to_text_are_dropped() {
    let pm = Postmortem::new("t", Kind::Incident, utc("2026-03-04T13:02:00Z"));
    let text = template(&pm).replacen(
        "## Summary\n\n<!--",
        "## Summary\n\nThe checkout broke.\n\n<!--",
        1,
    );
    assert_eq!(
        parse(&text, super::now()).unwrap().postmortem.summary,
        "The checkout broke."
    );
}
