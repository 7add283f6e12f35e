//! `blame/*`: language that makes people the cause.
//!
//! The rules tell facts about what someone did ("Alice rolled back at
//! 12:00", "Bob paged the DBA") from blame: a person as the cause ("Bob
//! pushed a broken config", "caused by the on-call engineer", "Carol's
//! mistake"), "human error", omissions ("forgot to", "failed to check"),
//! counterfactuals ("should have known"), judgements of character
//! ("careless"), animated language ("unacceptable") and hindsight bias
//! ("obviously"). A fact names a person and a neutral act; blame needs a
//! cue: a fault word, a causal link from the person to the failure, or a
//! judgement. The phrase patterns run on [`Norm`] sentences: lower-case
//! words and punctuation separated by single spaces, `'s` split off.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::{Ctx, capitalise, phrase_pattern as re};
use crate::fields::Role;
use crate::finding::{Family, Rule, Severity};
use crate::text::people::{self, Mention, Who};
use crate::text::{Analysed, Norm};

pub const PERSON_AS_CAUSE: Rule = Rule {
    id: "blame/person-as-cause",
    family: Family::Blame,
    severity: Severity::Error,
    summary: "A person or team is made the cause of the failure",
    example: "Bob pushed a broken config and took down checkout.",
};
pub const HUMAN_ERROR: Rule = Rule {
    id: "blame/human-error",
    family: Family::Blame,
    severity: Severity::Error,
    summary: "\"Human error\" (or operator error) given as an explanation",
    example: "The outage was caused by human error.",
};
pub const OMISSION: Rule = Rule {
    id: "blame/omission",
    family: Family::Blame,
    severity: Severity::Error,
    summary: "A person is said to have failed to, forgotten to or not bothered to do something",
    example: "The on-call engineer forgot to check the dashboard.",
};
pub const COUNTERFACTUAL: Rule = Rule {
    id: "blame/counterfactual",
    family: Family::Blame,
    severity: Severity::Warning,
    summary: "What someone should have done instead of what happened",
    example: "She should have known the flag was still on.",
};
pub const JUDGEMENT: Rule = Rule {
    id: "blame/judgement",
    family: Family::Blame,
    severity: Severity::Error,
    summary: "A judgement of a person's character or care",
    example: "A careless change to the firewall rules.",
};
pub const ANIMATED: Rule = Rule {
    id: "blame/animated-language",
    family: Family::Blame,
    severity: Severity::Warning,
    summary: "Animated, emotional language instead of facts",
    example: "This failure was unacceptable.",
};
pub const HINDSIGHT: Rule = Rule {
    id: "blame/hindsight-bias",
    family: Family::Blame,
    severity: Severity::Warning,
    summary: "Hindsight bias: what is obvious only after the fact",
    example: "The config was obviously wrong.",
};
pub const PERSON_IN_ROOT_CAUSE: Rule = Rule {
    id: "blame/person-in-root-cause",
    family: Family::Blame,
    severity: Severity::Error,
    summary: "A person is named in the root cause",
    example: "Root cause: Dave ran the migration on the primary.",
};
pub const TEAM_PHRASE: Rule = Rule {
    id: "blame/team-phrase",
    family: Family::Blame,
    severity: Severity::Error,
    summary: "A phrase the team's configuration lists as blameful",
    example: "(with `terms.blame = [\"dropped the ball\"]`) Ops dropped the ball.",
};

/// Adverbs and fillers that may stand between a subject and its verb.
const ADV: &str = r"(?:also|just|simply|then|again|once|apparently|clearly|obviously|evidently|actually|unfortunately|later|subsequently|initially|first|still|manually|quickly|immediately|probably|likely|somehow|never|already|even|directly|personally|himself|herself|themselves|reportedly)";

/// Things a careful person checks: not doing them reads as an omission
/// ("never checks", "did not test").
const DILIGENCE: &str = r"(?:respects|respected|respect|obeys|obeyed|obey|honou?red|honou?r|adhered to|adhere to|complied with|comply with|stuck to|stick to|checks|tests|verifies|validates|follows|reads|reviews|notices|escalates|tells|informs|notifies|asks|waits|looks|runs|updates|renews|confirms|watches|monitors|responds|acknowledges|answers|heeds|bothers|cares|thinks|considers|understands|catches|spots|backs up|coordinates|warns|mentions|documents|check|checked|test|tested|verify|verified|validate|follow|followed|read|review|reviewed|notice|noticed|escalate|escalated|tell|told|inform|notify|communicate|ask|wait|look|run|update|renew|renewed|double-check|consult|confirm|pay|watch|monitor|respond|acknowledge|answer|heed|bother|care|think|consider|realize|realise|understand|catch|spot|lock|back up|backup|coordinate|warn|mention|document|label)";

/// The same acts in progress: "was not answering his phone".
const DILIGENCE_ING: &str = r"(?:checking|testing|verifying|following|reading|reviewing|watching|monitoring|looking|listening|answering|responding|paying attention|acknowledging|escalating|communicating|waiting)";

/// Past participles of careful acts: "should have checked".
const DILIGENCE_PP: &str = r"(?:known|noticed|realized|realised|seen|caught|checked|tested|verified|validated|reviewed|asked|escalated|careful|paid attention|double-checked|followed|read|looked|waited|told|informed|communicated|consulted|confirmed|anticipated|foreseen|predicted|spotted|acted|responded|aware|known better|thought|considered|questioned|flagged|reported|raised|warned|paged|rolled back|stopped|double checked|picked up|been more careful)";

/// A verb after a subject, possibly after `, who` and adverbs.
fn after_subject(verbs: &str) -> Regex {
    re(&format!(
        r"^(?: (?:on call|on duty|on-call|at the time|in charge|on shift|responsible|involved))?(?: (?:was|is|were) (?:on call|on duty|on-call|on shift|in charge))?(?: \( [^()]+ \))?(?: (?:working|responsible|assigned|tasked|hired|brought in) (?:on|for|to|with) (?:[a-z0-9-]+ ){{0,3}}?[a-z0-9-]+| with (?:[a-z0-9-]+ ){{0,2}}(?:access|privileges|rights|permissions|credentials))?(?: , (?:who|whom) [^,;.]+? ,| , (?:as usual|as always|again|once again|of course|unfortunately|predictably|yet again|apparently|it seems) ,| ,)?(?: who(?: (?:was|were|is|had been) [a-z-]+ing(?: [a-z0-9'-]+){{0,6}}?)?)?(?: (?:was|were|is|got|could not be|couldn't be|cannot be|can't be) [a-z-]+(?: [a-z0-9-]+){{0,3}} and)?(?: {ADV})*(?: (?:had|has|have))?(?: {ADV})* (?:{verbs})\b"
    ))
}

static HUMAN_ERROR_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?:human|operator|operators|pilot|engineer|engineering|people|personnel|staff|manual|employee) (?:error|errors|mistake|mistakes|slip|slips|failure|failures)|user error(?: (?:rates?|ratios?|counts?|codes?|messages?|pages?|budgets?|handling|responses?|metrics?|spikes?|logs?))?|pebkac|pebcak|id10t|layer 8 (?:issue|problem|error))\b",
    )
});
static NEGATED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:reduce|reduces|reducing|prevent|prevents|preventing|avoid|avoids|avoiding|eliminate|eliminates|eliminating|minimi[sz]e|minimi[sz]es|minimi[sz]ing|guard against|guards against|protect against|prone to|risk of|risks of|chance of|chances of|likelihood of|possibility of|room for|tolerant of|tolerate|resilient to|impact of|cost of|opportunities for|opportunity for|rather than|instead of|not|never|no|isn't|wasn't|beyond|blaming|label|labelling|labeling|call it|calling it|calling this)\b[^.]*$",
    )
});
static NEGATED_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^ (?:is|was) (?:never|not|rarely)\b|^ isn't\b|^ wasn't\b"));

static JUDGEMENT_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:careless|carelessly|carelessness|negligent|negligently|negligence|sloppy|sloppily|sloppiness|laziness|incompetent|incompetence|incompetently|reckless|recklessly|recklessness|irresponsible|irresponsibly|stupid|stupidity|idiot|idiots|idiotic|clueless|inattentive|inattention|thoughtless|thoughtlessly|boneheaded|bone-headed|cowboy|amateurish|unprofessional|fat-fingered|fat fingered|fat-finger|fat finger|fat-fingering|fatfingered|butterfingers|inexperienced|asleep at the wheel|(?:not|wasn't|weren't|wasn't|was not|were not) paying attention|(?:didn't|did not) pay attention|(?:rookie|amateur|schoolboy|beginner's|beginner|newbie|noob|silly|basic) (?:mistake|mistakes|error|errors|move|blunder)|dropped the ball|drop the ball|dropping the ball|asleep at the (?:wheel|switch)|(?:poor|bad) judg(?:e)?ment|lapse (?:in|of) judg(?:e)?ment|lack of (?:care|diligence|attention|discipline|ownership|professionalism)|should (?:have )?know(?:n)? better|knew better|(?:should|must|needs? to|has to|have to|had to) (?:be|have been) more careful|(?:wasn't|was not|weren't|were not|not) (?:careful|diligent|thorough)(?: enough)?|lazy|lazily|dumb|complacency|complacent|clumsy|clumsily|clumsiness|against (?:all )?common sense|lack of common sense|no common sense)\b",
    )
});

