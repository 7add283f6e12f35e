//! API tokens: `hs_<prefix>_<secret>`. The prefix (8 characters) tells tokens
//! apart in lists and logs; the whole token is shown once, at creation, and the
//! store keeps its SHA-256 ([`Token::hash`]).

use std::fmt;
use std::str::FromStr;

use crate::AuthError;
use crate::secret::{is_alphabet, random_text, sha256_hex};

const MARK: &str = "hs_";
/// Characters of the public prefix.
pub const PREFIX_LEN: usize = 8;
/// Characters of the secret part (about 238 bits).
pub const SECRET_LEN: usize = 40;

/// A whole API token. `Display` writes it out (only ever to its new owner);
/// `Debug` shows the prefix only.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    prefix: String,
    secret: String,
}

impl Token {
    /// A new random token.
    pub fn generate() -> Result<Self, AuthError> {
        Ok(Token {
            prefix: random_text(PREFIX_LEN)?,
            secret: random_text(SECRET_LEN)?,
        })
    }

    /// Reads a token as a client sent it (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, AuthError> {
        let rest = text
            .trim()
            .strip_prefix(MARK)
            .ok_or(AuthError::MalformedToken)?;
        let (prefix, secret) = rest.split_once('_').ok_or(AuthError::MalformedToken)?;
        let well_formed = prefix.len() == PREFIX_LEN
            && secret.len() == SECRET_LEN
            && is_alphabet(prefix)
            && is_alphabet(secret);
        if !well_formed {
            return Err(AuthError::MalformedToken);
        }
        Ok(Token {
            prefix: prefix.to_string(),
            secret: secret.to_string(),
        })
    }

    /// The public part, stored beside the token and shown in lists.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The SHA-256 (hex) of the whole token: what the store finds it by.
    pub fn hash(&self) -> String {
        sha256_hex(&self.to_string())
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{MARK}{}_{}", self.prefix, self.secret)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({MARK}{}_…)", self.prefix)
    }
}

impl FromStr for Token {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, AuthError> {
        Token::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn generated_tokens_round_trip_and_hide_their_secret_in_debug() {
        let token = Token::generate().unwrap();
        let text = token.to_string();
        assert_eq!(text.len(), MARK.len() + PREFIX_LEN + 1 + SECRET_LEN);
        assert_eq!(Token::parse(&text).unwrap(), token);
        assert_eq!(Token::parse(&format!(" {text}\n")).unwrap(), token);
        assert!(text.starts_with(&format!("hs_{}_", token.prefix())));
        assert!(!format!("{token:?}").contains(&token.secret));
        assert_eq!(token.hash(), sha256_hex(&text));
        assert_ne!(Token::generate().unwrap(), token);
    }

    #[test]
    fn malformed_tokens_are_refused_without_echoing_them() {
        let good = format!("hs_{}_{}", "a".repeat(8), "b".repeat(40));
        assert!(Token::parse(&good).is_ok());
        for bad in [
            String::new(),
            "hs_".to_string(),
            good.replacen("hs_", "hx_", 1),
            good.replacen("hs_", "HS_", 1),
            format!("hs_{}_{}", "a".repeat(7), "b".repeat(40)),
            format!("hs_{}_{}", "a".repeat(8), "b".repeat(41)),
            format!("hs_{}-{}", "a".repeat(8), "b".repeat(40)),
            format!("hs_{}_{}_", "a".repeat(8), "b".repeat(40)),
            format!("hs_{}_{}é", "a".repeat(8), "b".repeat(39)),
            format!("Bearer {good}"),
        ] {
            let err = Token::parse(&bad).unwrap_err();
            assert!(matches!(err, AuthError::MalformedToken), "{bad}");
            assert!(!err.to_string().contains("bbbb"));
        }
    }

    proptest! {
        #[test]
        fn well_formed_tokens_parse_to_themselves(
            prefix in "[A-Za-z0-9]{8}",
            secret in "[A-Za-z0-9]{40}",
        ) {
            let text = format!("hs_{prefix}_{secret}");
            let token = Token::parse(&text).unwrap();
            prop_assert_eq!(token.prefix(), prefix.as_str());
            prop_assert_eq!(token.to_string(), text);
        }

        #[test]
        fn anything_that_parses_prints_back_trimmed(text in "\\PC{0,80}") {
            if let Ok(token) = Token::parse(&text) {
                prop_assert_eq!(token.to_string(), text.trim());
            }
        }

        #[test]
        fn near_misses_are_refused(
            prefix in "[A-Za-z0-9]{0,12}",
            secret in "[A-Za-z0-9_-]{0,48}",
        ) {
            let text = format!("hs_{prefix}_{secret}");
            let valid = prefix.len() == PREFIX_LEN
                && secret.len() == SECRET_LEN
                && secret.bytes().all(|b| b.is_ascii_alphanumeric());
            prop_assert_eq!(Token::parse(&text).is_ok(), valid);
        }
    }
}
