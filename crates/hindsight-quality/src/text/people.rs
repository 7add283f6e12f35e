//! Who is a person in a sentence: the postmortem's own people (owner,
//! authors, reviewers, action owners), given names, `@handles`, roles ("the
//! on-call engineer", "an SRE", "the DBA"), teams and pronouns.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use super::tokens::{Kind, Token};

static GIVEN_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/given_names.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Given names that are also common words ("Jack", "Will", "Mark"): a person
/// only where the sentence puts one ([`ambiguous_name_acts`]).
static AMBIGUOUS_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/ambiguous_names.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Words after a name that make it a product, not a person ("Travis CI").
const PRODUCT_SUFFIXES: &[&str] = &[
    "ci",
    "db",
    "api",
    "cloud",
    "server",
    "pipeline",
    "bot",
    "agent",
    "service",
    "operator",
    "controller",
    "cluster",
    "sdk",
    "labs",
    "inc",
    "corp",
    "ltd",
    "company",
    "app",
    "node",
];

/// Nouns that name a group of people ("the payments team", "the night shift").
const TEAM_HEADS: &[&str] = &[
    "team",
    "teams",
    "squad",
    "squads",
    "crew",
    "crews",
    "shift",
    "noc",
    "helpdesk",
    "staff",
    "personnel",
    "group",
    "groups",
    "department",
    "division",
    "management",
    "leadership",
];

/// Whether `word` is one of [`ROLE_HEADS`]: asked of nearly every word.
fn is_role_head(word: &str) -> bool {
    static SET: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| ROLE_HEADS.iter().copied().collect());
    SET.contains(word)
}

/// Nouns that name a person by their role.
const ROLE_HEADS: &[&str] = &[
    "engineer",
    "developer",
    "dev",
    "programmer",
    "sre",
    "dba",
    "operator",
    "admin",
    "administrator",
    "sysadmin",
    "intern",
    "contractor",
    "employee",
    "staffer",
    "member",
    "on-call",
    "oncall",
    "on-caller",
    "responder",
    "manager",
    "reviewer",
    "approver",
    "author",
    "committer",
    "maintainer",
    "analyst",
    "technician",
    "architect",
    "commander",
    "person",
    "individual",
    "colleague",
    "coworker",
    "co-worker",
    "hire",
    "newcomer",
    "human",
    "tester",
    "champion",
    "liaison",
    "agent",
    "rep",
    "representative",
    "associate",
    "scientist",
    "researcher",
    "designer",
    "vp",
    "svp",
    "evp",
    "cto",
    "ceo",
    "cfo",
    "coo",
    "cio",
    "ciso",
    "director",
    "executive",
    "officer",
    "steward",
    "owner",
    "consultant",
    "specialist",
    "lead",
    "captain",
    "driver",
    "shepherd",
    "coordinator",
    "someone",
    "somebody",
];

/// Words that start a noun phrase naming someone.
const DETERMINERS: &[&str] = &[
    "the",
    "a",
    "an",
    "our",
    "another",
    "that",
    "this",
    "their",
    "his",
    "her",
    "your",
    "my",
    "whichever",
    "some",
    "one",
];

/// Upper-case modifiers that still describe a role ("the SRE on call", "a QA engineer").
const ROLE_CAPITALS: &[&str] = &[
    "sre", "dba", "qa", "it", "ops", "devops", "on-call", "oncall", "platform", "security",
    "release", "network", "database", "support", "senior", "junior", "new", "lead",
];

/// Modifiers that make the head a piece of software ("the Kubernetes operator").
const TECH_MODIFIERS: &[&str] = &[
    "kubernetes",
    "k8s",
    "postgres",
    "postgresql",
    "helm",
    "crd",
    "prometheus",
    "cluster",
    "mysql",
    "redis",
    "kafka",
    "etcd",
    "terraform",
    "service",
    "resource",
    "code",
    "file",
    "package",
    "module",
    "record",
    "object",
    "database-backed",
];

/// Words that may follow a person's noun phrase: an auxiliary, an adverb, a
/// preposition (past tenses are in [`IRREGULAR_PAST`] or end in `-ed`).
/// "the developer portal" is not a person.
const FOLLOWERS: &[&str] = &[
    "were",
    "is",
    "are",
    "has",
    "have",
    "does",
    "doesn't",
    "should",
    "shouldn't",
    "could",
    "couldn't",
    "would",
    "wouldn't",
    "must",
    "may",
    "might",
    "will",
    "can",
    "cannot",
    "can't",
    "who",
    "that",
    "then",
    "also",
    "just",
    "accidentally",
    "mistakenly",
    "inadvertently",
    "unintentionally",
    "never",
    "not",
    "still",
    "on",
    "in",
    "at",
    "for",
    "from",
    "with",
    "to",
    "by",
    "of",
    "and",
    "or",
    "but",
    "responsible",
    "involved",
    "manually",
    "immediately",
    "quickly",
    "promptly",
    "simply",
    "only",
    "first",
    "later",
    "again",
    "however",
    "weren't",
    "isn't",
    "failed",
    "neglected",
    "ignored",
    "overlooked",
    "missed",
    "carelessly",
    "wrongly",
    "incorrectly",
    "apparently",
    "clearly",
    "obviously",
    "evidently",
    "who'd",
    "should've",
    "could've",
    "began",
    "read",
    "understood",
    "fell",
    "drove",
    "spun",
    "stood",
    "struck",
    "meant",
    "paid",
    "heard",
    "sat",
    "forgotten",
    "been",
    "done",
    "deleted",
    "dropped",
    "keep",
    "keeps",
    "always",
    "often",
    "repeatedly",
    "routinely",
    "constantly",
    "wiped",
    "during",
    "before",
    "after",
    "when",
    "while",
    "because",
    "since",
    "as",
    "earlier",
    "yesterday",
    "today",
    "overnight",
    "alone",
    "themselves",
];