static ANIMATED_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:unbelievable|unbelievably|inconceivable|mind-boggling|shocking|shockingly|disgusting|infuriating|maddening|idiocy|unacceptable|unacceptably|inexcusable|unforgivable|unconscionable|ridiculous|ridiculously|embarrassing|embarrassingly|embarrassment|shameful|shamefully|disgraceful|egregious|egregiously|outrageous|pathetic|absurd|appalling|atrocious|horrendous|horrible|horribly|terrible|terribly|awful|awfully|dreadful|abysmal|screw-up|screwup|screw up|screwed up|screwing up|messed up|mess-up|botched|blunder|blunders|blundered|fiasco|debacle|shambles|disastrous|epic fail|dumpster fire|train wreck|trainwreck|nightmare|inept|ineptitude|disaster|catastrophe)\b",
    )
});

/// A rhetorical question about someone's choice: "who thought it was a good idea to ...".
static RHETORICAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bwho(?: on earth| in their right mind| exactly)? (?:thought|decided|figured|assumed|believed|said) (?:it was|it would be|this was|that was|this would be|that would be) (?:a )?(?:good|great|smart|bright|clever|sensible|wise|fine|reasonable) idea\b|\bwhose (?:bright |brilliant |great |clever )?idea was (?:it|this|that)\b|\bwho (?:in their right mind|on earth) (?:would|could|deploys|ships|runs|merges|approves)\b",
    )
});

/// Who may be quoted saying something heated without it being the
/// writers' judgement: customers, users, the press.
static OUTSIDE_VOICE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:customer|customers|user|users|client|clients|merchant|merchants|caller|callers|subscriber|subscribers|tweet|tweets|tweeted|review|reviews|complaint|complaints|feedback|survey|reporter|journalist|press|article|headline|forum|reddit|ticket|tickets)\b",
    )
});

/// Whether offset `at` of a sentence lies inside a quotation that the
/// sentence gives to an outside voice (`One customer wrote: "unacceptable"`).
fn quoted_outside_voice(text: &str, at: usize) -> bool {
    let before = &text[..at];
    // Quotation marks are tokens of their own in the sentence's text.
    let quote = |w: &str| {
        matches!(
            w,
            "\"" | "'" | "\u{201c}" | "\u{201d}" | "\u{2018}" | "\u{2019}"
        )
    };
    let words: Vec<&str> = before.split(' ').collect();
    let quoted = words.iter().filter(|w| quote(w)).count() % 2 == 1
        && words.iter().position(|w| quote(w)).is_some_and(|q| {
            let upto: usize = words[..q].iter().map(|w| w.len() + 1).sum();
            OUTSIDE_VOICE.is_match(&before[..upto.min(before.len())])
        });
    // Reported speech in the same clause: "a customer called the outage embarrassing".
    let clause = before.rsplit(';').next().unwrap_or(before);
    quoted || REPORTED_SPEECH.is_match(clause)
}

/// An outside voice followed by what it said.
static REPORTED_SPEECH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:customer|customers|user|users|client|clients|merchant|merchants|caller|callers|subscriber|subscribers|reporter|journalist|press|article|headline|review|reviews|tweet|tweets|post|posts|ticket|tickets|message|messages|email|emails|letter|chat) (?:[^ ]+ ){0,4}(?:called|calls|described|describes|said|says|wrote|writes|complained|complains|tweeted|posted|labelled|labeled|termed|branded|quoted|reads|read|stated|states)\b",
    )
});

static HINDSIGHT_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:obviously|clearly (?:should|shouldn't|wrong|a mistake|missed|ignored|failed|didn't|did not|careless|negligent|unacceptable|avoidable|preventable|forgot)|(?:trivially|easily|entirely|completely|totally|wholly) (?:avoidable|preventable)|(?:could|would) (?:easily |simply )?have been (?:easily |simply )?(?:avoided|prevented)|any (?:competent|reasonable|experienced|decent|good|careful|half-decent|sensible) (?:engineer|developer|person|operator|sre|admin|reviewer|dba)|(?:a|an|any) (?:more |better )?(?:experienced|competent|careful|senior|attentive|diligent|seasoned|capable|qualified|trained) (?:[a-z-]+ )?(?:engineer|developer|person|operator|sre|admin|reviewer|dba|analyst|on-call|responder|technician) would (?:have|not have|never have|surely have)|anyone(?: with [a-z0-9 -]{1,40}?)? (?:could|would|should) have|no-brainer|no brainer|(?:should|would) have been (?:obvious|clear|caught|noticed|spotted|seen)|it (?:was|is|should be) (?:obvious|clear) that|(?:an|the|this|that|was|were|is|are|seems|seemed) obvious (?:mistake|mistakes|error|errors|oversight|problem|problems|issue|issues|step|check|thing|sign|signs|risk|bug|bugs|typo|flaw|gap|warning|warnings|failure|case|fix)|(?:was|were) obvious\b)\b",
    )
});
static OBVIOUS_NEGATED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:not|no|non|wasn't|isn't|weren't|hardly|less|never) (?:\w+ )?$"));

/// Acting against warnings or leaving a job undone: "ignoring the warnings,
/// Tim pushed the release anyway", "never turned it back on".
static AGAINST_WARNINGS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:ignoring|ignored|ignore|disregarding|disregarded|disregard|despite|in spite of|overriding|overrode|bypassing|bypassed) (?:the |all |several |repeated |multiple |clear |a |an )?(?:[a-z-]+ )?(?:warning|warnings|alert|alerts|advice|objection|objections|failing|failures|errors|red|concerns|review|tests|checks|build|builds|ci|pipeline|canary|alarms|freeze)\b|\b(?:even though|although|though|while|when) (?:the |all |several |its |their )?(?:[a-z-]+ ){0,3}(?:was|were|is|are|had been|kept) (?:still )?(?:red|failing|failed|broken|firing|alerting|unhealthy|flagging|blocking|warning)\b|\banyway\b|\binstead of (?:watching|checking|monitoring|reading|testing|waiting|following|looking|responding|escalating|verifying)\b|\bnever (?:re-?enabled|restored|reverted|undid|turned (?:it|them|this|that) back|put (?:it|them|this|that) back|switched (?:it|them) back|followed up|checked back|cleaned up)\b",
    )
});

/// "the decision to ignore the warnings": a choice against the signals, put
/// as the cause whoever made it.
static IGNORING_DECISION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:decision|choice|call) to (?:ignore|disregard|dismiss|override|bypass|skip) (?:the |all |several |repeated |its |their )?(?:[a-z-]+ )?(?:warning|warnings|alert|alerts|advice|concerns|objections|forecast|forecasts|review|tests|checks|canary|runbook)\b",
    )
});

/// A secret put where it should not be: "pasted the API key into a public gist".
static LEAKED: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"(?:pasted|posted|committed|pushed|shared|uploaded|emailed|sent|forwarded|published) (?:the |a |an |his |her |their |our |its )?(?:[a-z-]+ ){0,2}(?:key|keys|password|passwords|secret|secrets|token|tokens|credential|credentials)\b[^.;]{0,60}\b(?:public|publicly|plain ?text|unencrypted|wrong|personal|friend|outside)",
    )
});

/// A person's character judged by a habit: "has a habit of merging on red".
/// A habit named in passing: "merged on a Friday night, as he always does".
static HABIT_ASIDE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r", as (?:he|she|they|usual for (?:him|her|them)|(?:[a-z-]+ )?[a-z-]+s) (?:always|usually|often|typically|invariably|tend to|tends to|like to|likes to|seem to) (?:does|do|did|has|have)\b",
    )
});
static HABIT: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"(?:has|had|have) (?:a |this |that )?(?:bad |long |known |well-known )?(?:habit|history|track record|tendency|reputation) (?:of|for)|(?:is|was|are|were) (?:known|notorious|infamous) for|(?:always|constantly|routinely|habitually) (?:merges|pushes|skips|ignores|forgets|deploys|rushes|cuts)",
    )
});
/// Others pressed into a risky act: "pushed the team to ship".
static PRESSURE: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"(?:pushed|pressured|pressed|forced|hurried|leaned on) (?:the |our |his |her |their )?(?:team|teams|us|them|everyone|engineering|engineers|developers|people|on-call|sres?) (?:to|into) (?:ship|shipping|release|releasing|deploy|deploying|launch|launching|merge|merging|go live|going live|skip|skipping|cut|cutting|rush|rushing|bypass|bypassing|push|pushing)",
    )
});
/// "What was Oluwaseun thinking": a person's judgement questioned.
static WHAT_THINKING: LazyLock<Regex> = LazyLock::new(|| re(r"\bwhat (?:was|were|is|are)$"));
/// A system named as the subject right before a judging adverb: "the deploy
/// script carelessly overwrote" speaks of software, not of a person.
static SYSTEM_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:the|a|an|our|this|that|its) (?:[a-z0-9-]+ ){0,3}(?:script|scripts|job|jobs|tool|pipeline|service|system|process|cron|daemon|controller|operator|bot|automation|code|library|migration|deployer|installer|scheduler|worker|workers|proxy|client|function|handler|module|plugin|task|playbook)\s*$",
    )
});

