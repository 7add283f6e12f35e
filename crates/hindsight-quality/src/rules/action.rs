//! `action/*`: action items that are not Actionable, Specific and Bounded.
//!
//! An item is vague when its verb promises effort rather than a result
//! ("improve", "look into", "consider") and nothing pins it down: no number
//! or threshold, no mechanism ("by adding ..."), no deliverable ("... and
//! write a decision record"); or when a concrete verb has only a generic
//! object ("add more tests", "update the runbook"). Each unfinished item also
//! needs one named owner and a due date.

use std::sync::LazyLock;

use hindsight_core::{ActionItem, ActionStatus, ControlLevel};
use regex::Regex;

use super::{Ctx, phrase_pattern as re};
use crate::finding::{Family, Rule, Severity};
use crate::text::tokens::{Kind, tokenize};

pub const VAGUE: Rule = Rule {
    id: "action/vague",
    family: Family::Action,
    severity: Severity::Error,
    summary: "A vague action: effort without an object, a metric or a deliverable",
    example: "| A1 | Improve monitoring | detect | P2 | tom.becker | 2026-05-01 |",
};
pub const NO_OWNER: Rule = Rule {
    id: "action/no-owner",
    family: Family::Action,
    severity: Severity::Error,
    summary: "An unfinished action item has no owner",
    example: "| A1 | Add a 5% canary step | prevent | P1 |  | 2026-05-01 |",
};
pub const GROUP_OWNER: Rule = Rule {
    id: "action/group-owner",
    family: Family::Action,
    severity: Severity::Error,
    summary: "The owner is a group, several people or a placeholder, not one named person",
    example: "| A1 | Add a 5% canary step | prevent | P1 | platform team | 2026-05-01 |",
};
pub const NO_DUE_DATE: Rule = Rule {
    id: "action/no-due-date",
    family: Family::Action,
    severity: Severity::Error,
    summary: "An unfinished action item has no due date",
    example: "| A1 | Add a 5% canary step | prevent | P1 | tom.becker |  |",
};
pub const UNBOUNDED: Rule = Rule {
    id: "action/unbounded",
    family: Family::Action,
    severity: Severity::Warning,
    summary: "An action bounded by \"ASAP\", \"ongoing\" or \"going forward\" instead of a date",
    example: "| A1 | Monitor error rates going forward | ... | ASAP |",
};
pub const TRAINING_ONLY: Rule = Rule {
    id: "action/training-only",
    family: Family::Action,
    severity: Severity::Warning,
    summary: "A remedy that is only training or reminders, the weakest control",
    example: "| A1 | Remind engineers to check the dashboard before deploys | ... |",
};
pub const TOO_MANY: Rule = Rule {
    id: "action/too-many",
    family: Family::Action,
    severity: Severity::Warning,
    summary: "More action items than a team closes (default more than 10)",
    example: "(an action table with 14 open items)",
};
pub const NO_FACTOR: Rule = Rule {
    id: "action/no-factor",
    family: Family::Action,
    severity: Severity::Warning,
    summary: "An action item is not linked to any contributing factor (from review on)",
    example: "| A1 | Add a 5% canary step | ... | (no Factor) |",
};
pub const UNKNOWN_FACTOR: Rule = Rule {
    id: "action/unknown-factor",
    family: Family::Action,
    severity: Severity::Error,
    summary: "An action item names a contributing factor that does not exist",
    example: "| A1 | Add a 5% canary step | ... | F9 |",
};