/// What kind of person a mention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A named person or `@handle`.
    Named,
    /// A role: "the on-call engineer", "an SRE", "someone".
    Role,
    /// A team: "the payments team".
    Team,
    /// `he`, `she`, `I`, `you`.
    Pronoun,
    /// `we`: the writers themselves.
    We,
    /// `they`: a person or a system.
    They,
}

impl Who {
    /// Names or describes a specific person or team (not `we` or `they`).
    pub fn is_someone(self) -> bool {
        matches!(self, Who::Named | Who::Role | Who::Team | Who::Pronoun)
    }
}

/// A mention of a person: tokens `tokens` of the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub tokens: Range<usize>,
    pub who: Who,
    /// Written as a possessive (`Bob's`, `the engineer's`).
    pub possessive: bool,
    /// A bare plural ("engineers"): people in general, not someone in particular.
    pub generic: bool,
}

/// The people a postmortem knows by name, plus configured ones.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// Lower-case handles (`priya.raman`) and the name parts of each (`priya`, `raman`).
    known: HashSet<String>,
}

impl People {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> People {
        let mut known = HashSet::new();
        for name in names {
            let lower = name.trim().trim_start_matches('@').to_lowercase();
            if lower.is_empty() || is_group_word(&lower) {
                continue;
            }
            for part in lower.split(['.', '_', '-', ' ']) {
                if part.len() >= 3 && part.chars().all(char::is_alphabetic) && !is_group_word(part)
                {
                    known.insert(part.to_string());
                }
            }
            known.insert(lower);
        }
        People { known }
    }

    fn is_known(&self, token: &Token) -> bool {
        let word = token.lower.trim_start_matches('@');
        self.known.contains(word)
            && (token.capital || word.contains(['.', '_']) || token.lower.starts_with('@'))
    }
}

fn is_group_word(word: &str) -> bool {
    matches!(
        word,
        "team"
            | "ops"
            | "sre"
            | "eng"
            | "bot"
            | "admin"
            | "oncall"
            | "on-call"
            | "tbd"
            | "all"
            | "everyone"
    )
}

/// Every mention of a person in `tokens[range]`.
pub fn mentions(tokens: &[Token], range: Range<usize>, people: &People) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if let Some(m) = mention_at(tokens, i, range.clone(), people) {
            i = m.tokens.end;
            out.push(m);
        } else {
            i += 1;
        }
    }
    out
}