/// "Nobody bothered to check": an omission put on everyone at once.
static NOBODY_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:nobody|no one|no-one|none of (?:us|them|the [a-z-]+))(?: (?:on|in|from|at) (?:the |our |that |this )?[a-z-]+(?: team)?)? (?:bothered|cared|thought to|took the time|felt responsible|followed up|double-checked|double checked|read|checked)\b|\b(?:that|which) (?:nobody|no one|no-one) had (?:tested|reviewed|checked|read|verified|validated|approved)\b",
    )
});

/// "should have checked" with no person in sight: hindsight about people all the same.
static SHOULD_HAVE_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:should have|should've|shouldn't have|should not have|ought to have) (?:been )?(?:more )?(?:{DILIGENCE_PP})\b|\bif only\b"
    ))
});

static OMISSION_ANY: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"(?:was|were) (?:fast |sound )?(?:asleep|sleeping|afk)\b|approved (?:his|her|their) own\b|(?:let|lets|allowed) (?:the |a |an |our |their |his |her |its )?(?:[a-z-]+ ){0,2}(?:expire|lapse|fill up|run out|go stale|slip|rot)\b|(?:chose|chooses|decided|decides|opted|opts|elected) not to (?:escalate|page|notify|tell|inform|call|wake|report|act|roll back|check|wait|review|rotate|revoke)\b|(?:sat|sits|sitting) on (?:the |a |an |it|this|that)|(?:chose|chooses|decided|decides|opted|opts|elected) (?:not )?to (?:ignore|skip|bypass|disregard|override|dismiss|circumvent)|slept through|sleeps through|dozed through|snoozed through|slept on (?:the |an? )?(?:alert|alerts|page|pages|pager)|muted (?:the |their |his |her )?(?:pager|pages|alerts|alarm|alarms|phone)|(?:silenced|snoozed) (?:the |their |his |her |an? |that |this )?(?:[a-z-]+ )?(?:pager|page|pages|alert|alerts|alarm|alarms)|went back to sleep|fell (?:back )?asleep|took (?:a |the )?shortcuts?|cut corners|went (?:rogue|off-script|off script)|(?:had|has|have|was|were) (?:been )?(?:told|warned|reminded|asked|instructed)(?: (?:several|many|multiple|two|three) times| repeatedly| before| already| explicitly| twice)* not to|(?:let|lets) (?:it|the (?:page|pager|phone|alert|alarm|call)) ring|forgot|forgotten|forgets|neglected|neglects|overlooked|overlooks|ignored|ignores|disregarded|dismissed|skipped|bypassed|circumvented|did not bother|didn't bother|never bothered|could not be bothered|couldn't be bothered|had not bothered|(?:[a-z-]+ed)(?: [^ ,;.]+){0,6} and (?:then )?(?:never bothered|did not bother|didn't bother|forgot|neglected)|hadn't bothered|has not bothered|hasn't bothered|can't be bothered|cannot be bothered|can not be bothered|won't be bothered|wasn't bothered|weren't bothered|failed to notice|failed to check|failed to follow|failed to read|failed to test",
    )
});
static OMISSION_DILIGENCE: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(&format!(
        r"(?:failed to|fails to|failing to|neglecting to|did not|didn't|never|had not|hadn't|has not|hasn't|neglected to|was unable to)(?: {ADV})* {DILIGENCE}|(?:was not|wasn't|were not|weren't)(?: {ADV})* {DILIGENCE_ING}"
    ))
});
static OMISSION_SOMEONE: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"(?:failed to|fails to) (?:[a-z'-]+)|missed (?:the |an? |their |his |her |several |multiple |two |three )?(?:\S+ ){0,2}(?:alert|alerts|page|pages|warning|warnings|alarm|alarms|step|steps|signal|signals|notification|notifications|message|messages|email|emails|error|errors|deadline|renewal|check|review|sign|signs|issue|problem|spike|dashboard|bug|bugs|typo|regression|regressions|flaw|mistake|case|edge case|expiry|update|change|vulnerability)",
    )
});
static WITHOUT_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(?: , (?:as usual|as always|again|once again|of course|unfortunately|predictably|yet again|apparently) ,)?(?: {ADV})* \S+(?: (?:[^,;:.]|\d:\d\d)*?)? without (?:any |a |proper |adequate |sufficient |enough |first )?(?:testing|tests?|review|reviewing|code review|peer review|approval|checking|checks|validation|validating|verifying|verification|asking|telling|notifying|consulting|rollback plan|a rollback plan|backups?|backing up|second pair of eyes|(?:a )?second (?:reviewer|approver|review|approval|opinion)|following|reading|looking|canary|canarying|staging|double-checking|double checking|thinking|waiting (?:for|on) (?:the |a |an |any )?(?:[a-z0-9-]+ ){{0,2}}(?:canary|tests?|ci|checks?|reviews?|approvals?|sign-off|signoff|metrics|results|build|pipeline|bake|soak|verification|validation|green))\b"
    ))
});
static COUNTERFACTUAL_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"should have|should've|should not have|shouldn't have|should never have|shouldn't ever have|ought to have|ought not to have|could have|could've|was supposed to|were supposed to|needed to have|must have forgotten",
    )
});
static COUNTERFACTUAL_DILIGENCE: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(&format!(
        r"(?:should have|should've|should not have|shouldn't have|ought to have|could have|could've) (?:been )?(?:more )?{DILIGENCE_PP}"
    ))
});
static CAUSE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(
        r"to blame\b|(?:ran|run|applied|executed|pointed|deployed|pushed|issued|started|launched|triggered)(?: [^ ,;.]+){0,5} (?:against|on|to|in|into) (?:the )?(?:prod|production|live|primary)(?: [a-z-]+)? instead of (?:the )?(?:staging|test|dev|development|sandbox|qa|replica|canary)\b|(?:deleted|dropped|wiped|truncated|removed|destroyed|purged|erased|killed|terminated|overwrote|restarted|rebooted|shut down|reimaged|formatted)(?: [^ ,;.]+){1,4} (?:thinking|believing|assuming|sure|convinced) (?:that )?(?:it|they|this|that|the [a-z-]+|nobody|no one) (?:was|were|is|are|used|needed|would|relied)\b|(?:managed|manages) to (?:take|bring|knock) (?:down|out|over)|(?:managed|manages) to (?:break|delete|wipe|crash|nuke|corrupt|lose|drop|leak|expose|destroy|kill|brick|lock out)|panicked|panics|lost (?:his|her|their) (?:head|cool|nerve)|rushed (?:the |a |an |their |his |her |its )?(?:[a-z-]+ )?(?:deploy|deployment|release|change|hotfix|rollout|migration|review|merge|upgrade|cutover)\b|rushed (?:the|a|an|their|his|her|its|our) (?:[a-z0-9-]+ ){1,3}(?:to|into|onto|out|through|past)\b|rushed (?:it|this|that|everything) (?:out|through)|(?:keep|keeps|kept) (?:making|breaking|forgetting|ignoring|missing|skipping)|caused|causes|broke|breaks|took down|takes down|brought down|knocked over|knocked out|crashed|wiped|nuked|corrupted|messed up|screwed up|botched|blundered|mistyped|misconfigured|misclassified|mislabeled|mislabelled|misrouted|misfiled|mistriaged|misread|misjudged|mishandled|misapplied|miscalculated|misunderstood|mis-typed|mis-configured|fat-fingered|fat fingered|accidentally|mistakenly|inadvertently|unintentionally|carelessly|clumsily|wrongly|incorrectly|erroneously|unknowingly|made (?:a|an|the|several|two|multiple) (?:\S+ )?(?:mistake|mistakes|error|errors|typo|typos|blunder|slip)|(?:is|was|were|are) (?:the )?(?:sole |main |only |whole |real |root |primary |direct )?(?:reason|cause|culprit) (?:the |that |why |for |of )|(?:is|was|were|are) (?:solely |partly |directly )?responsible for (?:the |this |these |those |an? |all )?(?:corrupted|broken|lost|failed|deleted|wrong|bad|missing|duplicated|leaked|exposed|expired|dropped|wiped)\b|(?:is|was|were|are) (?:solely |partly |ultimately |directly )?(?:to blame|at fault|the cause|responsible for (?:the |this |an? )?(?:\S+ )?(?:outage|incident|failure|error|errors|downtime|problem|issue|breakage|data loss|regression|bug))|introduced (?:a |an |the )?(?:\S+ ){0,2}(?:bug|bugs|regression|error|defect|issue|problem|outage|failure|vulnerability|race|deadlock|leak|typo)",
    )
});
/// Where a clause with another subject starts: ", which the CI deployed",
/// "; the tool".
static OTHER_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| re(r" (?:, (?:which|that|where|but|and then|so|after which)|;) "));