/// Phrases that are vague whatever surrounds them.
static ALWAYS_VAGUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?:be|being|stay|staying) (?:more |extra |very )?(?:careful|vigilant|proactive|diligent|thorough|attentive|cautious|aware|mindful)|pay (?:more |closer |extra )?attention|(?:never|not|doesn't|does not|don't|won't|will not|cannot|can't) (?:ever )?happens? again|from happening again|happen again|(?:avoid|prevent|stop) (?:this|it|that|similar|such|recurrence|a recurrence|repeats|future) ?(?:\w+ ?){0,4}$|do better|try harder|remember to|don't forget|do not forget|follow (?:the |our )?(?:process|processes|procedure|procedures|runbook|runbooks|checklist)$|fix (?:the |this |that |these )?(?:bug|bugs|issue|issues|problem|problems|error|errors|outage|incident|root cause)$|fix (?:the|this|that|these|our) (?:[a-z-]+ ){1,2}(?:bug|bugs|issue|issues|problem|problems)$|fix (?:it|this|that)$|^(?:tidy up|tidy|clean up|sort out|fix up|tighten up|shore up|firm up|beef up|revamp|rethink|overhaul) (?:the |our |this |that )?(?:[a-z-]+ ){0,2}(?:situation|process|processes|alerting|alerts|monitoring|setup|set-up|config|configuration|things|stuff|story|mess|side|area|approach|practices|hygiene)$|^make (?:the |our )?(?:[a-z-]+ ){1,3}(?:safer|better|more reliable|more robust|more resilient|more stable|smoother|easier|clearer|less risky|less error-prone)$|\b(?:check|double-check|double check|verify|test|review) (?:things|stuff|everything|more carefully|more thoroughly)\b|(?:this|that|these|similar|such) (?:kind|kinds|type|types|class|sort|sorts) of (?:bug|bugs|issue|issues|problem|problems|incident|incidents|failure|failures|error|errors|outage|outages|thing|things|mistake|mistakes)|look into (?:it|this|that)$|^fix (?:the|a|this|that) (?:bug|issue|problem|error|glitch)s? (?:in|with|on|affecting) (?:the |our )?(?:[a-z0-9-]+ ){0,3}[a-z0-9-]+$|(?:better|improved|clearer|closer|more) (?:communication|coordination|collaboration|alignment)\b|^(?:tbd|todo|to do|n/a|na|none|-)$|as needed|where possible|if possible|when we have time|lessons learned|learn from (?:this|it)|(?:raise|increase|improve|build|promote|boost|spread) (?:[a-z-]+ )?awareness|keep an eye on|keep in mind|communicate better|more communication)\b",
    )
});

/// Leads that promise study, not change: vague without a deliverable.
static INHERENT_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:conduct|do|perform|hold|run|carry out|schedule|organi[sz]e|have) (?:a |an |another )?(?:\w+ )?(?:review|retro|retrospective|investigation|analysis|audit|discussion|assessment|evaluation|deep dive|deep-dive|brainstorm|brainstorming|sync|meeting|check-in)|look into|look at|investigate|consider|explore|evaluate|assess|think about|think through|discuss|research|revisit|study|figure out|try to|try|attempt to|work on|follow up on|follow up|follow-up on|follow-up|brainstorm|analy[sz]e|understand|find out|see if|see whether|check whether|check if|check on|reconsider|re-evaluate|reevaluate|re-assess|reassess|explore whether|determine whether|look for ways|find ways|identify ways|come up with)\b",
    )
});

/// Leads that promise better, not what: vague without a metric or mechanism.
static IMPROVE_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:improve|improving|enhance|better|more|increase|reduce|decrease|minimi[sz]e|maximi[sz]e|optimi[sz]e|strengthen|harden|tighten|ensure|make sure|guarantee|address|handle|tackle|streamline|refine|rework|revise|clean up|cleanup|standardi[sz]e|formali[sz]e|establish|define|prioriti[sz]e|educate|remind|communicate|coordinate|align|sync|continue|maintain|promote|encourage|emphasi[sz]e|reinforce|bolster|beef up|step up|level up|upgrade our|invest in|focus on|work towards|work toward|aim to|strive to|be more|review|audit|monitor|keep|stay)\b",
    )
});

/// A deliverable that makes a study concrete.
static DELIVERABLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:and|then|to|;|:) (?:add|write|publish|file|decide|propose|produce|deliver|document|present|implement|build|create|ship|roll out|open|raise|record|pick|choose|select|remove|replace|migrate|fix|set|enable|disable|attach|upload|link|export|capture|collect)\b|\b(?:that|which) (?:automatically )?(?:flags|alerts|pages|fails|blocks|rejects|opens|files|notifies|detects|lists|reports|posts|marks|disables|revokes|removes)\b|\b(?:decision record|design doc|rfc|adr|written recommendation|proposal|decide whether|decide on|decide between|choose between|go/no-go)\b",
    )
});

