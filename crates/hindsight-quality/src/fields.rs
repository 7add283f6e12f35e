//! Every piece of text in a postmortem, with its field path and what kind of
//! text it is: what the text rules read, whether the postmortem came from a
//! Markdown file or from the API.

use hindsight_core::Postmortem;
use serde_json::Value;

/// What a piece of text is, which decides the rules that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    /// Free prose: summary, impact, detection, response, extra sections.
    Narrative,
    /// One timeline event.
    Timeline,
    RootCause,
    Trigger,
    Why,
    Factor,
    Lesson,
    Gate,
    ActionTitle,
    /// An action's description, outcome or won't-do reason.
    ActionText,
    ReviewComment,
    /// Names, references, URLs, front-matter values: only secrets are looked for.
    Meta,
}

impl Role {
    /// Prose that people write: the language rules read it.
    pub fn is_prose(self) -> bool {
        self != Role::Meta
    }
}

/// One piece of text of a postmortem.
#[derive(Debug, Clone, PartialEq)]
pub struct TextField<'a> {
    pub path: String,
    pub text: &'a str,
    pub role: Role,
}

/// Every non-empty text of `pm`, in document order.
pub fn text_fields(pm: &Postmortem) -> Vec<TextField<'_>> {
    let mut out = Fields(Vec::new());
    out.push("title", &pm.title, Role::Title);
    if let Some(owner) = &pm.owner {
        out.push("owner", owner, Role::Meta);
    }
    for (i, a) in pm.authors.iter().enumerate() {
        out.push(format!("authors[{i}]"), a, Role::Meta);
    }
    for (i, r) in pm.reviewers.iter().enumerate() {
        out.push(format!("reviewers[{i}]"), r, Role::Meta);
    }
    for (i, s) in pm.services.iter().enumerate() {
        out.push(format!("services[{i}]"), s, Role::Meta);
    }
    for (i, t) in pm.tags.iter().enumerate() {
        out.push(format!("tags[{i}]"), t, Role::Meta);
    }
    out.push("summary", &pm.summary, Role::Narrative);
    if let Some(c) = &pm.impact.currency {
        out.push("impact.currency", c, Role::Meta);
    }
    out.push("impact.text", &pm.impact.text, Role::Narrative);
    for (i, e) in pm.timeline.iter().enumerate() {
        out.push(format!("timeline[{i}].text"), &e.text, Role::Timeline);
        out.push(format!("timeline[{i}].source"), &e.source, Role::Meta);
        if let Some(r) = &e.source_ref {
            out.push(format!("timeline[{i}].source_ref"), r, Role::Meta);
        }
    }
    let a = &pm.analysis;
    out.push("analysis.root_cause", &a.root_cause, Role::RootCause);
    out.push("analysis.trigger", &a.trigger, Role::Trigger);
    for (i, w) in a.five_whys.iter().enumerate() {
        out.push(
            format!("analysis.five_whys[{i}].question"),
            &w.question,
            Role::Why,
        );
        out.push(
            format!("analysis.five_whys[{i}].answer"),
            &w.answer,
            Role::Why,
        );
    }
    for (i, f) in a.factors.iter().enumerate() {
        out.push(format!("analysis.factors[{i}].text"), &f.text, Role::Factor);
    }
    out.push("analysis.detection", &a.detection, Role::Narrative);
    out.push("analysis.response", &a.response, Role::Narrative);
    for (list, items) in [
        ("went_well", &a.lessons.went_well),
        ("went_wrong", &a.lessons.went_wrong),
        ("got_lucky", &a.lessons.got_lucky),
    ] {
        for (i, l) in items.iter().enumerate() {
            out.push(format!("analysis.lessons.{list}[{i}]"), l, Role::Lesson);
        }
    }
    if let Some(r) = &pm.release {
        for (name, value) in [
            ("deploy_id", &r.deploy_id),
            ("artifact", &r.artifact),
            ("version", &r.version),
            ("environment", &r.environment),
        ] {
            if let Some(v) = value {
                out.push(format!("release.{name}"), v, Role::Meta);
            }
        }
        for (i, g) in r.gates.iter().enumerate() {
            out.push(
                format!("release.gates[{i}].why_missed"),
                &g.why_missed,
                Role::Gate,
            );
        }
    }
    for (i, act) in pm.actions.iter().enumerate() {
        out.push(format!("actions[{i}].title"), &act.title, Role::ActionTitle);
        out.push(
            format!("actions[{i}].description"),
            &act.description,
            Role::ActionText,
        );
        out.push(
            format!("actions[{i}].outcome"),
            &act.outcome,
            Role::ActionText,
        );
        if let Some(r) = &act.wont_do_reason {
            out.push(format!("actions[{i}].wont_do_reason"), r, Role::ActionText);
        }
        if let Some(o) = &act.owner {
            out.push(format!("actions[{i}].owner"), o, Role::Meta);
        }
        if let Some(t) = &act.ticket {
            out.push(format!("actions[{i}].ticket.key"), &t.key, Role::Meta);
            if let Some(u) = &t.url {
                out.push(format!("actions[{i}].ticket.url"), u, Role::Meta);
            }
        }
    }
    for (i, r) in pm.reviews.iter().enumerate() {
        out.push(
            format!("reviews[{i}].comment"),
            &r.comment,
            Role::ReviewComment,
        );
    }
    for (i, s) in pm.extra_sections.iter().enumerate() {
        out.push(
            format!("extra_sections[{i}].heading"),
            &s.heading,
            Role::Title,
        );
        out.push(
            format!("extra_sections[{i}].body"),
            &s.body,
            Role::Narrative,
        );
    }
    for (key, value) in &pm.extra_fields {
        json_strings(&format!("extra_fields.{key}"), value, &mut out);
    }
    out.0
}

struct Fields<'a>(Vec<TextField<'a>>);

impl<'a> Fields<'a> {
    fn push(&mut self, path: impl Into<String>, text: &'a str, role: Role) {
        if !text.trim().is_empty() {
            self.0.push(TextField {
                path: path.into(),
                text,
                role,
            });
        }
    }
}

/// The strings inside a front-matter value the format does not know.
fn json_strings<'a>(path: &str, value: &'a Value, out: &mut Fields<'a>) {
    match value {
        Value::String(s) => out.push(path, s, Role::Meta),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                json_strings(&format!("{path}[{i}]"), v, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                json_strings(&format!("{path}.{k}"), v, out);
            }
        }
        _ => {}
    }
}