/// The part of `tail` that still belongs to the person's clause.
fn own_clause(tail: &str) -> &str {
    OTHER_CLAUSE.find(tail).map_or(tail, |m| &tail[..m.start()])
}

static BY_ACCIDENT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:by mistake|by accident|in error)\b"));
static CONSEQUENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\b(?:which|that|this|and|it) (?:then |ultimately |eventually |immediately |in turn |inadvertently |unintentionally |accidentally |directly |quickly )?(?:caused|led to|resulted in|triggered|broke|took down|brought down|knocked out|took out|crashed|corrupted|deleted|wiped)|, (?:causing|leading to|resulting in|triggering|breaking|taking down|bringing down|knocking out|crashing|corrupting|wiping))\b( \S+){0,4}",
    )
});
/// "failed to reproduce": trying and not succeeding at finding out is no omission.
static INVESTIGATING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bfail(?:ed|s) to (?:reproduce|reach|connect|find|locate|contact|access|log|login|sign|acquire|get|obtain|identify|pinpoint|determine|restore|recover|replicate|start|load|open|join|see|understand|explain|isolate|trace|confirm|wake|finish|complete)\b",
    )
});
/// "broke the dependency", "broke the loop": breaking as a repair.
static BROKE_APART: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bbroke (?:down )?(?:the |a |this |that )?(?:\S+ )?(?:dependency|dependencies|link|links|loop|cycle|deadlock|tie|ties|connection|circuit|glass|chain|problem|task|work|migration) ",
    )
});
/// Consequences that are failures in themselves.
static BAD_CONSEQUENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:broke|took down|brought down|knocked out|took out|crashed|corrupted|deleted|wiped|breaking|taking down|bringing down|knocking out|crashing|corrupting|wiping|outage|outages|incident|errors?|failures?|downtime|data loss|crash|crashes|degradation|5xx|500s|timeouts|latency|breakage|cascade|cascading|loss|corruption|unavailable|unavailability|disruption|regression|lockout|deadlock)\b",
    )
});
static GOOD_CONSEQUENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:recovery|resolution|restoration|restored|recover|mitigation|improvement|improvements|drop|dropped|decrease|fix|fixed|stabili[sz]ed|stabili[sz]ation|success|normal|healthy|green)\b",
    )
});

/// Fault words that need a person in the sentence to be blame.
static FAULT_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?:made|makes|took) (?:a |the |several |some |two |three )?(?:poor|bad|wrong|questionable|reckless|careless|hasty|rash) (?:decision|decisions|call|calls|choice|choices|judgement|judgment)|(?:is|was|were|are|be|being) (?:solely |partly |partially |ultimately |entirely |directly )?(?:to blame|at fault)|fault lies with|blame (?:lies|rests|falls) with|(?:his|her|their) (?:fault|mistake|error|negligence|carelessness|oversight|doing))\b",
    )
});

/// A fault in what was acted on that a passive "... by <person>" puts on
/// them, unless the act was a repair ("the bad config was reverted by Ana").
static FAULT_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:wrong|incorrect|broken|bad|buggy|faulty|untested|unreviewed|dangerous|destructive|risky|never passed|had not passed|hadn't passed|failing tests)\b|\b(?:prod|production|live|primary)(?: [a-z-]+)? instead of (?:the )?(?:staging|test|dev|development|sandbox|qa|replica)\b|\b(?:deletion|removal|deleting|dropping|wiping|truncation|truncating|destruction) of (?:the |all |every )?(?:[a-z0-9-]+ ){0,2}?(?:prod|production|live|primary|customer|customers)\b",
    )
});
/// A fault in how the act was done, which no repair in the sentence excuses:
/// "a hotfix was rushed out by the mobile team without running the suite".
static FAULTY_ACT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:rushed|botched|sloppy|careless|by mistake|accidentally|mistakenly|ignored|dismissed|disregarded|overlooked|skimmed|rather than read|left (?:untouched|unattended|unanswered)|inexplicably|did not think to|didn't think to|never thought to|without (?:a |any |proper |second |the )*(?:test|tests|testing|review|reviewer|approval|check|checks|checking|canary|backup|looking|running|reading))\b",
    )
});
static PASSIVE_BY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:\w+ed|ran|run|made|written|wrote|set|sent|put|done|built|pushed through|rushed through|forced through)(?: [a-z0-9_-]+){0,4} by$",
    )
});
static REPAIR_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:fix|fixes|hotfix|revert|rollback|correction|workaround|mitigation|remediation)\b")
});

/// "... because the pipeline offered no way to": the sentence explains the omission by the system.
static SYSTEMIC_REASON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bbecause (?:the|there|it|no|our|this|that)\b (?:[^ ]+ ){0,4}?(?:pipeline|tool|tooling|process|runbook|script|system|dashboard|alert|check|ui|interface|no way|not possible|did not|didn't|was not|wasn't|had no|lacked|no|(?:was|were) (?:down|unavailable|broken|unreachable|offline|flaky|failing|missing|full|stale))\b",
    )
});

/// Before a person named alone as the reason: "thanks to".
static THANKS_BEFORE: LazyLock<Regex> = LazyLock::new(|| re(r"\bthanks to$"));
static LOST_RE: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:lost|lose|losing)\b"));
/// A failure that did not happen or ended: "avoided an outage", "no data was
/// lost", "errors stopped".
static AVERTED_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:avoid|avoided|prevent|prevented|averted|spared|no|not|without|never|limited|contained|minimal|stopped|ended|ceased|cleared|subsided|disappeared|went away|fell|dropped)\b",
    )
});

/// Before a person: "caused by", "due to", "blamed on".
static CAUSE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:caused|triggered|introduced|broken|brought down|taken down|knocked over|corrupted|wiped|botched|started|(?:mistake|mistakes|error|errors|typo|typos|blunder|slip|slip-up|misstep|lapse|lapses|oversight|negligence|carelessness|inattention|inaction|misconfiguration)(?: was| were)?(?: made)?)(?: [a-z]+ly)? (?:by|of|on the part of)$|\b(?:outage|outages|incident|failure|breakage|problem|issue|errors?|downtime|data loss|regression|crash)(?: [^ ]+){0,2} (?:came|comes|stemmed|stems|arose|arises|resulted|results|originated) (?:from|with)$|\b(?:comes|came|boils|boiled) down to$|\b(?:outage|incident|failure|breakage|problem|issue|errors?|downtime|data loss|leak|breach|regression|crash)(?: [^ ]+){0,2} (?:happened|occurred|started|began) because$|\b(?:broke|failed|crashed|went down|fell over|stopped working|went wrong) because$|\b(?:due to|because of|owing to|fault of|result of|attributed to|attributable to|blamed on|blame (?:lies |rests |falls )?(?:with|on)|responsibility of|traced (?:back )?to|blame|blamed)$|\b(?:blame|fault|responsibility)\b[^.]{0,40}\b(?:lies|rests|falls|lay|rested|fell|is|was) (?:with|on)$|\b(?:outage|incident|failure|breakage|this|that|it|one) (?:is|was) (?:all |entirely |squarely )?on$|\b(?:poor|bad|wrong|questionable|hasty|rash|careless|sloppy|reckless|faulty|broken|buggy|incorrect|mistaken|negligent|risky|dangerous)(?: [^ ]+){0,2} (?:by|of|from)$",
    )
});
static COUNTERFACTUAL_BEFORE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|\b(?:if|unless|had))$"));
static COUNTERFACTUAL_IF_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    after_subject(&format!(
        r"had|hadn't|had not|would have|were|was|been|did|didn't|only|bothered|taken the time|done (?:his|her|their) (?:job|work|part|homework|due diligence)|(?:{DILIGENCE_PP})"
    ))
});
/// "The incident was triggered when Mateus restarted ...": a person's act as
/// the trigger (not "when Chen's deploy reached ...", where the deploy acts).
static TRIGGERED_WHEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:outage|outages|incident|failure|breakage|problem|issue|errors?|downtime|data loss|regression|crash)(?: [^ ]+){0,2} (?:was |were )?(?:triggered|caused) when$",
    )
});