fn mention_at(tokens: &[Token], i: usize, range: Range<usize>, people: &People) -> Option<Mention> {
    let t = &tokens[i];
    if t.kind != Kind::Word {
        return None;
    }
    let next = |k: usize| tokens.get(k).filter(|_| k < range.end);
    let at_start = i == range.start;
    let mention = |end: usize, who: Who| {
        Some(Mention {
            tokens: i..end,
            who,
            possessive: tokens[end - 1].possessive,
            generic: false,
        })
    };
    match t.lower.as_str() {
        "he" | "she" | "i" | "you" | "whoever" => return mention(i + 1, Who::Pronoun),
        "we" => return mention(i + 1, Who::We),
        "they" => return mention(i + 1, Who::They),
        "someone" | "somebody" => return mention(i + 1, Who::Role),
        // A department named on its own: "Ops failed to escalate".
        "ops" | "devops" | "sysops" | "netops" | "secops" | "engineering" | "devs" | "qa"
        | "management" | "legal" | "finance" | "compliance" | "procurement" | "marketing"
        | "on-call" | "oncall" | "noc" | "helpdesk"
            if (t.capital || at_start || after_stop(tokens, i, range.start))
                && follows_person(next(i + 1))
                && next(i + 1).is_some()
                || after_by(tokens, i, range.start)
                    && next(i + 1).is_some_and(|n| n.lower.ends_with("ing")) =>
        {
            return mention(i + 1, Who::Team);
        }
        _ => {}
    }
    // "user jdoe pasted ...": an account name after the word for one.
    if matches!(t.lower.as_str(), "user" | "username" | "account" | "login")
        && (t.capital || at_start || after_stop(tokens, i, range.start))
        && let Some(handle) = next(i + 1)
        && handle.is_word()
        && !handle.capital
        && (3..=24).contains(&handle.lower.len())
        && handle
            .lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
        && handle
            .lower
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && next(i + 2).is_some_and(|n| {
            n.is_word() && (n.lower.ends_with("ed") || IRREGULAR_PAST.contains(&n.lower.as_str()))
        })
    {
        return Some(Mention {
            tokens: i + 1..i + 2,
            who: Who::Named,
            possessive: handle.possessive,
            generic: false,
        });
    }
    // "Dr. Petrov", "Mr Haddad's": a title before a capitalised name.
    if matches!(t.lower.as_str(), "mr" | "mrs" | "ms" | "mx" | "dr" | "prof") && t.capital {
        let name_at = if next(i + 1).is_some_and(|n| n.lower == ".") {
            i + 2
        } else {
            i + 1
        };
        if next(name_at).is_some_and(|n| n.is_word() && n.capital) {
            return mention(name_at + 1, Who::Named);
        }
    }
    // "Remote hands pulled the wrong drive": the data centre's on-site service.
    if t.is("remote")
        && next(i + 1).is_some_and(|n| n.is("hands"))
        && (t.capital
            || at_start
            || after_stop(tokens, i, range.start)
            || after_by(tokens, i, range.start))
    {
        return mention(i + 2, Who::Team);
    }
    // "L1 support", "tier-2 ops": a support tier.
    if matches!(
        t.lower.as_str(),
        "l1" | "l2" | "l3" | "tier-1" | "tier-2" | "tier-3" | "tier1" | "tier2" | "tier3"
    ) && next(i + 1).is_some_and(|n| {
        matches!(
            n.lower.as_str(),
            "support" | "ops" | "engineers" | "agents" | "staff"
        )
    }) && (t.capital
        || at_start
        || after_stop(tokens, i, range.start)
        || after_by(tokens, i, range.start))
    {
        return mention(i + 2, Who::Team);
    }
    if t.lower.starts_with('@') && t.lower.len() > 1
        || people.is_known(t)
        || login_name(&t.lower) && follows_person(next(i + 1)) && next(i + 1).is_some()
    {
        return mention(i + 1, Who::Named);
    }
    if t.capital
        && (GIVEN_NAMES.contains(fold(&t.lower).as_str())
            || ambiguous_name_acts(tokens, i, range.clone())
            || acts_like_a_person(tokens, i, range.clone()))
    {
        let product = next(i + 1).is_some_and(|n| PRODUCT_SUFFIXES.contains(&n.lower.as_str()))
            || named_thing(tokens, i, range.start);
        let after_article = i > range.start
            && matches!(
                tokens[i - 1].lower.as_str(),
                "the"
                    | "a"
                    | "an"
                    | "san"
                    | "santa"
                    | "st"
                    | "saint"
                    | "fort"
                    | "port"
                    | "los"
                    | "las"
                    | "el"
                    | "mount"
                    | "lake"
                    | "cape"
                    | "são"
                    | "sao"
                    | "rio"
                    | "new"
            );
        if !product && !after_article && !t.all_caps {
            // "Alice Smith": take the surname along.
            let surname = !t.possessive
                && next(i + 1).is_some_and(|n| {
                    n.capital && n.is_word() && !is_follower(&n.lower) && n.start == t.end + 1
                });
            return mention(if surname { i + 2 } else { i + 1 }, Who::Named);
        }
    }
    // "a member of our release team": someone of a team.
    if (t.is("a") || t.is("an"))
        && next(i + 1).is_some_and(|n| n.is("member") || n.is("members"))
        && next(i + 2).is_some_and(|n| n.is("of"))
        && next(i + 3).is_some_and(|n| matches!(n.lower.as_str(), "our" | "the" | "their" | "your"))
        && let Some(head) = (i + 4..(i + 7).min(range.end))
            .find(|&k| TEAM_HEADS.contains(&tokens[k].lower.as_str()))
    {
        return mention(head + 1, Who::Role);
    }
    // "the payments team", "team B"; "because product management neglected"
    // Checked last: asked of nearly every word.
    let subject_start =
        || at_start || i > range.start && CLAUSE_OPENERS.contains(&tokens[i - 1].lower.as_str());
    if DETERMINERS.contains(&t.lower.as_str()) || !clause_word(&t.lower) && subject_start() {
        let start = if DETERMINERS.contains(&t.lower.as_str()) {
            i + 1
        } else {
            i
        };
        for width in 0..=3 {
            let head_at = start + width;
            let Some(head) = next(head_at) else { break };
            if !head.is_word() {
                break;
            }
            let modifiers = &tokens[start..head_at];
            if modifiers.iter().any(|m| {
                !m.is_word()
                    || DETERMINERS.contains(&m.lower.as_str())
                    || matches!(
                        m.lower.as_str(),
                        "of" | "in"
                            | "within"
                            | "for"
                            | "to"
                            | "at"
                            | "on"
                            | "with"
                            | "by"
                            | "from"
                            | "and"
                            | "or"
                            | "but"
                            | "between"
                            | "across"
                            | "into"
                    )
                    || TECH_MODIFIERS.contains(&m.lower.as_str())
                    || m.capital
                        && m.start != tokens[range.start].start
                        && !ROLE_CAPITALS.contains(&m.lower.as_str())
            }) {
                break;
            }
            if TEAM_HEADS.contains(&head.lower.as_str()) {
                // "the NOC" on its own; "the team" alone is the writers.
                let named = width > 0 || matches!(head.lower.as_str(), "noc" | "helpdesk");
                if named
                    && (head.possessive
                        || follows_person(next(head_at + 1))
                        || to_blame(tokens, head_at + 1, range.end)
                        || participle_clause(tokens, head_at + 1, range.end)
                        || after_by(tokens, i, range.start))
                {
                    return mention(head_at + 1, Who::Team);
                }
                // "the payments team lead", "the vendor management contractor"
                continue;
            }
            let singular = head.lower.strip_suffix('s').filter(|s| is_role_head(s));
            // "the cert-manager operator" is software.
            let software = matches!(head.lower.as_str(), "operator" | "operators")
                && modifiers.iter().any(|m| {
                    [
                        "-manager",
                        "-controller",
                        "-operator",
                        "-proxy",
                        "-server",
                        "-agent",
                        "-service",
                    ]
                    .iter()
                    .any(|end| m.lower.ends_with(end))
                });
            // "the support agent", not "the build agent".
            let human_agent = !matches!(head.lower.as_str(), "agent" | "agents")
                || modifiers.last().is_some_and(|m| {
                    matches!(
                        m.lower.as_str(),
                        "support"
                            | "customer"
                            | "service"
                            | "sales"
                            | "call"
                            | "desk"
                            | "helpdesk"
                            | "field"
                    )
                });
            let is_role = human_agent
                && !software
                && (is_role_head(&head.lower) || singular.is_some())
                && (head.lower != "lead"
                    || modifiers.is_empty() && t.is("the") && acts_next(next(head_at + 1))
                    || modifiers.last().is_some_and(|m| {
                        matches!(
                            m.lower.as_str(),
                            "team"
                                | "tech"
                                | "technical"
                                | "project"
                                | "engineering"
                                | "release"
                                | "incident"
                                | "sre"
                                | "ops"
                                | "dev"
                                | "qa"
                                | "test"
                                | "squad"
                                | "program"
                                | "product"
                                | "platform"
                                | "infra"
                                | "security"
                                | "data"
                                | "on-call"
                                | "support"
                                | "reliability"
                                | "shift"
                                | "migration"
                                | "deploy"
                                | "change"
                                | "database"
                                | "network"
                                | "infrastructure"
                                | "backend"
                                | "frontend"
                                | "mobile"
                                | "account"
                        )
                    }));
            if is_role
                && (head.possessive
                    || follows_person(next(head_at + 1))
                    || to_blame(tokens, head_at + 1, range.end)
                    || after_by(tokens, i, range.start) && DETERMINERS.contains(&t.lower.as_str())
                    || participle_clause(tokens, head_at + 1, range.end))
            {
                let determined = DETERMINERS.contains(&t.lower.as_str());
                // "Intern dropped the users table": a note's bare role, capitalised
                // as the first word.
                let bare = width == 0 && at_start && head.capital && singular.is_none();
                if determined || singular.is_some() || width > 0 || bare {
                    let mut m = mention(head_at + 1, Who::Role)?;
                    m.generic = !determined && singular.is_some();
                    return Some(m);
                }
            }
        }
    }
    // "engineers forgot", "because developers skipped": a bare plural role.
    if let Some(single) = t.lower.strip_suffix('s')
        && is_role_head(single)
        && !matches!(
            single,
            "someone" | "somebody" | "person" | "human" | "owner" | "member" | "lead"
        )
        && follows_person(next(i + 1))
        && next(i + 1).is_some_and(|n| {
            n.is_word()
                && n.lower != "to"
                && n.lower != "and"
                && n.lower != "of"
                && n.lower != "on"
                && n.lower != "in"
                && n.lower != "for"
                && n.lower != "with"
                && n.lower != "at"
        })
    {
        let mut m = mention(i + 1, Who::Role)?;
        m.generic = true;
        return Some(m);
    }
    if t.lower == "one"
        && next(i + 1).is_some_and(|n| n.is("of"))
        && let Some(m) = next(i + 2).and_then(|_| mention_at(tokens, i + 2, range.clone(), people))
    {
        return Some(Mention {
            tokens: i..m.tokens.end,
            ..m
        });
    }
    None
}

