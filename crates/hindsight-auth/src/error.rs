/// Why a credential could not be made or checked. Messages never contain the
/// secret itself.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password is too short: use at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("the password is too long: use at most {max} bytes")]
    PasswordTooLong { max: usize },
    #[error("the password is only whitespace")]
    PasswordBlank,
    #[error("not a Hindsight API token (expected hs_<8 characters>_<40 characters>)")]
    MalformedToken,
    #[error("the stored password hash cannot be read: {0}")]
    BadHash(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("the system random number generator failed: {0}")]
    Random(String),
}