static BLAMELESS_ASIDE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:rather than|instead of|not) (?:asking|ask|blaming|blame|focusing on|looking for)(?: why| who| whether| how)?$",
    )
});
static GOOD_AFTER_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?: 's)? (?:quick|fast|prompt|swift|timely|rapid|good|great|excellent|careful|rollback|response|fix|quick thinking|action|actions|efforts|work|help|intervention|diligence|investigation|escalation|report|vigilance|attention)\b",
    )
});
static POSSESSIVE_FAULT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^ 's(?: \S+)? (?:doing|poor|hasty|rash|questionable|misconfigured|unreviewed|mistake|mistakes|error|errors|fault|oversight|negligence|carelessness|slip|blunder|screw-up|screwup|typo|lapse|misconfiguration|bad|faulty|broken|buggy|sloppy|careless|wrong|incorrect|failure|incompetence|laziness|inattention|misjudgment|misjudgement|botched|untested|reckless)\b|^ 's (?:\S+ )?(?:mandate|insistence|refusal|order|orders|demand|push|pressure|decision|call|choice) (?:to (?:skip|bypass|ignore|override|postpone|cut|rush|waive|not)|not to)\b|^ 's(?: \S+){1,3} (?:caused|causes|broke|led to|resulted in|triggered|took down|brought down|introduced|corrupted|wiped|was the cause|is the cause)\b",
    )
});

/// Creating or putting something out: with a broken object, the person is the cause.
const CREATE: &[&str] = &[
    "pushed",
    "deployed",
    "shipped",
    "merged",
    "committed",
    "wrote",
    "written",
    "introduced",
    "applied",
    "ran",
    "executed",
    "made",
    "changed",
    "modified",
    "edited",
    "configured",
    "set",
    "typed",
    "entered",
    "approved",
    "released",
    "rolled",
    "updated",
    "upgraded",
    "added",
    "created",
    "submitted",
    "sent",
    "uploaded",
    "installed",
    "enabled",
    "published",
    "promoted",
    "used",
    "copied",
    "pasted",
    "triggered",
    "started",
    "launched",
    "issued",
    "hardcoded",
    "hard-coded",
    "specified",
    "provided",
    "passed",
    "migrated",
    "scheduled",
    "flipped",
    "toggled",
    "turned",
    "chose",
    "picked",
    "selected",
    "built",
    "generated",
    "loaded",
    "imported",
    "exported",
    "overwrote",
    "replaced",
];

/// Finding, diagnosing and repairing: facts about a person, whatever the
/// object. With [`ACTS_ON`], what responders do.
const RESPONSE: &[&str] = &[
    "identified",
    "found",
    "noticed",
    "spotted",
    "discovered",
    "detected",
    "diagnosed",
    "traced",
    "isolated",
    "investigated",
    "reported",
    "flagged",
    "escalated",
    "paged",
    "acknowledged",
    "acked",
    "declared",
    "mitigated",
    "resolved",
    "restored",
    "recovered",
    "reverted",
    "fixed",
    "corrected",
    "patched",
    "confirmed",
    "verified",
    "checked",
    "reviewed",
    "opened",
    "posted",
    "notified",
    "joined",
    "asked",
    "explained",
    "described",
    "documented",
    "saw",
    "observed",
    "looked",
    "suspected",
    "realized",
    "realised",
    "recognized",
    "recognised",
    "understood",
    "analysed",
    "analyzed",
    "debugged",
    "reproduced",
    "caught",
    "undid",
    "repaired",
    "replaced",
    "pinpointed",
    "located",
    "highlighted",
    "raised",
    "warned",
    "alerted",
    "called",
    "contacted",
    "messaged",
    "wrote",
];

/// Responses that act on something: facts too, but done to "the wrong" one,
/// a slip.
const ACTS_ON: &[&str] = &[
    "removed",
    "drained",
    "quarantined",
    "blocked",
    "disabled",
    "rebuilt",
    "cleaned",
    "redeployed",
    "reran",
    "rolled-back",
    "killed",
    "stopped",
    "paused",
    "halted",
    "froze",
    "deleted",
];

fn responds(verb: &str) -> bool {
    RESPONSE.contains(&verb) || ACTS_ON.contains(&verb)
}

/// Destroying things: blame when what was destroyed was live.
const DESTRUCTIVE: &[&str] = &[
    "overwrote",
    "overwritten",
    "wiped",
    "deleted",
    "dropped",
    "truncated",
    "purged",
    "erased",
    "destroyed",
    "nuked",
    "corrupted",
    "clobbered",
    "removed",
    "terminated",
    "killed",
    "shut",
];

/// What makes a destroyed thing matter.
const LIVE: &[&str] = &[
    "production",
    "prod",
    "live",
    "customer",
    "customers",
    "all",
    "every",
    "entire",
    "whole",
    "primary",
    "master",
    "main",
    "users",
    "orders",
    "payments",
];

/// The person picked something wrong: blame whatever the verb.
const WRONG: &[&str] = &[
    "wrong",
    "incorrect",
    "unintended",
    "erroneous",
    "mistaken",
    "improper",
    "inappropriate",
];

/// A thing that was broken: blame when the person made or shipped it.
const BROKEN: &[&str] = &[
    "broken",
    "bad",
    "buggy",
    "faulty",
    "defective",
    "malformed",
    "corrupt",
    "corrupted",
    "flawed",
    "untested",
    "unreviewed",
    "dangerous",
    "destructive",
    "risky",
    "invalid",
    "bogus",
    "typo",
    "typos",
    "mistake",
    "bug",
    "bugs",
    "misconfigured",
    "botched",
    "half-baked",
    "unvalidated",
    "unsafe",
    "poisoned",
    "rogue",
];

/// Words that end the object of a verb.
const OBJECT_END: &[&str] = &[
    "which", "that", "because", "since", "while", "when", "after", "before", "so", "but", "and",
    "then", "until", "to", "at", "on",
];

/// Repairs: "deployed a fix for the bug" is not blame.
const REPAIR: &[&str] = &[
    "fix",
    "hotfix",
    "patch",
    "revert",
    "rollback",
    "correction",
    "workaround",
    "mitigation",
    "remediation",
];

/// One blame finding before it is reported.
struct Hit {
    rule: &'static Rule,
    /// Byte range in the field's text.
    span: Range<usize>,
    message: String,
    suggestion: String,
}

pub fn check(ctx: &mut Ctx) {
    let team = team_phrases(ctx);
    let mut reports = Vec::new();
    for (field, analysed) in ctx.fields.iter().zip(&ctx.analysed) {
        let Some(a) = analysed else { continue };
        let mut hits = Vec::new();
        for sentence in &a.sentences {
            let mentions = people::mentions(&a.tokens, sentence.clone(), &ctx.people);
            let norm = Norm::new(&a.tokens, sentence.clone());
            check_sentence(a, &norm, &mentions, &mut hits);
            if field.role == Role::RootCause {
                for m in mentions.iter().filter(|m| {
                    names_someone(m)
                        && !is_slot(&a.tokens, m)
                        && !role_as_object(&a.tokens, sentence.start, m)
                }) {
                    let span = a.span(m.tokens.clone());
                    let who = &a.text[span.clone()];
                    hits.push(Hit {
                        rule: &PERSON_IN_ROOT_CAUSE,
                        span,
                        message: format!("the root cause names a person (`{who}`); a root cause is a condition of the system, not a person"),
                        suggestion: "state what in the system allowed the action and why nothing caught it (a missing check, an unsafe default, a gap in review)".to_string(),
                    });
                }
            }
        }
        if let Some(team) = &team {
            for m in team.find_iter(a.text) {
                if whole_words(a.text, m.range()) {
                    hits.push(Hit {
                        rule: &TEAM_PHRASE,
                        span: m.range(),
                        message: format!("`{}` is listed as blameful in the team's configuration", &a.text[m.range()]),
                        suggestion: "describe what happened and what allowed it, without judging the people involved".to_string(),
                    });
                }
            }
        }
        dedupe(&mut hits);
        reports.push((field.path.clone(), field.text, hits));
    }
    for (path, text, hits) in reports {
        for h in hits {
            ctx.report(
                h.rule,
                &path,
                text,
                Some(h.span),
                h.message,
                Some(h.suggestion),
            );
        }
    }
}

/// A specific person: by name, role, `he`/`she` or `someone`, not "engineers" or "we".
fn names_someone(m: &Mention) -> bool {
    matches!(m.who, Who::Named | Who::Role | Who::Pronoun) && !m.generic
}

/// A role with an indefinite determiner ("a single approver", "any
/// reviewer"): a slot in the process, not someone in particular.
/// A role on the receiving end ("emails impersonating our CEO", "sent to
/// the DBA") and not acting right after: not who the root cause is about.
/// Named people always count.
fn role_as_object(tokens: &[crate::text::tokens::Token], start: usize, m: &Mention) -> bool {
    m.who == Who::Role
        && m.tokens.start > start
        && tokens.get(m.tokens.start - 1).is_some_and(|t| {
            t.is_word()
                && (t.lower.ends_with("ing")
                    || matches!(
                        t.lower.as_str(),
                        "to" | "for" | "from" | "with" | "about" | "impersonate" | "impersonated"
                    ))
        })
        // "traces back to a developer forgetting to ...": the role acts.
        && !tokens
            .get(m.tokens.end)
            .is_some_and(|n| n.lower.ends_with("ing"))
}