/// Companies, tools and platforms that act in postmortems but are not
/// people ("Flagger promoted the canary").
const ORGANISATIONS: &[&str] = &[
    "google",
    "amazon",
    "aws",
    "microsoft",
    "azure",
    "facebook",
    "meta",
    "github",
    "gitlab",
    "slack",
    "stripe",
    "netflix",
    "cloudflare",
    "fastly",
    "akamai",
    "etsy",
    "twitter",
    "reddit",
    "heroku",
    "salesforce",
    "atlassian",
    "spotify",
    "uber",
    "apple",
    "dropbox",
    "shopify",
    "discord",
    "twilio",
    "okta",
    "zoom",
    "linkedin",
    "instagram",
    "valve",
    "nasa",
    "terraform",
    "kubernetes",
    "ansible",
    "jenkins",
    "puppet",
    "chef",
    "helm",
    "argo",
    "docker",
    "nginx",
    "envoy",
    "istio",
    "postgres",
    "mysql",
    "redis",
    "kafka",
    "cassandra",
    "elasticsearch",
    "mongodb",
    "prometheus",
    "grafana",
    "alertmanager",
    "pagerduty",
    "datadog",
    "sentry",
    "cron",
    "systemd",
    "dependabot",
    "renovate",
    "copilot",
    "vendor",
    "customer",
    "users",
    "customers",
    "management",
    "legal",
    "finance",
    "marketing",
    "sales",
    "flagger",
    "spinnaker",
    "argocd",
    "flux",
    "fluxcd",
    "circleci",
    "buildkite",
    "travis",
    "teamcity",
    "bamboo",
    "drone",
    "concourse",
    "tekton",
    "harness",
    "octopus",
    "bazel",
    "gradle",
    "maven",
    "npm",
    "yarn",
    "pip",
    "cargo",
    "webpack",
    "babel",
    "consul",
    "vault",
    "nomad",
    "packer",
    "vagrant",
    "zookeeper",
    "rabbitmq",
    "nats",
    "pulsar",
    "memcached",
    "varnish",
    "haproxy",
    "traefik",
    "caddy",
    "apache",
    "tomcat",
    "jetty",
    "nodejs",
    "node",
    "python",
    "java",
    "golang",
    "rails",
    "django",
    "flask",
    "spring",
    "hibernate",
    "linux",
    "ubuntu",
    "debian",
    "centos",
    "windows",
    "macos",
    "android",
    "ios",
    "chrome",
    "firefox",
    "safari",
    "cloudfront",
    "lambda",
    "dynamodb",
    "bigquery",
    "snowflake",
    "databricks",
    "airflow",
    "spark",
    "hadoop",
    "hive",
    "presto",
    "trino",
    "flink",
    "beam",
    "dataflow",
    "pubsub",
    "sqs",
    "sns",
    "kinesis",
    "opsgenie",
    "victorops",
    "splunk",
    "kibana",
    "logstash",
    "fluentd",
    "loki",
    "jaeger",
    "zipkin",
    "honeycomb",
    "newrelic",
    "dynatrace",
    "statuspage",
    "jira",
    "confluence",
    "servicenow",
    "zendesk",
    "auth0",
    "keycloak",
    "calico",
    "cilium",
    "coredns",
    "kubelet",
    "kubectl",
    "containerd",
    "podman",
    "openshift",
    "rancher",
    "ceph",
    "minio",
    "pgbouncer",
    "patroni",
    "vitess",
    "citus",
    "cockroachdb",
    "clickhouse",
    "influxdb",
    "timescale",
    "graphite",
    "statsd",
    "thanos",
    "cortex",
    "mimir",
    "velero",
    "certbot",
    "vercel",
    "netlify",
    "digitalocean",
    "linode",
    "hetzner",
    "oracle",
    "ibm",
    "vmware",
    "citrix",
];

/// Latin letters without their accents, for name lookup (`Tomás` is `tomas`).
fn fold(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ę' | 'ē' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ı' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
            'ñ' | 'ń' => 'n',
            'ç' | 'č' | 'ć' => 'c',
            'ş' | 'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            'ł' => 'l',
            'ğ' => 'g',
            other => other,
        })
        .collect()
}

