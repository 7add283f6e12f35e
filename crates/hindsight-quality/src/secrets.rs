//! Credentials pasted from logs: the detectors behind the `secret/*` rules and
//! behind redaction, so that what the linter reports is what an export removes.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// What kind of credential a match is. The kind names the lint rule
/// (`secret/<kind>`) and the redaction marker (`[REDACTED:<kind>]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    AwsAccessKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    SlackWebhook,
    PrivateKey,
    Jwt,
    ApiKey,
    UrlCredentials,
    PasswordAssignment,
}

impl SecretKind {
    pub const ALL: [SecretKind; 10] = [
        SecretKind::AwsAccessKey,
        SecretKind::GithubToken,
        SecretKind::GitlabToken,
        SecretKind::SlackToken,
        SecretKind::SlackWebhook,
        SecretKind::PrivateKey,
        SecretKind::Jwt,
        SecretKind::ApiKey,
        SecretKind::UrlCredentials,
        SecretKind::PasswordAssignment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKey => "aws-access-key",
            SecretKind::GithubToken => "github-token",
            SecretKind::GitlabToken => "gitlab-token",
            SecretKind::SlackToken => "slack-token",
            SecretKind::SlackWebhook => "slack-webhook",
            SecretKind::PrivateKey => "private-key",
            SecretKind::Jwt => "jwt",
            SecretKind::ApiKey => "api-key",
            SecretKind::UrlCredentials => "url-credentials",
            SecretKind::PasswordAssignment => "password-assignment",
        }
    }
}

/// One detector: a pattern, and which capture group is the secret itself.
struct Detector {
    kind: SecretKind,
    pattern: Regex,
    group: usize,
}

fn detector(kind: SecretKind, pattern: &str, group: usize) -> Detector {
    Detector {
        kind,
        pattern: Regex::new(pattern)
            .unwrap_or_else(|e| unreachable!("secret pattern {kind:?}: {e}")),
        group,
    }
}

static DETECTORS: LazyLock<Vec<Detector>> = LazyLock::new(|| {
    vec![
        detector(
            SecretKind::PrivateKey,
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\n]*)",
            0,
        ),
        detector(
            SecretKind::AwsAccessKey,
            r"\b((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16})\b",
            1,
        ),
        detector(
            SecretKind::GithubToken,
            r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
            1,
        ),
        detector(
            SecretKind::GitlabToken,
            r"\b(gl(?:pat|dt|rt|ptt|ft|cbt|oas|imt|agent)-[A-Za-z0-9_\-]{20,64})\b",
            1,
        ),
        detector(
            SecretKind::SlackWebhook,
            r"(https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{20,})",
            1,
        ),
        detector(
            SecretKind::SlackToken,
            r"\b(xox[abposre]-[A-Za-z0-9\-]{10,})\b",
            1,
        ),
        detector(
            SecretKind::Jwt,
            r"\b(eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})",
            1,
        ),
        detector(
            SecretKind::ApiKey,
            r"\b((?:sk|rk)_live_[A-Za-z0-9]{16,}|AIza[A-Za-z0-9_\-]{35}|npm_[A-Za-z0-9]{36}|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}|SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}|glc_[A-Za-z0-9+/]{32,}={0,2}|dop_v1_[a-f0-9]{64})",
            1,
        ),
        detector(
            SecretKind::UrlCredentials,
            r"\b[a-z][a-z0-9+.\-]*://[^\s:/@`]+:([^\s@/`]{3,})@[^\s/`]+",
            1,
        ),
        detector(
            SecretKind::PasswordAssignment,
            r#"(?i)(?:password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key|auth[_\-]?key|private[_\-]?key|client[_\-]?secret|credentials?)["']?\s*(?:[:=]|=>|:=)\s*["']?([^\s"'`,;\])}<>]{8,})"#,
            1,
        ),
    ]
});

/// Values that look like secrets but are documentation placeholders.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)example|dummy|placeholder|redacted|changeme|your[_\-]|xxxx|\*\*\*|\$\{|\{\{|<[a-z_\-]+>|^[a-z_\-]+$|^\[")
        .unwrap_or_else(|e| unreachable!("placeholder pattern: {e}"))
});

