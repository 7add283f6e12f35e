//! Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane),
//! stored as PHC strings that carry their parameters, so stronger settings
//! later still verify old hashes.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::AuthError;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes (bounds the hashing work per request).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// OWASP's argon2id recommendation: m = 19456 KiB, t = 2, p = 1.
fn argon2() -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Refuses passwords that are too short, too long or blank.
pub fn check_password_policy(password: &str) -> Result<(), AuthError> {
    if password.trim().is_empty() {
        return Err(AuthError::PasswordBlank);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::PasswordTooLong {
            max: MAX_PASSWORD_BYTES,
        });
    }
    Ok(())
}

/// The argon2id PHC string of `password` with a fresh random salt, after
/// [`check_password_policy`].
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    check_password_policy(password)?;
    hash_unchecked(password)
}

fn hash_unchecked(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hashing(e.to_string()))?;
    let hash = argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// A hash no password matches in practice, verified against when an account
/// has no password (or does not exist), so a failed login takes as long
/// either way and does not tell which names exist.
static DUMMY_HASH: LazyLock<Result<String, String>> =
    LazyLock::new(|| hash_unchecked("hindsight dummy password").map_err(|e| e.to_string()));

/// Whether `password` matches the stored PHC string `stored`. With no stored
/// hash the answer is `false`, after the same work as a real check. Passwords
/// longer than [`MAX_PASSWORD_BYTES`] never match and are not hashed.
pub fn verify_password(password: &str, stored: Option<&str>) -> Result<bool, AuthError> {
    let dummy;
    let (phc, real) = match stored {
        Some(phc) => (phc, true),
        None => {
            dummy = DUMMY_HASH.clone().map_err(AuthError::Hashing)?;
            (dummy.as_str(), false)
        }
    };
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    let parsed = PasswordHash::new(phc).map_err(|e| AuthError::BadHash(e.to_string()))?;
    // The parameters come from the stored string; the algorithm must be argon2id.
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return Err(AuthError::BadHash(format!(
            "algorithm `{}` is not argon2id",
            parsed.algorithm
        )));
    }
    match argon2()?.verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(real),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(AuthError::BadHash(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_their_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", Some(&hash)).unwrap());
        assert!(!verify_password("correct horse batterY", Some(&hash)).unwrap());
        assert_ne!(hash_password("correct horse battery").unwrap(), hash);
    }

    #[test]
    fn no_stored_hash_never_verifies() {
        assert!(!verify_password("hindsight dummy password", None).unwrap());
        assert!(!verify_password("anything at all here", None).unwrap());
    }

    #[test]
    fn unreadable_or_foreign_hashes_are_errors() {
        assert!(matches!(
            verify_password("whatever password", Some("not a hash")),
            Err(AuthError::BadHash(_))
        ));
        let argon2i = "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert!(matches!(
            verify_password("whatever password", Some(argon2i)),
            Err(AuthError::BadHash(_))
        ));
    }

    #[test]
    fn the_policy_refuses_short_blank_and_huge_passwords() {
        assert!(matches!(
            check_password_policy("short"),
            Err(AuthError::PasswordTooShort { min: 12 })
        ));
        assert!(matches!(
            check_password_policy("            "),
            Err(AuthError::PasswordBlank)
        ));
        assert!(matches!(
            check_password_policy(""),
            Err(AuthError::PasswordBlank)
        ));
        assert!(matches!(
            check_password_policy(&"x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(AuthError::PasswordTooLong { .. })
        ));
        assert!(check_password_policy("twelve chars").is_ok());
        assert!(hash_password("short").is_err());
        let long = "y".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(!verify_password(&long, Some(&hash_password("twelve chars").unwrap())).unwrap());
    }
}