/// How a goal will be reached: "by adding ...", "in CI", "before every deploy".
static MECHANISM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bby (?:adding|creating|writing|building|implementing|introducing|enabling|disabling|removing|replacing|moving|migrating|requiring|enforcing|blocking|gating|automating|alerting|paging|setting|capping|limiting|splitting|sharding|caching|pinning|rotating|running|scheduling|switching|deploying|rolling out|holding|validating|rejecting|failing|checking|linting|probing)\b|\b(?:in ci|in the (?:ci|pipeline|deploy pipeline|build)|at (?:deploy|build|merge|startup) time|before (?:merge|merging|deploy|deploying|every|each|release|rollout|promotion)|on every|on each|for every|for each|with a (?:\S+ )?(?:alert|check|test|gate|lint|probe|limit|cap|timeout|canary|guard|hook|validator))\b",
    )
});

/// Numbers, thresholds and frequencies: a metric.
static METRIC: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^a-z0-9])\d|%|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twice|half|zero|single|daily|weekly|monthly|quarterly|hourly|nightly|yearly|annually|p50|p90|p95|p99|slo|slos|sla|error budget)\b",
    )
});

/// Identifiers that name the object precisely: code, ticket keys, paths.
static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"`[^`]+`|\b[A-Z][A-Z0-9]+-\d+\b|\b[a-z0-9]+(?:[-_./][a-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z]+\b|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b|'[^']{3,}'|\x22[^\x22]{3,}\x22",
    )
});

static UNBOUNDED_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:asap|a\.s\.a\.p|as soon as possible|ongoing|on-going|continuous|continuously|continual|continually|going forward|from now on|eventually|someday|some day|at some point|when possible|when time permits|as time permits|in the future|over time|indefinitely|until further notice|next sprint|soon)\b",
    )
});

static TRAINING_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:train|retrain|re-train|educate|teach|coach|remind|mentor|brief|instruct|tell|inform|warn|encourage|ask|urge|onboard)\b|^(?:hold|run|organi[sz]e|schedule|conduct|give|deliver|do|arrange|host|set up|provide|offer|create|require|mandate|add)(?: a| an| the| more| mandatory| additional| regular| extra)?(?: \S+)? (?:training|trainings|workshop|workshops|session|sessions|brown bag|lunch and learn|lunch-and-learn|talk|presentation|refresher|course|courses|class|classes|reminder|reminders|awareness)\b|^(?:share|circulate|send|post|announce|present|communicate)(?: \S+){0,3} (?:learnings|lessons|postmortem|this postmortem|the postmortem|reminder|an email|a note|a memo|the findings)\b|\btraining\b$|^(?:mandatory |more |additional |extra |regular |annual |yearly |quarterly |refresher |security |awareness |compliance |better |proper )+(?:[a-z-]+ ){0,2}(?:training|trainings|workshops?|sessions?|courses?|reminders?)\b|^(?:send|enrol|enroll|sign up|register|put)(?: \S+){0,4} (?:to|for|on|through|in|into) (?:a |an |the )?(?:\S+ ){0,2}(?:training|trainings|course|courses|workshop|workshops|session|sessions|class|classes|refresher|bootcamp)\b",
    )
});

static ENGINEERING_TOO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:and|then|plus|;) (?:add|automate|enforce|require|block|build|implement|alert|validate|gate|lint|prevent|fail|reject|remove|disable)\b",
    )
});

/// Practice on the real system ("via a recorded staging drill"): it tests the
/// system and the runbook as well as the people, more than training does.
static PRACTICE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:drill|drills|game day|game days|gameday|game-day|failover exercise|simulation|tabletop|dry run|dry-run|rehearsal)\b",
    )
});

/// Hyphenated English words that look like identifiers but name nothing.
const COMPOUNDS: &[&str] = &[
    "on-call",
    "follow-up",
    "end-to-end",
    "e-mail",
    "re-run",
    "opt-in",
    "opt-out",
    "real-time",
    "long-term",
    "short-term",
    "high-risk",
    "low-risk",
    "self-service",
    "third-party",
    "built-in",
    "add-on",
    "roll-out",
    "read-only",
    "so-called",
    "day-to-day",
    "up-to-date",
    "well-known",
    "cross-team",
    "post-incident",
    "pre-deploy",
    "post-deploy",
    "non-production",
    "e.g",
    "i.e",
    "co-ordinate",
    "re-evaluate",
    "in-depth",
    "hand-off",
    "sign-off",
    "check-in",
    "check-ins",
];

