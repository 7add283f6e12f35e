//! `secret/*`: credentials pasted from logs. One rule per kind of credential,
//! all backed by the detectors of [`crate::secrets`].

use std::ops::Range;

use super::Ctx;
use crate::finding::{Family, Rule, Severity};
use crate::secrets::{SecretKind, SecretPolicy};

macro_rules! secret_rule {
    ($name:ident, $id:literal, $summary:literal, $example:literal) => {
        pub const $name: Rule = Rule {
            id: $id,
            family: Family::Secret,
            severity: Severity::Error,
            summary: $summary,
            example: $example,
        };
    };
}

secret_rule!(
    AWS_ACCESS_KEY,
    "secret/aws-access-key",
    "An AWS access key id",
    "AKIAZ7QX2MN4PL8RWT3Y"
);
secret_rule!(
    GITHUB_TOKEN,
    "secret/github-token",
    "A GitHub token (ghp_, gho_, ghs_, github_pat_ ...)",
    "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
);
secret_rule!(
    GITLAB_TOKEN,
    "secret/gitlab-token",
    "A GitLab token (glpat- ...)",
    "glpat-Xy7zAb3Cd5Ef7Gh9Ij1K"
);
secret_rule!(
    SLACK_TOKEN,
    "secret/slack-token",
    "A Slack token (xoxb-, xoxp- ...)",
    "xoxb-1234567890-abcdefghijkl"
);
secret_rule!(
    SLACK_WEBHOOK,
    "secret/slack-webhook",
    "A Slack incoming-webhook URL",
    "https://hooks.slack.com/services/T000/B000/XXXXabcdEFGH1234ijkl"
);
secret_rule!(
    PRIVATE_KEY,
    "secret/private-key",
    "A private key block",
    "-----BEGIN RSA PRIVATE KEY-----"
);
secret_rule!(
    JWT,
    "secret/jwt",
    "A JSON Web Token",
    "eyJhbGciOi....eyJzdWIiOi....signature"
);
secret_rule!(
    API_KEY,
    "secret/api-key",
    "A vendor API key (Stripe sk_live_, Google AIza, npm_, SendGrid SG. ...)",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
);
secret_rule!(
    URL_CREDENTIALS,
    "secret/url-credentials",
    "A password inside a URL",
    "postgres://app:s3cr3tPw@db.internal:5432/app"
);
secret_rule!(
    PASSWORD_ASSIGNMENT,
    "secret/password-assignment",
    "A password, token or key assigned a random-looking value",
    "DB_PASSWORD=hT8#kq2Lz9!wXm"
);

/// The rule that reports a kind of secret.
pub fn rule_for(kind: SecretKind) -> &'static Rule {
    match kind {
        SecretKind::AwsAccessKey => &AWS_ACCESS_KEY,
        SecretKind::GithubToken => &GITHUB_TOKEN,
        SecretKind::GitlabToken => &GITLAB_TOKEN,
        SecretKind::SlackToken => &SLACK_TOKEN,
        SecretKind::SlackWebhook => &SLACK_WEBHOOK,
        SecretKind::PrivateKey => &PRIVATE_KEY,
        SecretKind::Jwt => &JWT,
        SecretKind::ApiKey => &API_KEY,
        SecretKind::UrlCredentials => &URL_CREDENTIALS,
        SecretKind::PasswordAssignment => &PASSWORD_ASSIGNMENT,
    }
}

const MESSAGE: &str =
    "rotate it now (it has been shared), then replace it with `[REDACTED]` or a placeholder";

pub fn check(ctx: &mut Ctx) {
    let found: Vec<_> = ctx
        .fields
        .iter()
        .flat_map(|f| {
            ctx.config
                .secrets
                .scan(f.text)
                .into_iter()
                .map(move |m| (f.path.clone(), f.text, m))
        })
        .collect();
    for (path, text, m) in found {
        ctx.report(
            rule_for(m.kind),
            &path,
            text,
            Some(m.range.clone()),
            format!(
                "{} in the text: a credential must never be in a postmortem",
                rule_for(m.kind).summary.to_lowercase()
            ),
            Some(MESSAGE.to_string()),
        );
    }
}

/// Secrets in a raw file (front matter and comments included), as rules and byte ranges.
pub fn scan_source(
    policy: &SecretPolicy,
    source: &str,
) -> Vec<(&'static Rule, Range<usize>, String, String)> {
    policy
        .scan(source)
        .into_iter()
        .map(|m| {
            let rule = rule_for(m.kind);
            (
                rule,
                m.range,
                format!(
                    "{} in the text: a credential must never be in a postmortem",
                    rule.summary.to_lowercase()
                ),
                MESSAGE.to_string(),
            )
        })
        .collect()
}
