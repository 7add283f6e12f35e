//! HMAC-SHA256 signatures of the senders that sign: GitHub
//! (`X-Hub-Signature-256: sha256=<hex>`) and PagerDuty
//! (`X-PagerDuty-Signature: v1=<hex>,v1=<hex>`, one value per active secret).
//!
//! Every check takes a list of secrets, so a secret can be rotated without a
//! window of refused deliveries: configure the new one next to the old one,
//! switch the sender, then drop the old one. Comparisons are constant-time
//! (`Mac::verify_slice`).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::SignatureError;

pub const GITHUB_HEADER: &str = "x-hub-signature-256";
pub const PAGERDUTY_HEADER: &str = "x-pagerduty-signature";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (longer ones are hashed): the `Result` of
    // the generic `KeyInit` interface is never an error here.
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

/// The hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

/// The `X-Hub-Signature-256` value GitHub sends for `body`.
pub fn github_header(secret: &[u8], body: &[u8]) -> String {
    format!("sha256={}", sign(secret, body))
}

/// The `X-PagerDuty-Signature` value PagerDuty sends for `body`, one `v1=`
/// value per secret.
pub fn pagerduty_header<S: AsRef<[u8]>>(secrets: &[S], body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| format!("v1={}", sign(s.as_ref(), body)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether one of `secrets` signed `body` with `signature` (raw bytes).
fn matches_any<S: AsRef<[u8]>>(secrets: &[S], body: &[u8], signature: &[u8]) -> bool {
    secrets
        .iter()
        .any(|s| mac(s.as_ref(), body).verify_slice(signature).is_ok())
}

/// Checks a GitHub delivery's `X-Hub-Signature-256` header.
pub fn verify_github<S: AsRef<[u8]>>(
    secrets: &[S],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    const NAME: &str = "X-Hub-Signature-256";
    if secrets.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing(NAME))?;
    let signature = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(SignatureError::Malformed(NAME))?;
    if matches_any(secrets, body, &signature) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch(NAME))
    }
}

/// Checks a PagerDuty delivery's `X-PagerDuty-Signature` header: it holds one
/// `v1=` value per secret the subscription has (two while PagerDuty rotates);
/// one valid value under one of `secrets` is enough. Values of other schemes
/// are skipped, as PagerDuty asks.
pub fn verify_pagerduty<S: AsRef<[u8]>>(
    secrets: &[S],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    const NAME: &str = "X-PagerDuty-Signature";
    if secrets.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing(NAME))?;
    let signatures: Vec<Vec<u8>> = header
        .split(',')
        .filter_map(|v| v.trim().strip_prefix("v1="))
        .filter_map(|h| hex::decode(h).ok())
        .collect();
    if signatures.is_empty() {
        return Err(SignatureError::Malformed(NAME));
    }
    if signatures.iter().any(|s| matches_any(secrets, body, s)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch(NAME))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_signature_matches_the_documented_example() {
        // GitHub's documentation: secret "It's a Secret to Everybody",
        // payload "Hello, World!".
        let header = github_header(b"It's a Secret to Everybody", b"Hello, World!");
        assert_eq!(
            header,
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    #[test]
    fn github_rejects_missing_malformed_and_wrong_signatures() {
        let body = b"{}";
        let good = github_header(b"s3cret", body);
        assert_eq!(verify_github(&["s3cret"], body, Some(&good)), Ok(()));
        assert_eq!(
            verify_github(&["other"], body, Some(&good)),
            Err(SignatureError::Mismatch("X-Hub-Signature-256"))
        );
        assert_eq!(
            verify_github(&["s3cret"], body, None),
            Err(SignatureError::Missing("X-Hub-Signature-256"))
        );
        assert_eq!(
            verify_github(&["s3cret"], body, Some("sha1=abcd")),
            Err(SignatureError::Malformed("X-Hub-Signature-256"))
        );
        let none: [&str; 0] = [];
        assert_eq!(
            verify_github(&none, body, Some(&good)),
            Err(SignatureError::NoSecret)
        );
    }

    #[test]
    fn pagerduty_accepts_any_v1_value_under_any_secret() {
        let body = br#"{"event":{}}"#;
        // PagerDuty rotating: it signs with old and new; we know only the new one.
        let header = pagerduty_header(&["old", "new"], body);
        assert_eq!(verify_pagerduty(&["new"], body, Some(&header)), Ok(()));
        // We rotated first: we know both, PagerDuty still signs with the old one.
        let header = pagerduty_header(&["old"], body);
        assert_eq!(
            verify_pagerduty(&["new", "old"], body, Some(&header)),
            Ok(())
        );
        assert_eq!(
            verify_pagerduty(&["new"], body, Some(&header)),
            Err(SignatureError::Mismatch("X-PagerDuty-Signature"))
        );
        let mixed = format!("v2=zz, {header}");
        assert_eq!(verify_pagerduty(&["old"], body, Some(&mixed)), Ok(()));
        assert_eq!(
            verify_pagerduty(&["old"], body, Some("v2=abcd")),
            Err(SignatureError::Malformed("X-PagerDuty-Signature"))
        );
        assert_eq!(
            verify_pagerduty(&["old"], b"tampered", Some(&header)),
            Err(SignatureError::Mismatch("X-PagerDuty-Signature"))
        );
    }
}