/// Words that leave the object of an action generic.
const GENERIC: &[&str] = &[
    "test",
    "tests",
    "testing",
    "coverage",
    "monitoring",
    "monitors",
    "alert",
    "alerts",
    "alerting",
    "metric",
    "metrics",
    "logging",
    "logs",
    "log",
    "documentation",
    "docs",
    "doc",
    "runbook",
    "runbooks",
    "process",
    "processes",
    "procedure",
    "procedures",
    "check",
    "checks",
    "validation",
    "validations",
    "safeguard",
    "safeguards",
    "guardrail",
    "guardrails",
    "automation",
    "observability",
    "dashboard",
    "dashboards",
    "visibility",
    "resilience",
    "redundancy",
    "capacity",
    "security",
    "error",
    "handling",
    "retries",
    "retry",
    "training",
    "communication",
    "communications",
    "review",
    "reviews",
    "oversight",
    "controls",
    "control",
    "quality",
    "stability",
    "reliability",
    "performance",
    "tooling",
    "tools",
    "things",
    "stuff",
    "it",
    "this",
    "that",
    "bug",
    "bugs",
    "issue",
    "issues",
    "problem",
    "problems",
    "config",
    "configuration",
    "configs",
    "code",
    "system",
    "systems",
    "infrastructure",
    "playbook",
    "playbooks",
    "policy",
    "policies",
    "guidelines",
    "standards",
    "practices",
    "best",
    "knowledge",
    "awareness",
    "improvements",
    "improvement",
    "enhancements",
    "changes",
    "updates",
    "fixes",
    "fix",
    "measures",
    "steps",
    "work",
    "efforts",
    "coordination",
    "alarms",
    "safety",
    "hygiene",
    "ownership",
    "accountability",
    "discipline",
    "rigor",
    "rigour",
    "care",
    "attention",
    "deployments",
    "deploys",
    "deployment",
    "releases",
    "release",
    "sre",
    "ops",
    "operations",
    "support",
    "response",
    "incident",
    "incidents",
    "outage",
    "outages",
    "everything",
    "all",
    "same",
    "approach",
    "strategy",
    "plan",
    "planning",
    "team",
    "teams",
    "engineers",
    "people",
];

/// Determiners and soft adjectives that add nothing to an object.
const SOFT: &[&str] = &[
    "a",
    "flaky",
    "failing",
    "broken",
    "slow",
    "noisy",
    "old",
    "stale",
    "unused",
    "legacy",
    "an",
    "the",
    "more",
    "better",
    "additional",
    "extra",
    "some",
    "proper",
    "new",
    "sufficient",
    "enough",
    "adequate",
    "appropriate",
    "relevant",
    "necessary",
    "our",
    "any",
    "further",
    "improved",
    "stronger",
    "robust",
    "basic",
    "automated",
    "integration",
    "unit",
    "e2e",
    "end-to-end",
    "regression",
    "smoke",
    "load",
    "manual",
    "good",
    "general",
    "overall",
    "existing",
    "current",
    "various",
    "several",
    "many",
    "much",
    "clear",
    "clearer",
    "comprehensive",
    "thorough",
    "of",
    "and",
    "on",
    "in",
    "for",
    "to",
    "with",
    "internal",
    "team",
    "our",
    "their",
    "its",
    "related",
    "around",
    "about",
    "other",
    "possible",
    "potential",
    "proactive",
    "preventive",
    "preventative",
    "corrective",
    "key",
    "critical",
    "important",
    "production",
    "prod",
    "system",
    "service",
    "services",
    "post",
    "incident",
    "pre",
    "deploy",
    "deployment",
    "release",
];

/// Leading words that are not the action itself ("we should", "need to").
const FILLERS: &[&str] = &[
    "we", "should", "must", "need", "needs", "to", "will", "shall", "please", "let's", "lets",
    "let", "us", "going", "have", "has", "i", "the", "team", "action:", "todo:", "ai:",
];

