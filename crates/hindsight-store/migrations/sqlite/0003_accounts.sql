-- Accounts, sessions, API tokens and the account audit log. `name_key` is the
-- account name lowercased by the application (Unicode rules, the same on both
-- backends): it makes names unique case-insensitively and is what the other
-- tables refer to. Secrets are never stored: sessions and tokens are found by
-- the SHA-256 of their secret, passwords are argon2id PHC strings.
CREATE TABLE users (
    name_key      TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    created_at    TEXT NOT NULL
);

-- Group memberships (one namespace with user names, for `restricted_to`).
CREATE TABLE user_groups (
    name_key TEXT NOT NULL REFERENCES users (name_key) ON DELETE CASCADE,
    grp      TEXT NOT NULL,
    PRIMARY KEY (name_key, grp)
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    name_key   TEXT NOT NULL REFERENCES users (name_key) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name_key     TEXT NOT NULL REFERENCES users (name_key) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (name_key, created_at);

-- Outlives the accounts and tokens it names, so no foreign keys.
CREATE TABLE account_events (
    entry   INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX account_events_at ON account_events (at, entry);