/// "An intern deleted the bucket" is someone who acted; "a single approver
/// could merge" is a slot: a quantifier, a "single", or what the role could
/// do rather than what it did.
fn is_slot(tokens: &[crate::text::tokens::Token], m: &Mention) -> bool {
    let Some(first) = tokens.get(m.tokens.start) else {
        return false;
    };
    if m.who != Who::Role {
        return false;
    }
    let words = &tokens[m.tokens.clone()];
    let single = words.iter().any(|t| {
        matches!(
            t.lower.as_str(),
            "single" | "sole" | "lone" | "second" | "other"
        )
    });
    let capable = tokens.get(m.tokens.end).is_some_and(|t| {
        matches!(
            t.lower.as_str(),
            "could" | "can" | "may" | "might" | "would" | "with" | "who" | "that" | "was" | "is"
        ) && !tokens
            .get(m.tokens.end + 1)
            .is_some_and(|n| n.lower.ends_with("ed") && t.lower == "was")
    });
    match first.lower.as_str() {
        "any" | "no" | "every" | "each" => true,
        "a" | "an" | "one" => single || capable,
        _ => false,
    }
}

fn team_phrases(ctx: &Ctx) -> Option<aho_corasick::AhoCorasick> {
    let phrases = &ctx.config.terms.blame;
    (!phrases.is_empty())
        .then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(phrases)
                .ok()
        })
        .flatten()
}

