//! The secrets of a new login session.

use crate::AuthError;
use crate::secret::{random_text, sha256_hex};

/// Characters of a session id (about 256 bits) and of a CSRF token (about 190).
const SESSION_ID_LEN: usize = 43;
const CSRF_LEN: usize = 32;

/// What a login makes: the cookie value (sent to the browser only), the
/// SHA-256 the store keeps it under, and the session's CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecrets {
    pub cookie: String,
    pub id_hash: String,
    pub csrf_token: String,
}

impl SessionSecrets {
    pub fn generate() -> Result<Self, AuthError> {
        let cookie = random_text(SESSION_ID_LEN)?;
        Ok(SessionSecrets {
            id_hash: Self::id_hash(&cookie),
            cookie,
            csrf_token: random_text(CSRF_LEN)?,
        })
    }

    /// The store's key of the session whose cookie holds `cookie`.
    pub fn id_hash(cookie: &str) -> String {
        sha256_hex(cookie)
    }
}

/// Never prints the cookie.
impl std::fmt::Debug for SessionSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionSecrets")
            .field("id_hash", &self.id_hash)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_of_the_cookie_and_secrets_are_fresh() {
        let a = SessionSecrets::generate().unwrap();
        let b = SessionSecrets::generate().unwrap();
        assert_eq!(a.id_hash, SessionSecrets::id_hash(&a.cookie));
        assert_eq!(a.cookie.len(), SESSION_ID_LEN);
        assert_eq!(a.csrf_token.len(), CSRF_LEN);
        assert_ne!(a.cookie, b.cookie);
        assert_ne!(a.csrf_token, b.csrf_token);
        assert!(!format!("{a:?}").contains(&a.cookie));
    }
}
