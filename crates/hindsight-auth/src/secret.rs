//! Random text, hashing of secrets, and comparison that takes the same time
//! whatever the inputs share.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AuthError;

/// The characters of generated secrets: URL-, cookie- and shell-safe.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` characters drawn uniformly from the 62 letters and digits (about 5.95
/// bits each) from the operating system's generator.
pub fn random_text(len: usize) -> Result<String, AuthError> {
    let mut text = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while text.len() < len {
        getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
        // Rejection sampling: 248 = 4 * 62, so the kept bytes map uniformly.
        for b in bytes.iter().filter(|b| **b < 248) {
            if text.len() == len {
                break;
            }
            text.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
        }
    }
    Ok(text)
}

/// The SHA-256 of `secret`, in lowercase hex: what the store keeps and looks
/// up instead of a token or session secret.
pub fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths:
/// for checking a CSRF token or a signature against the expected one.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

pub(crate) fn is_alphabet(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_text_has_the_length_and_alphabet_and_differs() {
        let a = random_text(40).unwrap();
        let b = random_text(40).unwrap();
        assert_eq!(a.len(), 40);
        assert!(is_alphabet(&a));
        assert_ne!(a, b);
        assert_eq!(random_text(0).unwrap(), "");
        assert_eq!(random_text(200).unwrap().len(), 200);
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("csrf-1", "csrf-1"));
        assert!(!constant_time_eq("csrf-1", "csrf-2"));
        assert!(!constant_time_eq("csrf", "csrf-1"));
        assert!(constant_time_eq("", ""));
    }
}