fn whole_words(text: &str, range: Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Keeps one hit per span: the first rule (in catalogue order) that found it.
fn dedupe(hits: &mut Vec<Hit>) {
    let order = |r: &Rule| {
        super::ALL
            .iter()
            .position(|x| x.id == r.id)
            .unwrap_or(usize::MAX)
    };
    hits.sort_by_key(|h| (order(h.rule), h.span.start));
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits.drain(..) {
        if !kept
            .iter()
            .any(|k| k.span.start < h.span.end && h.span.start < k.span.end)
        {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| h.span.start);
    *hits = kept;
}

fn check_sentence(a: &Analysed, norm: &Norm, mentions: &[Mention], hits: &mut Vec<Hit>) {
    let text = norm.text.as_str();
    let span_of = |range: Range<usize>| a.span(norm.tokens(range));
    for m in HUMAN_ERROR_RE.find_iter(text) {
        let words = m.as_str();
        let metric = words.starts_with("user error ");
        if metric
            || NEGATED_BEFORE.is_match(&text[..m.start()])
            || NEGATED_AFTER.is_match(&text[m.end()..])
        {
            continue;
        }
        hits.push(Hit {
            rule: &HUMAN_ERROR,
            span: span_of(m.range()),
            message: format!("`{words}` explains nothing: people err in every system, the question is what let the error through"),
            suggestion: "name the condition that made the slip possible and let it reach production: a missing check, an unsafe default, a confusing interface".to_string(),
        });
    }
    if let Some(m) = RHETORICAL_RE.find(text) {
        hits.push(Hit {
            rule: &JUDGEMENT,
            span: span_of(m.range()),
            message: format!("`{}` questions a person's judgement instead of describing what happened", m.as_str()),
            suggestion: "ask what made the choice look reasonable at the time, and what would have flagged the risk".to_string(),
        });
    }
    for m in JUDGEMENT_RE
        .find_iter(text)
        .filter(|m| !technical_term(m.as_str(), &text[m.end()..]))
        .filter(|m| !quoted_outside_voice(text, m.start()))
        .filter(|m| !(m.as_str().ends_with("ly") && SYSTEM_SUBJECT.is_match(&text[..m.start()])))
    {
        hits.push(Hit {
            rule: &JUDGEMENT,
            span: span_of(m.range()),
            message: format!("`{}` judges a person instead of describing what happened", m.as_str()),
            suggestion: "describe the conditions the people worked in (time pressure, tooling, a missing guard) instead of their character".to_string(),
        });
    }
    for m in ANIMATED_RE
        .find_iter(text)
        .filter(|m| !technical_term(m.as_str(), &text[m.end()..]))
        .filter(|m| !quoted_outside_voice(text, m.start()))
    {
        hits.push(Hit {
            rule: &ANIMATED,
            span: span_of(m.range()),
            message: format!(
                "`{}` is animated language; it adds heat, not facts",
                m.as_str()
            ),
            suggestion: "state the impact in numbers (duration, users, errors) and let them speak"
                .to_string(),
        });
    }
    for m in HINDSIGHT_RE.find_iter(text) {
        if OBVIOUS_NEGATED.is_match(&text[..m.start()]) {
            continue;
        }
        hits.push(Hit {
            rule: &HINDSIGHT,
            span: span_of(m.range()),
            message: format!(
                "`{}` is hindsight: it was not obvious at the time, or it would not have happened",
                m.as_str()
            ),
            suggestion: "say what signal or information was missing at the time instead"
                .to_string(),
        });
    }
    if mentions.iter().any(|m| m.who.is_someone())
        && let Some(m) = AGAINST_WARNINGS.find(text)
    {
        hits.push(Hit {
            rule: &OMISSION,
            span: span_of(m.range()),
            message: format!("`{}` says a person went against the warnings", m.as_str()),
            suggestion: "say why acting was reasonable at the time, and what let the action through (no gate, warnings that are usually noise)".to_string(),
        });
    }
    if let Some(m) = IGNORING_DECISION.find(text) {
        hits.push(Hit {
            rule: &OMISSION,
            span: span_of(m.range()),
            message: format!("`{}` puts the failure on a choice against the warnings", m.as_str()),
            suggestion: "say why the warnings did not look actionable at the time, and what would have made them so".to_string(),
        });
    }
    for m in NOBODY_RE.find_iter(text) {
        hits.push(Hit {
            rule: &OMISSION,
            span: span_of(m.range()),
            message: format!("`{}` puts an omission on people", m.as_str()),
            suggestion: "say what made the step easy to skip: e.g. `the runbook did not include checking the logs`".to_string(),
        });
    }
    for m in SHOULD_HAVE_RE.find_iter(text) {
        hits.push(counterfactual(span_of(m.range()), m.as_str()));
    }
    if mentions.iter().any(|m| m.who.is_someone())
        && let Some(m) = HABIT_ASIDE.find(text)
    {
        hits.push(Hit {
            rule: &JUDGEMENT,
            span: span_of(m.range()),
            message: format!("`{}` judges a person by their habits", m.as_str().trim_start_matches(", ")),
            suggestion: "describe what the process allowed this time (e.g. `merges were possible late on a Friday without a review`), not a person's habits".to_string(),
        });
    }
    if mentions.iter().any(|m| m.who.is_someone())
        && let Some(m) = FAULT_RE.find(text)
    {
        hits.push(Hit {
            rule: &PERSON_AS_CAUSE,
            span: span_of(m.range()),
            message: format!("`{}` puts the failure on a person", m.as_str()),
            suggestion: "attribute the failure to the change or condition, and say what allowed it"
                .to_string(),
        });
    }
    for mention in mentions {
        person_patterns(a, norm, mention, hits);
    }
}

/// "lazy loading", "dumb terminal", "disaster recovery": words of the trade, not judgements.
fn technical_term(word: &str, after: &str) -> bool {
    let next = after.split(' ').find(|w| !w.is_empty()).unwrap_or_default();
    let terms: &[&str] = match word {
        "lazy" | "lazily" => &[
            "load",
            "loading",
            "loaded",
            "evaluation",
            "initialization",
            "initialisation",
            "init",
            "iterator",
            "static",
            "fetch",
            "fetching",
            "import",
            "imports",
            "binding",
            "mode",
        ],
        "dumb" => &["terminal", "pipe", "client", "proxy", "switch"],
        "disaster" => &[
            "recovery",
            "recover",
            "scenario",
            "scenarios",
            "plan",
            "plans",
            "drill",
            "drills",
            "site",
            "region",
            "test",
            "testing",
            "zone",
            "tolerance",
            "preparedness",
            "readiness",
            "recovery-as-a-service",
        ],
        _ => &[],
    };
    terms.contains(&next)
}

fn counterfactual(span: Range<usize>, words: &str) -> Hit {
    Hit {
        rule: &COUNTERFACTUAL,
        span,
        message: format!("`{words}` judges the past by what is known now"),
        suggestion: "describe what the people involved knew and saw at the time, and why acting otherwise was not obvious then".to_string(),
    }
}

/// Patterns around one person: what they are said to have done, and what is said to be their doing.
fn person_patterns(a: &Analysed, norm: &Norm, m: &Mention, hits: &mut Vec<Hit>) {
    let text = norm.text.as_str();
    let start = norm.offset(m.tokens.start);
    // The mention's own words, without the `'s` that Norm adds.
    let name_end = norm.end(m.tokens.end - 1);
    let tail = &text[name_end..];
    let before = text[..start].trim_end();
    let who_span = a.span(m.tokens.clone());
    let who = a.text[who_span.clone()].to_string();
    let someone = m.who.is_someone();
    // "Rather than asking why someone made a mistake, we asked ...": the
    // blameless way of asking, not blame.
    if BLAMELESS_ASIDE.is_match(before) {
        return;
    }
    let through = |len: usize| a.span(norm.tokens(start..name_end + len));
    let mut push =
        |rule: &'static Rule, span: Range<usize>, message: String, suggestion: String| {
            hits.push(Hit {
                rule,
                span,
                message,
                suggestion,
            });
        };

    if someone && !m.possessive {
        if let Some(c) = CAUSE_AFTER
            .find(tail)
            .filter(|c| !BROKE_APART.is_match(&tail[c.start()..]))
        {
            push(
                &PERSON_AS_CAUSE,
                through(c.end()),
                format!(
                    "`{who}` is made the cause: `{}`",
                    a.text[through(c.end())].trim()
                ),
                rewrite_hint(tail),
            );
            return;
        }
        if let Some(hit) = act_on_broken(a, norm, m, tail, name_end) {
            push(
                &PERSON_AS_CAUSE,
                hit.clone(),
                format!("`{who}` is made the cause: `{}`", &a.text[hit]),
                rewrite_hint(tail),
            );
            return;
        }
        if BY_ACCIDENT.is_match(own_clause(tail)) {
            let span = a.span(m.tokens.start..norm.tokens(0..text.len()).end);
            push(
                &PERSON_AS_CAUSE,
                span,
                format!("`{who}` is made the cause of an accident"),
                rewrite_hint(tail),
            );
            return;
        }
    }
    if someone
        && m.possessive
        && !GOOD_AFTER_PERSON.is_match(tail)
        && let Some(c) = POSSESSIVE_FAULT.find(tail)
    {
        push(
            &PERSON_AS_CAUSE,
            through(c.end()),
            format!("the failure is put on `{who}`: `{}`", a.text[through(c.end())].trim()),
            "name the change or condition that failed, not whose it was: e.g. `the config change removed the rate limit`".to_string(),
        );
        return;
    }
    let omission = if someone {
        OMISSION_ANY
            .find(tail)
            .or_else(|| OMISSION_DILIGENCE.find(tail))
            .or_else(|| {
                OMISSION_SOMEONE
                    .find(tail)
                    .filter(|c| !INVESTIGATING.is_match(c.as_str()))
            })
    } else if matches!(m.who, Who::We | Who::They) {
        OMISSION_ANY
            .find(tail)
            .filter(|c| m.who == Who::They || !c.as_str().contains("skipped"))
    } else {
        None
    };
    let explained = |c: &regex::Match| {
        let rest = &tail[c.end()..];
        rest.starts_with(" nothing") || SYSTEMIC_REASON.is_match(rest)
    };
    if !m.possessive
        && let Some(c) = omission.filter(|c| !explained(c))
    {
        push(
            &OMISSION,
            through(c.end()),
            format!("an omission is put on `{who}`: `{}`", a.text[through(c.end())].trim()),
            "say what made the step easy to miss: e.g. `the runbook did not include the step` or `no alert fired when ...`".to_string(),
        );
        return;
    }
    if someone
        && !m.possessive
        && let Some(c) = HABIT.find(tail)
    {
        push(
            &JUDGEMENT,
            through(c.end()),
            format!("`{who}`'s character is judged: `{}`", a.text[through(c.end())].trim()),
            "describe what the process allowed this time (e.g. `merges were possible with a red build`), not a person's habits".to_string(),
        );
        return;
    }
    if someone
        && !m.possessive
        && let Some(c) = LEAKED.find(tail)
    {
        push(
            &PERSON_AS_CAUSE,
            through(c.end()),
            format!("the leak is put on `{who}`: `{}`", a.text[through(c.end())].trim()),
            "say what let the secret reach that place: no secret scanning, a key with no expiry, no safe way to share it".to_string(),
        );
        return;
    }
    if someone
        && !m.possessive
        && let Some(c) = PRESSURE.find(tail)
    {
        push(
            &PERSON_AS_CAUSE,
            through(c.end()),
            format!("the failure is put on `{who}`'s pressure: `{}`", a.text[through(c.end())].trim()),
            "describe the pressure as a condition (a deadline, a freeze) and what let the risky change through".to_string(),
        );
        return;
    }
    if someone && WHAT_THINKING.is_match(before) && tail.trim_start().starts_with("thinking") {
        let from = WHAT_THINKING.find(before).map_or(start, |c| c.start());
        let span = a.span(norm.tokens(from..name_end));
        push(
            &JUDGEMENT,
            span.clone(),
            format!("a person's judgement is questioned: `{}`", a.text[span].trim()),
            "ask what made the action look right at the time: what did the person know, and what did the tools show?".to_string(),
        );
        return;
    }
    if someone
        && !m.possessive
        && let Some(c) = WITHOUT_RE.find(tail)
    {
        push(
            &OMISSION,
            through(c.end()),
            format!("`{who}` is said to have acted without a safeguard: `{}`", a.text[through(c.end())].trim()),
            "name the safeguard the process did not require or enforce: e.g. `the pipeline did not require a review`".to_string(),
        );
        return;
    }
    let counter = match m.who {
        Who::Named | Who::Role | Who::Pronoun | Who::Team => COUNTERFACTUAL_AFTER.find(tail),
        Who::We | Who::They => COUNTERFACTUAL_DILIGENCE.find(tail),
    };
    if !m.possessive
        && let Some(c) = counter
    {
        hits.push(counterfactual(
            through(c.end()),
            a.text[through(c.end())].trim(),
        ));
        return;
    }
    if (someone || m.who == Who::We)
        && COUNTERFACTUAL_BEFORE.is_match(before)
        && !before.is_empty()
        && COUNTERFACTUAL_IF_TAIL.is_match(tail)
    {
        let span = a.span(norm.tokens(norm.offset(m.tokens.start).saturating_sub(3)..name_end));
        hits.push(counterfactual(span.clone(), a.text[span].trim()));
        return;
    }
    if someone
        && PASSIVE_BY.is_match(before)
        && (FAULT_CUE.is_match(text) && !REPAIR_RE.is_match(text) || FAULTY_ACT.is_match(text))
    {
        let from = PASSIVE_BY.find(before).map_or(start, |c| c.start());
        let span = a.span(norm.tokens(from..name_end));
        push(
            &PERSON_AS_CAUSE,
            span.clone(),
            format!("the faulty act is put on `{who}`: `{}`", &a.text[span]),
            "say what the process let through, not who did it: e.g. `the change reached production without a second review`".to_string(),
        );
        return;
    }
    // "Thanks to Ingrid, we lost a day of data": a sarcastic thanks for a failure.
    if someone
        && THANKS_BEFORE.is_match(before)
        && tail.trim_start().starts_with(',')
        && (BAD_CONSEQUENCE.is_match(tail) || LOST_RE.is_match(tail))
        && !GOOD_CONSEQUENCE.is_match(tail)
        && !AVERTED_RE.is_match(tail)
    {
        let from = THANKS_BEFORE.find(before).map_or(start, |c| c.start());
        let span = a.span(norm.tokens(from..name_end));
        push(
            &PERSON_AS_CAUSE,
            span.clone(),
            format!("the failure is put on `{who}`: `{}`", &a.text[span]),
            "attribute the failure to the change or condition, and say what allowed it".to_string(),
        );
        return;
    }
    let cause_before = CAUSE_BEFORE
        .find(before)
        .or_else(|| TRIGGERED_WHEN.find(before).filter(|_| !m.possessive));
    if someone
        && let Some(c) = cause_before
        && !GOOD_AFTER_PERSON.is_match(tail)
    {
        let from = c.start();
        let span = a.span(norm.tokens(from..name_end));
        push(
            &PERSON_AS_CAUSE,
            span.clone(),
            format!("the failure is attributed to `{who}`: `{}`", &a.text[span]),
            "attribute the failure to the change or condition, and say what allowed it".to_string(),
        );
        return;
    }
    if someone
        && !m.possessive
        && let Some(verb) = first_verb(tail)
        && !responds(verb)
        && (verb.ends_with("ed") || CREATE.contains(&verb) || irregular_past(verb))
        && let Some(c) = CONSEQUENCE.find(tail)
        && !GOOD_CONSEQUENCE.is_match(c.as_str())
        && BAD_CONSEQUENCE.is_match(c.as_str())
    {
        push(
            &PERSON_AS_CAUSE,
            through(c.end()),
            format!("`{who}`'s action is made the cause of the failure"),
            rewrite_hint(tail),
        );
    }
}

/// The verb right after a subject (past the fillers), if the next word is one.
fn first_verb(tail: &str) -> Option<&str> {
    let skip = [
        ",",
        "who",
        "had",
        "has",
        "have",
        "then",
        "also",
        "just",
        "simply",
        "again",
        "later",
        "first",
        "manually",
        "quickly",
        "immediately",
        "accidentally",
    ];
    let words: Vec<&str> = tail.split(' ').filter(|w| !w.is_empty()).collect();
    let from = predicate_start(&words);
    words[from..].iter().copied().find(|w| !skip.contains(w))
}

/// Where the subject's own predicate starts in `words` (the words after a
/// person): past a relative clause between commas ("Wei, who was on call,
/// skipped ...") and a passive joined by `and` ("an intern was given admin
/// rights and deleted ...").
fn predicate_start(words: &[&str]) -> usize {
    let mut i = 0;
    if words.first() == Some(&",")
        && words.get(1).is_some_and(|w| matches!(*w, "who" | "whom"))
        && let Some(close) = words.iter().skip(2).take(16).position(|w| *w == ",")
    {
        i = close + 3;
    }
    if words
        .get(i)
        .is_some_and(|w| matches!(*w, "was" | "were" | "is" | "got"))
        && let Some(and) = words
            .iter()
            .skip(i + 1)
            .take(5)
            .take_while(|w| w.chars().any(char::is_alphanumeric))
            .position(|w| *w == "and")
    {
        i += and + 2;
    }
    i.min(words.len())
}

/// "Bob pushed a broken config", "the DBA ran the wrong script".
fn act_on_broken(
    a: &Analysed,
    norm: &Norm,
    m: &Mention,
    tail: &str,
    name_end: usize,
) -> Option<Range<usize>> {
    let words: Vec<&str> = tail.split(' ').filter(|w| !w.is_empty()).collect();
    let fillers = [
        "who",
        ",",
        "had",
        "has",
        "then",
        "also",
        "just",
        "later",
        "first",
        "manually",
        "again",
        "quickly",
        "still",
        "nonetheless",
        "anyway",
        "once",
    ];
    let from = predicate_start(&words);
    let verb_at = from + words[from..].iter().position(|w| !fillers.contains(w))?;
    let verb = words[verb_at];
    if DESTRUCTIVE.contains(&verb) {
        let object: Vec<&str> = words
            .iter()
            .skip(verb_at + 1)
            .take_while(|w| !OBJECT_END.contains(w) && w.chars().any(char::is_alphanumeric))
            .take(6)
            .copied()
            .collect();
        if object.iter().any(|w| LIVE.contains(w)) {
            let upto: usize = words[..verb_at + 1 + object.len()]
                .iter()
                .map(|w| w.len() + 1)
                .sum();
            return Some(a.span(norm.tokens(norm.offset(m.tokens.start)..name_end + upto)));
        }
    }
    // Acting on "the wrong" thing is a slip whatever the act; finding or
    // repairing it is not.
    let response = responds(verb);
    if RESPONSE.contains(&verb)
        || !response && !verb.ends_with("ed") && !CREATE.contains(&verb) && !irregular_past(verb)
    {
        return None;
    }
    let mut object = Vec::new();
    for w in words.iter().skip(verb_at + 1).take(9) {
        if w.chars().all(|c| !c.is_alphanumeric()) && *w != "x-code"
            || OBJECT_END.contains(w) && !object.is_empty()
        {
            break;
        }
        object.push(*w);
    }
    let repaired = |until: usize| object[..until].iter().any(|w| REPAIR.contains(w));
    // "applied the manifest to the wrong cluster", "ran it with an incorrect
    // flag": the wrong target or setting after a preposition.
    let after = &words[(verb_at + 1 + object.len()).min(words.len())..];
    if let [prep, det, bad, ..] = after
        && matches!(
            *prep,
            "to" | "on" | "at" | "against" | "in" | "into" | "from" | "with"
        )
        && matches!(*det, "the" | "a" | "an")
        && (*bad == "wrong" || !response && WRONG.contains(bad))
    {
        let upto: usize = words[..verb_at + 1 + object.len() + 3]
            .iter()
            .map(|w| w.len() + 1)
            .sum();
        return Some(a.span(norm.tokens(norm.offset(m.tokens.start)..name_end + upto)));
    }
    let bad = object
        .iter()
        .position(|w| {
            if response {
                *w == "wrong"
            } else {
                WRONG.contains(w)
            }
        })
        .filter(|&i| !repaired(i))
        .or_else(|| {
            (!response && CREATE.contains(&verb))
                .then(|| {
                    object
                        .iter()
                        .position(|w| BROKEN.contains(w))
                        .filter(|&i| !repaired(i))
                })
                .flatten()
        })?;
    // Byte length in the norm text up to the bad word.
    let upto: usize = words[..verb_at + 2 + bad].iter().map(|w| w.len() + 1).sum();
    Some(a.span(norm.tokens(norm.offset(m.tokens.start)..name_end + upto)))
}

fn irregular_past(verb: &str) -> bool {
    matches!(
        verb,
        "ran"
            | "made"
            | "wrote"
            | "set"
            | "put"
            | "sent"
            | "chose"
            | "took"
            | "broke"
            | "built"
            | "let"
            | "hit"
            | "cut"
            | "shut"
            | "gave"
            | "brought"
            | "kept"
            | "left"
            | "overwrote"
            | "undid"
            | "spun"
    )
}

/// A suggested rewrite of "<person> <verb> <object>" without the person.
fn rewrite_hint(tail: &str) -> String {
    let words: Vec<&str> = tail
        .split(' ')
        .filter(|w| !w.is_empty() && *w != "," && *w != "who")
        .collect();
    if let [verb, object @ ..] = words.as_slice()
        && let Some(participle) = participle(verb)
    {
        let object: Vec<&str> = object
            .iter()
            .take_while(|w| !OBJECT_END.contains(w) && w.chars().any(char::is_alphanumeric))
            .take(8)
            .copied()
            .collect();
        if !object.is_empty() {
            return format!(
                "describe the event and what allowed it, without the person: e.g. `{} was {participle}; <the check that should have stopped it> did not exist`",
                capitalise(&object.join(" "))
            );
        }
    }
    "describe what the system allowed instead of who did it: e.g. `the deploy pipeline accepted a config that failed validation`".to_string()
}

fn participle(verb: &str) -> Option<&'static str> {
    const IRREGULAR: &[(&str, &str)] = &[
        ("ran", "run"),
        ("wrote", "written"),
        ("made", "made"),
        ("took", "taken"),
        ("broke", "broken"),
        ("set", "set"),
        ("sent", "sent"),
        ("chose", "chosen"),
        ("built", "built"),
        ("put", "put"),
        ("overwrote", "overwritten"),
    ];
    if let Some((_, p)) = IRREGULAR.iter().find(|(v, _)| *v == verb) {
        return Some(p);
    }
    CREATE
        .iter()
        .find(|c| **c == verb && verb.ends_with("ed"))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::people::People;

    fn rules(sentence: &str) -> Vec<&'static str> {
        let a = Analysed::new(sentence);
        let mut hits = Vec::new();
        for s in &a.sentences {
            let mentions = people::mentions(&a.tokens, s.clone(), &People::default());
            let norm = Norm::new(&a.tokens, s.clone());
            check_sentence(&a, &norm, &mentions, &mut hits);
        }
        dedupe(&mut hits);
        hits.into_iter().map(|h| h.rule.id).collect()
    }

    #[test]
    fn facts_about_people_are_not_blame() {
        for fact in [
            "Alice rolled back at 12:00.",
            "Bob paged the DBA, who acknowledged within two minutes.",
            "The on-call engineer restarted the pods at 10:14.",
            "Carol identified the broken config in the diff.",
            "Dave deployed a fix for the bug at 11:02.",
            "We avoid calling this human error.",
            "Eve noticed the error rate climbing and declared a SEV2.",
            "Frank's rollback restored service at 10:31.",
        ] {
            assert!(rules(fact).is_empty(), "{fact}: {:?}", rules(fact));
        }
    }

    #[test]
    fn blame_is_found_with_its_kind() {
        for (text, rule) in [
            ("Bob pushed a broken config.", "blame/person-as-cause"),
            ("The outage was caused by Dave.", "blame/person-as-cause"),
            (
                "Alice's mistake caused the outage.",
                "blame/person-as-cause",
            ),
            ("Root cause: human error.", "blame/human-error"),
            (
                "The on-call engineer forgot to renew the certificate.",
                "blame/omission",
            ),
            ("She should have known better.", "blame/counterfactual"),
            (
                "The engineer should have checked the dashboard.",
                "blame/counterfactual",
            ),
            ("A careless change to the firewall.", "blame/judgement"),
            ("This was unacceptable.", "blame/animated-language"),
            ("The config was obviously wrong.", "blame/hindsight-bias"),
            (
                "The DBA ran the wrong script against production.",
                "blame/person-as-cause",
            ),
        ] {
            assert_eq!(rules(text), [rule], "{text}");
        }
    }
}
