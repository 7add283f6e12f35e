//! Hindsight's credentials, without IO: argon2id password hashes, API tokens
//! (`hs_<prefix>_<secret>`, shown once, stored as a SHA-256), session and CSRF
//! secrets, and which token scopes a role may hold. The store keeps only hashes
//! (`hindsight_store::Accounts`); the server and the CLI make and check them
//! here.

mod error;
mod password;
mod scope;
mod secret;
mod session;
mod token;

pub use error::AuthError;
pub use password::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, check_password_policy, hash_password, verify_password,
};
pub use scope::{allowed_scopes, scope_allowed};
pub use secret::{constant_time_eq, random_text, sha256_hex};
pub use session::SessionSecrets;
pub use token::{PREFIX_LEN, SECRET_LEN, Token};