/// What is wrong with an action's title, if it is vague.
pub fn vagueness(title: &str, team_phrases: &[String]) -> Option<String> {
    let words = lower_words(title);
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .skip_while(|w| FILLERS.contains(w))
        .collect();
    let text = words.join(" ");
    if text.is_empty() {
        return Some("the action has no words".to_string());
    }
    if let Some(phrase) = team_phrases
        .iter()
        .find(|p| contains_phrase(&text, &p.to_lowercase()))
    {
        return Some(format!(
            "`{phrase}` is listed as vague in the team's configuration"
        ));
    }
    if let Some(m) = ALWAYS_VAGUE.find(&text) {
        return Some(format!(
            "`{}` is a wish, not an action anyone can finish",
            m.as_str().trim()
        ));
    }
    let metric = METRIC.is_match(&text);
    let identifier = IDENTIFIER
        .find_iter(title)
        .any(|m| !COMPOUNDS.contains(&m.as_str().to_lowercase().as_str()));
    if let Some(m) = INHERENT_LEAD.find(&text) {
        // "consider to add ...": the deliverable is only considered.
        let considered = matches!(m.as_str(), "consider" | "try" | "attempt to")
            && text[m.end()..].starts_with(" to ");
        if considered || !DELIVERABLE.is_match(&text[m.end()..]) {
            return Some(format!(
                "`{}` is study, not a change: it can never be finished or verified",
                m.as_str()
            ));
        }
        return None;
    }
    if let Some(m) = IMPROVE_LEAD.find(&text) {
        let rest = &text[m.end()..];
        let pinned = metric
            || MECHANISM.is_match(rest)
            || identifier && !generic_object(rest)
            || concrete_clause(rest);
        if !pinned {
            return Some(format!(
                "`{}` has no measure of done: say what changes and by how much",
                text.trim()
            ));
        }
        return None;
    }
    // A concrete verb with a generic object: "add more tests", "update the runbook".
    let object = words.get(1..).unwrap_or_default().join(" ");
    if !metric && !identifier && (generic_object(&object) || generic_with_place(&object)) {
        return Some(if object.is_empty() {
            format!("`{text}` has no object: say what exactly")
        } else {
            format!(
                "`{}` is too general: say which {} and for what",
                text.trim(),
                object.trim()
            )
        });
    }
    None
}

/// Only soft words and generic nouns (or nothing at all).
fn generic_object(object: &str) -> bool {
    object
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| GENERIC.contains(&w) || SOFT.contains(&w))
}

/// "more alerts for the data pipeline": a generic object that says where
/// it goes but still not which.
fn generic_with_place(object: &str) -> bool {
    let words: Vec<&str> = object.split(' ').filter(|w| !w.is_empty()).collect();
    let Some(place) = words
        .iter()
        .position(|w| matches!(*w, "for" | "on" | "in" | "to" | "around" | "across"))
    else {
        return false;
    };
    matches!(
        words.first(),
        Some(&("more" | "additional" | "extra" | "better" | "some"))
    ) && generic_object(&words[..place].join(" "))
        && words.len() - place <= 5
}

/// "ensure every config is validated in CI": a clause with a concrete verb.
fn concrete_clause(rest: &str) -> bool {
    static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\b(?:is|are|get|gets|be) (?:\w+ )?(?:rejected|blocked|validated|paged|alerted|gated|pinned|rotated|encrypted|backed up|restored|replicated|rate-limited|capped|required|enforced|linted|signed|reviewed by|approved by|rolled back automatically)\b",
        )
    });
    CLAUSE.is_match(rest)
}

fn contains_phrase(text: &str, phrase: &str) -> bool {
    let phrase = phrase.trim();
    !phrase.is_empty()
        && text.match_indices(phrase).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + phrase.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
}

/// The words of a title in lower case (code spans become `x-code`).
fn lower_words(title: &str) -> Vec<String> {
    tokenize(title)
        .into_iter()
        .filter(|t| {
            t.kind != Kind::Punct || matches!(t.lower.as_str(), ";" | ":" | "%" | "<" | ">")
        })
        .map(|t| match t.kind {
            Kind::Code => "x-code".to_string(),
            _ => t.lower,
        })
        .collect()
}