/// A name that is also a word, where the sentence puts a person: possessive
/// ("Will's change"), a past-tense verb right after it ("Mark deployed"), or,
/// capitalised mid-sentence, anything a person's name may be followed by
/// ("because Jack misconfigured", "and Rose restored").
fn ambiguous_name_acts(tokens: &[Token], i: usize, range: Range<usize>) -> bool {
    let t = &tokens[i];
    if t.all_caps || !AMBIGUOUS_NAMES.contains(t.lower.as_str()) {
        return false;
    }
    if i > range.start && DETERMINERS.contains(&tokens[i - 1].lower.as_str()) {
        return false;
    }
    let next = tokens.get(i + 1).filter(|_| i + 1 < range.end);
    let past_tense = next.is_some_and(|n| {
        n.is_word()
            && !n.capital
            && (n.lower.len() > 4 && n.lower.ends_with("ed")
                || IRREGULAR_PAST.contains(&n.lower.as_str()))
    });
    let human = next.is_some_and(|n| n.is("never") || HUMAN_VERBS.contains(&n.lower.as_str()));
    t.possessive
        || past_tense
        || human
        || i > range.start && next.is_some_and(|n| n.is_word()) && follows_person(next)
}

/// Past tenses that do not end in `-ed`, for telling "Mark ran" from "Mark the
/// ticket".
const IRREGULAR_PAST: &[&str] = &[
    "ran",
    "made",
    "took",
    "broke",
    "wrote",
    "went",
    "saw",
    "chose",
    "sent",
    "set",
    "put",
    "shut",
    "hit",
    "cut",
    "let",
    "left",
    "kept",
    "lost",
    "got",
    "gave",
    "brought",
    "thought",
    "knew",
    "forgot",
    "overrode",
    "mistook",
    "misread",
    "rebuilt",
    "built",
    "caught",
    "held",
    "said",
    "told",
    "found",
    "led",
    "spent",
    "overwrote",
    "undid",
    "drew",
    "threw",
    "slept",
    "shipped",
    "pushed",
    "was",
    "had",
    "did",
    "didn't",
    "wasn't",
    "hadn't",
];

/// Verbs and adverbs of human agency and error: after an unknown capitalised
/// word where a subject starts, they make it a person ("Xiomara forgot to").
const HUMAN_VERBS: &[&str] = &[
    "forgot",
    "neglected",
    "mistyped",
    "misclassified",
    "misrouted",
    "fat-fingered",
    "carelessly",
    "panicked",
    "misread",
    "misjudged",
    "misconfigured",
    "mishandled",
    "misapplied",
    "miscalculated",
    "misunderstood",
    "accidentally",
    "mistakenly",
    "inadvertently",
    "wrongly",
    "ignored",
    "overlooked",
    "botched",
    "rushed",
    "skipped",
    "slept",
    "decided",
    "approved",
    "typed",
    "entered",
    "pasted",
    "copied",
    "clicked",
    "selected",
    "picked",
    "chose",
    "broke",
    "promoted",
    "pushed",
    "merged",
    "shipped",
];

/// What people are asked to do and software is not: left undone, they make
/// an unknown subject a person ("Aiko did not wait").
const HUMAN_DUTIES: &[&str] = &[
    "wait",
    "read",
    "think",
    "bother",
    "care",
    "ask",
    "tell",
    "notify",
    "escalate",
    "follow",
    "consider",
    "realize",
    "realise",
    "understand",
    "communicate",
    "warn",
    "mention",
    "document",
    "review",
    "double-check",
    "pay",
    "listen",
    "answer",
    "respond",
    "inform",
    "consult",
    "coordinate",
    "announce",
    "respect",
    "respected",
    "obey",
    "obeyed",
    "followed",
    "check",
    "checked",
    "test",
    "tested",
];

/// Words after which a new clause, and so maybe a new subject, starts.
const CLAUSE_OPENERS: &[&str] = &[
    "because", "when", "after", "since", "as", "and", "but", "so", "while", "if", "once", "until",
    "before", "although", "though", "then", "that", "whereas",
];

