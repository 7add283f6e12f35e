//! Copying a whole store, for moving a deployment between backends: every
//! postmortem exactly as stored (keys, versions, times) and the whole audit log,
//! including the history of deleted postmortems; the accounts with their
//! password hashes, the API tokens with their secret hashes (so tokens keep
//! working) and the account log. Sessions are not copied: people log in again.

use hindsight_core::{AuditEntry, Postmortem};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::accounts::{AccountEvent, ApiToken, User};
use crate::{Result, Store, StoreError};

/// Everything a store holds, in storage order. Two stores with equal dumps give
/// the same answers to every query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    /// Every postmortem, in the order it was first stored.
    pub postmortems: Vec<Postmortem>,
    /// The audit log, oldest entry first.
    pub audit_log: Vec<AuditEntry>,
    /// Every account, by name (case-insensitively).
    #[serde(default)]
    pub users: Vec<UserRecord>,
    /// Every API token, in the order it was created.
    #[serde(default)]
    pub tokens: Vec<TokenRecord>,
    /// The account log, oldest event first.
    #[serde(default)]
    pub account_events: Vec<AccountEvent>,
}

/// An account with its password hash (an argon2id PHC string), as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: Option<String>,
}

/// An API token with the SHA-256 of its secret, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub token: ApiToken,
    pub secret_hash: String,
}

impl Dump {
    /// SHA-256 of the dump's JSON, in hex: equal dumps, on any backend, have
    /// equal checksums, so a copy can be checked against its source by value.
    pub fn checksum(&self) -> Result<String> {
        let json = serde_json::to_vec(self)
            .map_err(|e| StoreError::Invalid(format!("cannot serialise the dump: {e}")))?;
        let digest = Sha256::digest(&json);
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A postmortem can be restored only as a store gave it out: with a key and a version.
pub(crate) fn check_restorable(pm: &Postmortem) -> Result<()> {
    if pm.key.is_none() {
        return Err(StoreError::Invalid(format!(
            "postmortem {} has no key: only stored postmortems can be restored",
            pm.id
        )));
    }
    if pm.version < 1 {
        return Err(StoreError::Invalid(format!(
            "postmortem {} has version {}: stored versions start at 1",
            pm.handle(),
            pm.version
        )));
    }
    Ok(())
}

/// What [`copy`] copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copied {
    pub postmortems: usize,
    pub audit_entries: usize,
    pub users: usize,
    pub tokens: usize,
    pub account_events: usize,
    /// [`Dump::checksum`] of the copy read back (equal to the source's).
    pub checksum: String,
}

/// Copies everything in `from` into the empty store `to` (one transaction), then
/// reads the copy back and checks that it is identical to the source. The counts
/// and checksum returned are those of the copy as read back.
pub async fn copy(from: &dyn Store, to: &dyn Store) -> Result<Copied> {
    let existing = to.dump().await?;
    if existing != Dump::default() {
        return Err(StoreError::Invalid(format!(
            "the target store is not empty: it holds {} postmortems, {} audit entries and {} users",
            existing.postmortems.len(),
            existing.audit_log.len(),
            existing.users.len()
        )));
    }
    let dump = from.dump().await?;
    to.restore(&dump).await?;
    let copied = to.dump().await?;
    if copied != dump {
        let differs = if copied.postmortems.len() != dump.postmortems.len() {
            format!(
                "{} postmortems instead of {}",
                copied.postmortems.len(),
                dump.postmortems.len()
            )
        } else if let Some((pm, _)) = dump
            .postmortems
            .iter()
            .zip(&copied.postmortems)
            .find(|(a, b)| a != b)
        {
            format!("postmortem {} differs", pm.handle())
        } else if copied.audit_log != dump.audit_log {
            "the audit log differs".to_string()
        } else {
            "the accounts differ".to_string()
        };
        return Err(StoreError::Invalid(format!(
            "the copy does not read back like the source: {differs}"
        )));
    }
    Ok(Copied {
        postmortems: copied.postmortems.len(),
        audit_entries: copied.audit_log.len(),
        users: copied.users.len(),
        tokens: copied.tokens.len(),
        account_events: copied.account_events.len(),
        checksum: copied.checksum()?,
    })
}
