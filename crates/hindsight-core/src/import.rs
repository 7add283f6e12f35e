//! Deciding what an import of a file does to the stored copy.
//!
//! Import is idempotent by id: a file that says nothing new changes nothing.
//! Bookkeeping the file does not carry (key, version, times) is taken from the
//! stored copy, so external write-ups without them re-import as "unchanged".

use crate::format::Given;
use crate::model::Postmortem;

/// What importing one postmortem will do.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportPlan {
    /// Not stored yet: create it as it is.
    Create(Postmortem),
    /// Stored and different: save this over the stored version it names.
    Update(Postmortem),
    /// Stored and identical.
    Unchanged,
    /// The file was edited from an older version than the stored one.
    Stale {
        file_version: i64,
        stored_version: i64,
    },
}

/// Plans the import of `incoming` (with what its file gave) over `stored`.
pub fn plan(stored: Option<&Postmortem>, mut incoming: Postmortem, given: &Given) -> ImportPlan {
    let Some(stored) = stored else {
        return ImportPlan::Create(incoming);
    };
    if given.version && incoming.version != stored.version {
        return ImportPlan::Stale {
            file_version: incoming.version,
            stored_version: stored.version,
        };
    }
    incoming.version = stored.version;
    if !given.key {
        incoming.key.clone_from(&stored.key);
    }
    if !given.created_at {
        incoming.created_at = stored.created_at;
    }
    if !given.updated_at {
        incoming.updated_at = stored.updated_at;
    }
    if incoming == *stored {
        ImportPlan::Unchanged
    } else {
        ImportPlan::Update(incoming)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use chrono::{Duration, Utc};

    fn given(version: bool) -> Given {
        Given {
            id: true,
            key: false,
            version,
            created_at: false,
            updated_at: false,
        }
    }

    #[test]
    fn a_file_without_bookkeeping_reimports_unchanged() {
        let mut stored = Postmortem::new("DNS outage", Kind::Provider, Utc::now());
        stored.key = Some("PM-3".into());
        stored.version = 4;
        let mut file = stored.clone();
        file.key = None;
        file.version = 0;
        file.created_at += Duration::hours(1);
        file.updated_at += Duration::hours(1);
        assert_eq!(
            plan(Some(&stored), file.clone(), &given(false)),
            ImportPlan::Unchanged
        );
        file.title = "DNS provider outage".into();
        let ImportPlan::Update(pm) = plan(Some(&stored), file, &given(false)) else {
            panic!("expected an update");
        };
        assert_eq!((pm.version, pm.key.as_deref()), (4, Some("PM-3")));
    }

    #[test]
    fn an_older_version_is_stale_and_a_new_id_is_created() {
        let mut stored = Postmortem::new("DNS outage", Kind::Provider, Utc::now());
        stored.version = 4;
        let mut file = stored.clone();
        file.version = 3;
        assert_eq!(
            plan(Some(&stored), file.clone(), &given(true)),
            ImportPlan::Stale {
                file_version: 3,
                stored_version: 4
            }
        );
        assert_eq!(
            plan(None, file.clone(), &given(true)),
            ImportPlan::Create(file)
        );
    }
}