/// A credential found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    pub kind: SecretKind,
    /// The secret value's bytes in the text (the part to redact).
    pub range: Range<usize>,
}

/// How the detectors decide: allowlisted values and the entropy a
/// `password=...` value needs to count.
#[derive(Debug, Clone)]
pub struct SecretPolicy {
    pub allow: Vec<Regex>,
    /// Bits per character (Shannon) a generic `token=...` value needs.
    pub min_entropy: f64,
}

impl Default for SecretPolicy {
    fn default() -> Self {
        SecretPolicy {
            allow: Vec::new(),
            min_entropy: 3.0,
        }
    }
}

impl SecretPolicy {
    /// Every credential in `text`, in order, without overlaps.
    pub fn scan(&self, text: &str) -> Vec<SecretMatch> {
        let mut found: Vec<SecretMatch> = Vec::new();
        for d in DETECTORS.iter() {
            // Find with the fast engine first; resolve the group only where there is a match.
            for whole in d.pattern.find_iter(text) {
                let Some(caps) = d.pattern.captures_at(text, whole.start()) else {
                    continue;
                };
                let Some(m) = caps.get(d.group) else { continue };
                let value = m.as_str();
                if PLACEHOLDER.is_match(value) || self.allow.iter().any(|a| a.is_match(value)) {
                    continue;
                }
                if d.kind == SecretKind::PasswordAssignment && !self.random_enough(value) {
                    continue;
                }
                let range = m.range();
                if found
                    .iter()
                    .any(|f| f.range.start < range.end && range.start < f.range.end)
                {
                    continue;
                }
                found.push(SecretMatch {
                    kind: d.kind,
                    range,
                });
            }
        }
        found.sort_by_key(|f| f.range.start);
        found
    }

    /// A password or token value: mixed characters with enough entropy, not a word.
    fn random_enough(&self, value: &str) -> bool {
        let classes = [
            value.chars().any(|c| c.is_ascii_lowercase()),
            value.chars().any(|c| c.is_ascii_uppercase()),
            value.chars().any(|c| c.is_ascii_digit()),
            value.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        classes.iter().filter(|&&c| c).count() >= 2 && entropy(value) >= self.min_entropy
    }
}

/// Shannon entropy in bits per character.
pub fn entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        SecretPolicy::default()
            .scan(text)
            .into_iter()
            .map(|m| m.kind.as_str())
            .collect()
    }

    #[test]
    fn credentials_from_logs_are_found() {
        assert_eq!(kinds("key AKIAZ7QX2MN4PL8RWT3Y in env"), ["aws-access-key"]);
        assert_eq!(
            kinds("token ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"),
            ["github-token"]
        );
        assert_eq!(kinds("glpat-Xy7zAb3Cd5Ef7Gh9Ij1K"), ["gitlab-token"]);
        assert_eq!(kinds("xoxb-1234567890-abcdefghijkl"), ["slack-token"]);
        assert_eq!(
            kinds("https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX"),
            ["slack-webhook"]
        );
        assert_eq!(
            kinds("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
            ["private-key"]
        );
        assert_eq!(
            kinds(
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            ),
            ["jwt"]
        );
        assert_eq!(kinds("DB_PASSWORD=hT8#kq2Lz9!wXm"), ["password-assignment"]);
        assert_eq!(
            kinds("postgres://app:s3cr3tPw@db.internal:5432/app"),
            ["url-credentials"]
        );
    }

    #[test]
    fn placeholders_words_and_allowlisted_values_are_not_secrets() {
        assert!(kinds("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(kinds("password: changeme123").is_empty());
        assert!(kinds("the token expired; password_reset_required").is_empty());
        assert!(kinds("token=${GITHUB_TOKEN}").is_empty());
        assert!(kinds("password: [REDACTED:password-assignment]").is_empty());
        let policy = SecretPolicy {
            allow: vec![Regex::new("^AKIAZ7").unwrap()],
            ..Default::default()
        };
        assert!(policy.scan("AKIAZ7QX2MN4PL8RWT3Y").is_empty());
    }
}