/// An unknown capitalised word where a subject starts (the sentence start, a
/// time, or after `because`, `when`, a comma...), followed by a verb only people do
/// ("Xiomara forgot to ...", "because Jorun misconfigured"): a name not on the
/// lists.
fn acts_like_a_person(tokens: &[Token], i: usize, range: Range<usize>) -> bool {
    // A clock time or a number before it counts as a start: "15:40 Aiko forgot".
    let subject_place = i == range.start
        || tokens[i - 1].kind != Kind::Word
        || tokens[i - 1]
            .lower
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':')
        || CLAUSE_OPENERS.contains(&tokens[i - 1].lower.as_str());
    let next_is = |k: usize, words: &[&str]| {
        tokens
            .get(k)
            .filter(|_| k < range.end)
            .is_some_and(|n| words.contains(&n.lower.as_str()))
    };
    // "Aiko did not wait", "Selin never thought to": not doing what only
    // people are asked to do.
    // "Farhan went rogue", "Maximilian took a shortcut": conduct only people have.
    let conduct = next_is(i + 1, &["went"]) && next_is(i + 2, &["rogue", "off-script"])
        || next_is(i + 1, &["took"])
            && (next_is(i + 2, &["shortcuts"])
                || next_is(i + 2, &["a"]) && next_is(i + 3, &["shortcut"]))
        || next_is(i + 1, &["cut", "cuts"]) && next_is(i + 2, &["corners"]);
    let neglects = next_is(i + 1, &["did", "had", "has", "was"])
        && next_is(i + 2, &["not"])
        && next_is(i + 3, HUMAN_DUTIES)
        || next_is(i + 1, &["didn't", "hadn't", "never"]) && next_is(i + 2, HUMAN_DUTIES);
    let prev_is = |back: usize, words: &[&str]| {
        i >= range.start + back && words.contains(&tokens[i - back].lower.as_str())
    };
    // "because of Marius,", "caused by Ilse.": the cause named alone.
    let named_as_cause = (prev_is(
        2,
        &["because", "due", "thanks", "caused", "blamed", "fault"],
    ) && prev_is(1, &["of", "to", "by", "on"]))
        && tokens
            .get(i + 1)
            .filter(|_| i + 1 < range.end)
            .is_none_or(|n| {
                // "due to Beatrix not escalating", "caused by Solveig restarting"
                !n.is_word() || n.is("not") || n.lower.len() > 5 && n.lower.ends_with("ing")
            })
        // "a typo by Saoirse in the config": the slip is theirs, whatever follows.
        || prev_is(2, &["typo", "typos", "mistake", "mistakes", "slip", "blunder", "oversight"])
            && prev_is(1, &["by"]);
    // "Petra's mistake", "Ilse's fault".
    let owns_fault = tokens[i].possessive
        && next_is(
            i + 1,
            &[
                "mistake",
                "fault",
                "error",
                "oversight",
                "negligence",
                "carelessness",
                "blunder",
                "typo",
                "slip",
                "doing",
                "failure",
                "misconfigured",
                "misconfiguration",
                "broken",
                "bad",
                "wrong",
                "faulty",
                "buggy",
                "sloppy",
                "careless",
                "botched",
                "untested",
                "reckless",
            ],
        );
    // "if Ulrich had checked": a counterfactual about someone's diligence.
    let counterfactual = prev_is(1, &["if", "unless"])
        && next_is(i + 1, &["had"])
        && tokens
            .get(i + 2)
            .is_some_and(|n| n.lower.len() > 4 && n.lower.ends_with("ed"));
    // "Anneliese, who skipped", "Liesel shared her password": people get
    // `who` and personal pronouns, software gets `which` and `it`.
    let acts = tokens
        .get(i + 1)
        .filter(|_| i + 1 < range.end)
        .is_some_and(|n| {
            n.is_word()
                && !n.capital
                && (n.lower.len() > 4 && n.lower.ends_with("ed")
                    || IRREGULAR_PAST.contains(&n.lower.as_str()))
        });
    let personal = next_is(i + 1, &[","]) && next_is(i + 2, &["who"])
        || subject_place
            && acts
            && (i + 2..(i + 8).min(range.end)).any(|k| {
                matches!(
                    tokens[k].lower.as_str(),
                    "his" | "her" | "he" | "she" | "himself" | "herself"
                )
            });
    // "Mirela made an error".
    let erred = next_is(i + 1, &["made"])
        && next_is(i + 2, &["a", "an"])
        && next_is(i + 3, &["error", "mistake", "typo", "blunder", "slip"]);
    // "Leocadia was responsible for the broken backups".
    let answerable = next_is(i + 1, &["was", "is"])
        && next_is(i + 2, &["responsible", "accountable", "culpable"]);
    // "Siobhan O'Connell approved": a surname only people have.
    let surname = tokens
        .get(i + 1)
        .filter(|n| i + 1 < range.end && n.capital && n.start == tokens[i].end + 1)
        .is_some_and(|n| {
            n.lower
                .split_once('\'')
                .is_some_and(|(head, rest)| (1..=2).contains(&head.len()) && rest.len() >= 3)
        });
    let tell = neglects
        || surname
        || conduct
        || personal
        || answerable
        || erred
        || named_as_cause
        || owns_fault
        || counterfactual
        || tokens
            .get(i + 1)
            .filter(|_| i + 1 < range.end)
            .is_some_and(|n| HUMAN_VERBS.contains(&n.lower.as_str()));
    (subject_place || named_as_cause || owns_fault || personal)
        && tell
        && !DETERMINERS.contains(&tokens[i].lower.as_str())
        && !ORGANISATIONS.contains(&tokens[i].lower.as_str())
        && !matches!(
            tokens[i].lower.as_str(),
            "it" | "there"
                | "these"
                | "those"
                | "which"
                | "what"
                | "such"
                | "each"
                | "every"
                | "one"
                | "all"
                | "both"
                | "then"
        )
        && !tokens[i].camel
        && tokens[i].lower.chars().all(char::is_alphabetic)
}

/// A participle with its object at `k`: "an engineer running a script". A
/// bare `-ing` word is often a noun ("the developer tooling"), so the object's
/// determiner is required.
fn participle_clause(tokens: &[Token], k: usize, end: usize) -> bool {
    let ing = k + 1 < end
        && tokens[k].is_word()
        && tokens[k].lower.len() > 5
        && tokens[k].lower.ends_with("ing")
        && (DETERMINERS.contains(&tokens[k + 1].lower.as_str())
            || matches!(
                tokens[k + 1].lower.as_str(),
                "on" | "for" | "in" | "at" | "with" | "to"
            ));
    // "an employee with elevated privileges", "a contractor with admin access"
    let qualified = tokens.get(k).is_some_and(|t| t.is("with"))
        && tokens[k + 1..end.min(k + 5)].iter().any(|t| {
            matches!(
                t.lower.as_str(),
                "access" | "privileges" | "rights" | "permissions" | "credentials" | "role"
            )
        });
    ing || qualified
}

/// A word that may follow a person's name: [`FOLLOWERS`] or a past tense.
fn is_follower(word: &str) -> bool {
    FOLLOWERS.contains(&word) || IRREGULAR_PAST.contains(&word)
}

/// A verb right after a noun: "the lead failed", not "the lead on the cause".
fn acts_next(next: Option<&Token>) -> bool {
    next.is_some_and(|n| {
        n.is_word()
            && (n.lower.len() > 4 && n.lower.ends_with("ed")
                || IRREGULAR_PAST.contains(&n.lower.as_str())
                || matches!(
                    n.lower.as_str(),
                    "was"
                        | "had"
                        | "did"
                        | "didn't"
                        | "never"
                        | "could"
                        | "couldn't"
                        | "should"
                        | "would"
                        | "is"
                        | "has"
                        | "hasn't"
                        | "wasn't"
                ))
    })
}

