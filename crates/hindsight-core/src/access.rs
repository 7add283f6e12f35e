//! Who may read what: the one place that decides whether a reader may see a
//! postmortem. The store applies the same rule in SQL (see
//! `hindsight_store::Access`), so lists, searches and counts agree with it.

use crate::model::Postmortem;
use crate::vocab::{Role, Visibility};

/// Someone reading: an account's name, its role and its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub name: String,
    pub role: Role,
    pub groups: Vec<String>,
}

impl Reader {
    /// The names a `restricted_to` list may give for this reader: the account
    /// itself and each of its groups (one namespace for both).
    pub fn principals(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.groups.iter().map(String::as_str))
    }

    /// Whether this reader may see `pm` at all (its existence included).
    ///
    /// Internal and public postmortems are visible to every account. A
    /// restricted one is visible to admins, to the people named in
    /// `restricted_to` (directly or through a group), and to the people who work
    /// on it: its owner, authors and reviewers.
    pub fn can_read(&self, pm: &Postmortem) -> bool {
        if pm.visibility != Visibility::Restricted || self.role == Role::Admin {
            return true;
        }
        readers_of(pm).any(|name| self.principals().any(|p| p == name))
    }
}

/// The principals a restricted postmortem is shared with, besides admins:
/// `restricted_to`, the owner, authors and reviewers. The store keeps exactly
/// these in its access table.
pub fn readers_of(pm: &Postmortem) -> impl Iterator<Item = &str> {
    pm.restricted_to
        .iter()
        .chain(pm.owner.iter())
        .chain(&pm.authors)
        .chain(&pm.reviewers)
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(name: &str, role: Role, groups: &[&str]) -> Reader {
        Reader {
            name: name.into(),
            role,
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn restricted_postmortems_are_for_named_people_groups_and_admins() {
        let mut pm = Postmortem::new("Key leaked", crate::Kind::Security, chrono::Utc::now());
        let viewer = reader("bob", Role::Viewer, &["sre"]);
        assert!(viewer.can_read(&pm));
        pm.visibility = Visibility::Restricted;
        pm.restricted_to = vec!["security-team".into()];
        assert!(!viewer.can_read(&pm));
        assert!(!reader("carol", Role::Editor, &[]).can_read(&pm));
        assert!(reader("root", Role::Admin, &[]).can_read(&pm));
        assert!(reader("dana", Role::Viewer, &["security-team"]).can_read(&pm));
        pm.reviewers = vec!["bob".into()];
        assert!(viewer.can_read(&pm));
    }
}