/// Whether the remedy is only telling people to do better.
pub fn training_only(action: &ActionItem) -> bool {
    let words = lower_words(&action.title);
    let text: String = words
        .iter()
        .map(String::as_str)
        .skip_while(|w| FILLERS.contains(w))
        .collect::<Vec<_>>()
        .join(" ");
    let by_words = TRAINING_LEAD.is_match(&text)
        && !ENGINEERING_TOO.is_match(&text)
        && !PRACTICE.is_match(&text);
    by_words || action.control == Some(ControlLevel::Training)
}

/// Whether an owner names one person (with no team-specific group names).
pub fn single_owner(owner: &str) -> bool {
    !owner.trim().is_empty() && group_owner(owner, &[]).is_none()
}

/// Whether an owner is one person: not a team, a role, a placeholder or a list.
pub fn group_owner(owner: &str, extra: &[String]) -> Option<&'static str> {
    let lower = owner.trim().trim_start_matches('@').to_lowercase();
    const GROUPS: &[&str] = &[
        "team",
        "the team",
        "we",
        "us",
        "our team",
        "everyone",
        "everybody",
        "all",
        "all engineers",
        "anyone",
        "someone",
        "somebody",
        "tbd",
        "tba",
        "tbc",
        "n/a",
        "na",
        "none",
        "unassigned",
        "unknown",
        "?",
        "-",
        "owner",
        "ops",
        "devops",
        "sre",
        "sres",
        "eng",
        "engineering",
        "dev",
        "devs",
        "developers",
        "engineers",
        "infra",
        "infrastructure",
        "platform",
        "qa",
        "support",
        "management",
        "leadership",
        "product",
        "security",
        "it",
        "on-call",
        "oncall",
        "the on-call",
        "whoever",
        "various",
        "multiple",
        "several",
        "both",
        "all teams",
        "the org",
        "staff",
        "tech lead",
        "manager",
        "lead",
        "dba",
        "dbas",
        "backend",
        "frontend",
        "networking",
    ];
    const SUFFIXES: &[&str] = &[
        " team",
        "-team",
        "_team",
        " teams",
        " squad",
        " group",
        " guild",
        " org",
        " department",
        " dept",
        " crew",
        " folks",
        " engineers",
        " devs",
        " on-call",
        " oncall",
        " rotation",
        "-squad",
        "-group",
        "-oncall",
        "-on-call",
        " sre",
        "-sre",
    ];
    if GROUPS.contains(&lower.as_str()) || extra.iter().any(|e| e.eq_ignore_ascii_case(&lower)) {
        return Some("a group or a placeholder");
    }
    if SUFFIXES.iter().any(|s| lower.ends_with(s))
        || lower.starts_with("team ")
        || lower.starts_with("team-")
    {
        return Some("a team");
    }
    if lower.contains([',', '&', '/', '+', ';'])
        || lower.contains(" and ")
        || lower.contains(" or ")
    {
        return Some("several people");
    }
    None
}

