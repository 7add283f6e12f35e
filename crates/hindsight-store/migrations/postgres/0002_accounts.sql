-- Accounts, sessions, API tokens and the account audit log (see
-- migrations/sqlite/0003_accounts.sql). `name_key` is the account name
-- lowercased by the application, so both backends agree on which names clash.
CREATE TABLE users (
    name_key      text PRIMARY KEY,
    name          text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    password_hash text,
    created_at    timestamptz NOT NULL
);

CREATE TABLE user_groups (
    name_key text NOT NULL REFERENCES users (name_key) ON DELETE CASCADE,
    grp      text NOT NULL,
    PRIMARY KEY (name_key, grp)
);

CREATE TABLE sessions (
    id_hash    text PRIMARY KEY,
    name_key   text NOT NULL REFERENCES users (name_key) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           uuid NOT NULL UNIQUE,
    name_key     text NOT NULL REFERENCES users (name_key) ON DELETE CASCADE,
    name         text NOT NULL,
    scope        text NOT NULL,
    prefix       text NOT NULL,
    secret_hash  text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (name_key, created_at);

CREATE TABLE account_events (
    entry   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text NOT NULL,
    action  text NOT NULL,
    subject text NOT NULL,
    detail  text NOT NULL
);
CREATE INDEX account_events_at ON account_events (at, entry);
