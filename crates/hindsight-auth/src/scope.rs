//! Which token scopes an account's role may hold: a token never does more than
//! its user could.

use hindsight_core::vocab::{Role, TokenScope};

/// Viewers may hold read tokens; editors read, write and webhook tokens;
/// admins any.
pub fn scope_allowed(role: Role, scope: TokenScope) -> bool {
    match role {
        Role::Admin => true,
        Role::Editor => scope != TokenScope::Admin,
        Role::Viewer => scope == TokenScope::Read,
    }
}

/// The scopes `role` may hold, in vocabulary order.
pub fn allowed_scopes(role: Role) -> Vec<TokenScope> {
    TokenScope::ALL
        .iter()
        .copied()
        .filter(|s| scope_allowed(role, *s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_never_exceed_the_role() {
        use TokenScope::*;
        assert_eq!(allowed_scopes(Role::Viewer), [Read]);
        assert_eq!(allowed_scopes(Role::Editor), [Read, Write, Webhook]);
        assert_eq!(allowed_scopes(Role::Admin), [Read, Write, Admin, Webhook]);
    }
}