/// A word that opens a clause and so cannot modify a role ("Had the DBA
/// ...", "If the engineer ...").
fn clause_word(word: &str) -> bool {
    matches!(
        word,
        "if" | "had"
            | "when"
            | "once"
            | "after"
            | "before"
            | "because"
            | "unless"
            | "while"
            | "as"
            | "since"
            | "until"
            | "then"
            | "and"
            | "but"
            | "so"
            | "again"
            | "also"
            | "why"
            | "how"
            | "where"
            | "whether"
            | "though"
            | "although"
    )
}

/// A full stop, a colon or a clock time right before token `i`: a clause
/// starts there even when the writer did not capitalise it ("09:05 alert
/// fires. on-call ...", "13:10 ops pushed ...").
fn after_stop(tokens: &[Token], i: usize, start: usize) -> bool {
    i > start
        && (matches!(tokens[i - 1].lower.as_str(), "." | ":" | ";")
            || tokens[i - 1].lower.contains(':')
                && tokens[i - 1]
                    .lower
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b':'))
}

/// A login written like an e-mail's local part: `j.smith`, `priya.raman`
/// (an initial or a given name, a dot, a surname), not `nginx.conf`.
fn login_name(word: &str) -> bool {
    let Some((first, last)) = word.split_once('.') else {
        return false;
    };
    let letters = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphabetic() || c == '-');
    letters(first)
        && letters(last)
        && last.chars().count() >= 3
        && (first.chars().count() == 1 || GIVEN_NAMES.contains(fold(first).as_str()))
        && !FILE_SUFFIXES.contains(&last)
}

/// The ends of file names and host names, which are never surnames.
const FILE_SUFFIXES: &[&str] = &[
    "com", "net", "org", "dev", "app", "internal", "local", "svc", "cluster", "conf", "yaml",
    "yml", "json", "toml", "ini", "cfg", "xml", "html", "css", "sql", "lock", "pem", "key", "crt",
    "service", "timer", "socket", "log", "txt", "md", "tar", "zip", "exe", "bin", "php", "tmp",
];

/// A capitalised word that names a piece of software: quoted (`'Marvin'`)
/// or right after a software noun ("the service Marvin").
fn named_thing(tokens: &[Token], i: usize, start: usize) -> bool {
    let quoted = i > start
        && tokens[i - 1].kind == Kind::Punct
        && matches!(
            tokens[i - 1].lower.as_str(),
            "'" | "\"" | "\u{2018}" | "\u{201c}"
        )
        && tokens
            .get(i + 1)
            .is_some_and(|n| matches!(n.lower.as_str(), "'" | "\"" | "\u{2019}" | "\u{201d}"));
    // The word before, past an opening quote.
    let after_software = (start..i)
        .rev()
        .take(2)
        .find(|&k| tokens[k].kind == Kind::Word)
        .is_some_and(|k| {
            matches!(
                tokens[k].lower.as_str(),
                "service"
                    | "bot"
                    | "tool"
                    | "server"
                    | "host"
                    | "cluster"
                    | "job"
                    | "daemon"
                    | "app"
                    | "system"
                    | "script"
                    | "pipeline"
                    | "worker"
                    | "robot"
                    | "named"
                    | "codenamed"
            )
        });
    quoted || after_software
}

/// "Ops team to blame": a note's way of putting blame.
fn to_blame(tokens: &[Token], k: usize, end: usize) -> bool {
    k + 1 < end && tokens[k].is("to") && tokens[k + 1].is("blame")
}

/// `by` right before token `i`: "caused by ops pushing ...".
fn after_by(tokens: &[Token], i: usize, start: usize) -> bool {
    i > start && tokens[i - 1].is("by")
}

