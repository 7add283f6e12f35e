use uuid::Uuid;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no postmortem `{0}`")]
    NotFound(String),
    #[error(
        "postmortem {id} was changed by someone else: you edited version {expected}, the stored one is version {current}"
    )]
    Conflict {
        id: Uuid,
        expected: i64,
        current: i64,
    },
    /// An account (or the account of a token or session) that does not exist.
    #[error("{0}")]
    NoAccount(String),
    #[error("{0}")]
    Duplicate(String),
    #[error("{0}")]
    Invalid(String),
    #[error("stored postmortem {id} cannot be read: {source}")]
    Corrupt {
        id: String,
        source: serde_json::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