pub fn check(ctx: &mut Ctx) {
    let pm = ctx.pm;
    let config = ctx.config;
    // Linking items to factors is part of the analysis: checked from review on.
    let has_factors = !pm.analysis.factors.is_empty() && pm.status != hindsight_core::Status::Draft;
    for (i, a) in pm.actions.iter().enumerate() {
        let title_path = format!("actions[{i}].title");
        let whole = Some(0..a.title.len());
        let unfinished = matches!(a.status, ActionStatus::Open | ActionStatus::InProgress);
        if let Some(why) = vagueness(&a.title, &config.terms.vague) {
            ctx.report(
                &VAGUE,
                &title_path,
                &a.title,
                whole.clone(),
                format!("vague action: {why}"),
                Some("write the change and its measure: e.g. `Alert when checkout 5xx exceeds 2% for 5 minutes` instead of `Improve monitoring`".to_string()),
            );
        }
        if let Some(m) = UNBOUNDED_RE.find(&a.title) {
            ctx.report(
                &UNBOUNDED,
                &title_path,
                &a.title,
                Some(m.range()),
                format!("`{}` bounds nothing: an action needs a date it is due and a point where it is done", m.as_str()),
                Some("give a due date (YYYY-MM-DD) and a finish line; recurring work belongs in an alert or a scheduled job".to_string()),
            );
        }
        // Training is weak on its own; next to a stronger control for the same factor it is fine.
        let backed = a.factor.is_some()
            && pm.actions.iter().any(|b| {
                b.id != a.id
                    && b.factor == a.factor
                    && b.status != ActionStatus::WontDo
                    && !training_only(b)
            });
        if training_only(a) && !backed {
            ctx.report(
                &TRAINING_ONLY,
                &title_path,
                &a.title,
                whole.clone(),
                "the remedy is only training or a reminder, the weakest control: people under pressure forget".to_string(),
                Some("pair it with a control that works without memory: a check, a guard, automation or a safer default".to_string()),
            );
        }
        if unfinished {
            let owner_path = format!("actions[{i}].owner");
            match a.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
                None => ctx.report_field(
                    &NO_OWNER,
                    &owner_path,
                    format!("action item {} has no owner", a.id),
                    Some("name one person who will see it through (not a team)".to_string()),
                ),
                Some(owner) => {
                    if let Some(kind) = group_owner(owner, &config.terms.group_owners) {
                        ctx.report(
                            &GROUP_OWNER,
                            &owner_path,
                            owner,
                            Some(0..owner.len()),
                            format!("owner `{owner}` is {kind}, not one named person"),
                            Some(
                                "pick one person from the group as the owner; others can help"
                                    .to_string(),
                            ),
                        );
                    }
                }
            }
            if a.due.is_none() {
                ctx.report_field(
                    &NO_DUE_DATE,
                    &format!("actions[{i}].due"),
                    format!("action item {} has no due date", a.id),
                    Some("add a due date (YYYY-MM-DD) the owner agrees to".to_string()),
                );
            }
        }
        if a.status != ActionStatus::WontDo {
            match &a.factor {
                Some(f) if pm.factor(f).is_none() => ctx.report(
                    &UNKNOWN_FACTOR,
                    &format!("actions[{i}].factor"),
                    f,
                    Some(0..f.len()),
                    format!("action item {} addresses factor `{f}`, which is not among the contributing factors", a.id),
                    Some(format!(
                        "use one of: {}",
                        pm.analysis.factors.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                ),
                None if has_factors => ctx.report_field(
                    &NO_FACTOR,
                    &format!("actions[{i}].factor"),
                    format!("action item {} is not linked to a contributing factor", a.id),
                    Some("add the id of the factor it addresses in the Factor column (e.g. F1)".to_string()),
                ),
                _ => {}
            }
        }
    }
    let live = pm
        .actions
        .iter()
        .filter(|a| a.status != ActionStatus::WontDo)
        .count();
    let max = config.thresholds.max_action_items;
    if live > max {
        ctx.report_field(
            &TOO_MANY,
            "actions",
            format!("{live} action items; more than {max} rarely all close"),
            Some("keep the items that address contributing factors best; move the rest to the backlog".to_string()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_actions_are_found() {
        for title in [
            "Improve testing",
            "Better communication",
            "Look into the latency spikes",
            "Investigate why the alert did not fire",
            "Consider adding a circuit breaker",
            "Be more careful when deploying",
            "Ensure this never happens again",
            "Fix the bug",
            "Add more tests",
            "Update the runbook",
            "Improve Kafka monitoring",
            "Monitoring improvements",
        ] {
            assert!(vagueness(title, &[]).is_some(), "{title}");
        }
    }

    #[test]
    fn specific_actions_pass() {
        for title in [
            "Add a 5% canary step held for 30 minutes",
            "Alert when checkout 5xx rate exceeds 2% for 5 minutes",
            "Reduce p99 checkout latency below 300 ms",
            "Add a contract test for the amount field of `PaymentRequest`",
            "Update the failover runbook with the manual promotion steps",
            "Reject configs without a rate limit in CI",
            "Ensure the restore job runs weekly",
            "Investigate the two storage options and write a decision record",
            "Move the edge certificate to cert-manager with automatic renewal",
            "Rotate the leaked AWS key",
        ] {
            assert_eq!(vagueness(title, &[]), None, "{title}");
        }
    }

    #[test]
    fn owners_must_be_one_person() {
        for group in [
            "team",
            "We",
            "TBD",
            "platform team",
            "alice, bob",
            "sre",
            "alice and bob",
        ] {
            assert!(group_owner(group, &[]).is_some(), "{group}");
        }
        for person in ["alice", "priya.raman", "@tom", "Tom Becker"] {
            assert_eq!(group_owner(person, &[]), None, "{person}");
        }
    }
}