/// Whether `next` can follow a noun phrase that names a person.
fn follows_person(next: Option<&Token>) -> bool {
    match next {
        None => true,
        Some(n) if n.kind != Kind::Word => true,
        Some(n) => {
            is_follower(&n.lower) || n.lower.len() > 4 && n.lower.ends_with("ed") && !n.capital
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens::tokenize;

    fn found(text: &str, people: &People) -> Vec<(String, Who)> {
        let tokens = tokenize(text);
        mentions(&tokens, 0..tokens.len(), people)
            .into_iter()
            .map(|m| {
                (
                    text[tokens[m.tokens.start].start..tokens[m.tokens.end - 1].end].to_string(),
                    m.who,
                )
            })
            .collect()
    }

    #[test]
    fn names_roles_and_teams_are_people_but_software_is_not() {
        let none = People::default();
        assert_eq!(
            found("Alice rolled back at 12:00", &none),
            [("Alice".to_string(), Who::Named)]
        );
        assert_eq!(
            found("The on-call engineer forgot to check", &none),
            [("The on-call engineer".to_string(), Who::Role)]
        );
        assert_eq!(
            found("the DBA ran a query", &none),
            [("the DBA".to_string(), Who::Role)]
        );
        assert_eq!(
            found("the payments team pushed it", &none),
            [("the payments team".to_string(), Who::Team)]
        );
        assert!(found("The Kubernetes operator restarted", &none).is_empty());
        assert!(
            found("We updated the developer portal", &none)
                .iter()
                .all(|(_, w)| *w == Who::We)
        );
        assert!(found("Travis CI failed", &none).is_empty());
        assert!(found("The on-call rotation was changed", &none).is_empty());
        assert_eq!(
            found("one of our engineers deleted it", &none),
            [("one of our engineers".to_string(), Who::Role)]
        );
    }

    /// Sentences with exactly one mention: its words and kind. Each line was
    /// a miss of a blind labelled batch (see tests/data/labelled.tsv).
    const ONE_MENTION: &[(&str, &str, Who)] = &[
        // A clause word is not part of the role.
        ("Had the DBA been paying attention", "the DBA", Who::Role),
        (
            "The support lead failed to escalate",
            "The support lead",
            Who::Role,
        ),
        ("the lead failed to escalate", "the lead", Who::Role),
        // Departments after a full stop, a clock time or "by".
        ("alert fires. on-call ignored it", "on-call", Who::Team),
        ("caused by ops pushing a rule", "ops", Who::Team),
        ("13:10 ops pushed a broken config", "ops", Who::Team),
        (
            "was performed by the intern using shared credentials",
            "the intern",
            Who::Role,
        ),
        // Groups of people.
        (
            "the night shift neglected to check",
            "the night shift",
            Who::Team,
        ),
        (
            "ignored by the payments squad",
            "the payments squad",
            Who::Team,
        ),
        (
            "rushed out by the mobile team without tests",
            "the mobile team",
            Who::Team,
        ),
        ("the NOC missed the alert", "the NOC", Who::Team),
        (
            "caused by L1 support, who reset it",
            "L1 support",
            Who::Team,
        ),
        (
            "Engineering staff should have seen it",
            "Engineering staff",
            Who::Team,
        ),
        (
            "because product management neglected to tell",
            "product management",
            Who::Team,
        ),
        (
            "Remote hands pulled the wrong drive",
            "Remote hands",
            Who::Team,
        ),
        ("Ops team to blame for the outage", "Ops team", Who::Team),
        // Roles, however they are written.
        (
            "a member of our release team pushed it",
            "a member of our release team",
            Who::Role,
        ),
        (
            "an operator failing to follow the rule",
            "an operator",
            Who::Role,
        ),
        (
            "An employee with elevated privileges ran it",
            "An employee",
            Who::Role,
        ),
        (
            "one of our support agents changed it",
            "one of our support agents",
            Who::Role,
        ),
        (
            "A new help desk hire ignored it",
            "A new help desk hire",
            Who::Role,
        ),
        (
            "the vendor management contractor forgot",
            "the vendor management contractor",
            Who::Role,
        ),
        ("Intern dropped the users table", "Intern", Who::Role),
        (
            "The night-shift operator ignored the alarm",
            "The night-shift operator",
            Who::Role,
        ),
        ("DBA forgot to take a backup", "DBA", Who::Role),
        // Names, titles and logins.
        (
            "Siobhan O'Connell approved the change",
            "Siobhan O'Connell",
            Who::Named,
        ),
        ("Dr. Petrov disabled the alarms", "Dr. Petrov", Who::Named),
        ("Mr Haddad's cabling work", "Mr Haddad", Who::Named),
        ("User jdoe pasted the key", "jdoe", Who::Named),
        ("08:03 b.mueller ignored the check", "b.mueller", Who::Named),
        ("priya.raman approved it", "priya.raman", Who::Named),
        ("Marvin failed to post", "Marvin", Who::Named),
    ];

    /// Sentences that mention no one (or only the writers).
    const NO_ONE: &[&str] = &[
        "a lead on the cause",
        "we followed the lead on the cause",
        "the ops dashboard was red",
        "the shift to the new region",
        "The team fixed it",
        "we need remote hands access",
        "each user check-in caused a read",
        "banned the fake user and removed the packages",
        "the build agent filled up",
        "a misunderstanding within the team responsible for signing",
        "Owner field was empty",
        "nginx.conf changed",
        "j.service failed",
        "The label service 'Marvin' failed to reconnect",
        "the chat bot Marvin failed to post",
        "The cert-manager operator stopped renewing certificates",
    ];

    #[test]
    fn people_written_as_notes_logins_titles_and_groups() {
        let none = People::default();
        for (text, who, kind) in ONE_MENTION {
            assert_eq!(found(text, &none), [(who.to_string(), *kind)], "{text}");
        }
        for text in NO_ONE {
            let found = found(text, &none);
            assert!(
                found.iter().all(|(_, w)| *w == Who::We),
                "{text}: {found:?}"
            );
        }
    }

    #[test]
    fn names_that_are_words_are_people_only_in_a_persons_place() {
        let none = People::default();
        let named = |text: &str| {
            found(text, &none)
                .into_iter()
                .filter(|(_, w)| *w == Who::Named)
                .map(|(name, _)| name)
                .collect::<Vec<_>>()
        };
        assert_eq!(named("Mark deployed the fix"), ["Mark"]);
        assert_eq!(
            named("Because Jack misconfigured the pool, it failed"),
            ["Jack"]
        );
        assert_eq!(named("The change was Will's"), ["Will"]);
        assert_eq!(named("Mark never reads the notes"), ["Mark"]);
        assert!(named("Mark the ticket as resolved").is_empty());
        assert!(named("Max connections were reached").is_empty());
        assert!(named("Grant access to the bucket").is_empty());
        assert!(named("We set the Max Pool Size to 10").is_empty());
        // Unknown names where the sentence treats them as people.
        assert_eq!(
            named("The outage is on Anneliese, who skipped it"),
            ["Anneliese"]
        );
        assert_eq!(named("Liesel shared her password"), ["Liesel"]);
        assert_eq!(named("It was due to Beatrix not escalating"), ["Beatrix"]);
        assert_eq!(named("The outage was Petra's mistake"), ["Petra"]);
        assert!(named("If the cache had expired, he would have seen it").is_empty());
        assert!(named("This was due to PGAudit.").is_empty());
        assert!(named("Flagger promoted the canary").is_empty());
        // Unknown names act like people where a subject starts.
        assert_eq!(
            named("After Xiomara misconfigured the proxy, it failed"),
            ["Xiomara"]
        );
        assert!(named("After Kubernetes restarted the pod, it recovered").is_empty());
    }

    #[test]
    fn the_postmortems_people_are_known_by_handle_and_name() {
        let people = People::new(["priya.raman", "@tom"]);
        assert_eq!(found("Raman paged priya.raman", &people).len(), 2);
        assert_eq!(
            found("@tom acked", &people),
            [("@tom".to_string(), Who::Named)]
        );
    }
}
