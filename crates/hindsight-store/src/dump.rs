//! Copying a whole store, for moving a deployment between backends: every
//! postmortem exactly as stored (keys, versions, times) and the whole audit log,
//! including the history of deleted postmortems.

use hindsight_core::{AuditEntry, Postmortem};
use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError};

/// Everything a store holds, in storage order. Two stores with equal dumps give
/// the same answers to every query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    /// Every postmortem, in the order it was first stored.
    pub postmortems: Vec<Postmortem>,
    /// The audit log, oldest entry first.
    pub audit_log: Vec<AuditEntry>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Copied {
    pub postmortems: usize,
    pub audit_entries: usize,
}

/// Copies everything in `from` into the empty store `to` (one transaction), then
/// reads the copy back and checks that it is identical to the source.
pub async fn copy(from: &dyn Store, to: &dyn Store) -> Result<Copied> {
    let existing = to.dump().await?;
    if existing != Dump::default() {
        return Err(StoreError::Invalid(format!(
            "the target store is not empty: it holds {} postmortems and {} audit entries",
            existing.postmortems.len(),
            existing.audit_log.len()
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
        } else {
            "the audit log differs".to_string()
        };
        return Err(StoreError::Invalid(format!(
            "the copy does not read back like the source: {differs}"
        )));
    }
    Ok(Copied {
        postmortems: dump.postmortems.len(),
        audit_entries: dump.audit_log.len(),
    })
}
