-- Postmortems: the whole aggregate is kept as JSON in `doc` (the record read
-- back); the columns and child tables beside it are its queryable projection,
-- rewritten in the same transaction as `doc` on every save.
CREATE TABLE postmortems (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    key             TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    severity        TEXT,
    status          TEXT NOT NULL,
    visibility      TEXT NOT NULL,
    owner           TEXT,
    version         INTEGER NOT NULL CHECK (version > 0),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    published_at    TEXT,
    closed_at       TEXT,
    started_at      TEXT,
    detected_at     TEXT,
    acknowledged_at TEXT,
    mitigated_at    TEXT,
    resolved_at     TEXT,
    doc             TEXT NOT NULL
);
CREATE INDEX postmortems_started ON postmortems (started_at);
CREATE INDEX postmortems_key_upper ON postmortems (upper(key));
CREATE INDEX postmortems_status ON postmortems (status, severity, kind);

CREATE TABLE postmortem_services (
    seq     INTEGER NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    service TEXT NOT NULL,
    PRIMARY KEY (seq, service)
);
CREATE INDEX postmortem_services_service ON postmortem_services (service);

CREATE TABLE postmortem_tags (
    seq INTEGER NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (seq, tag)
);
CREATE INDEX postmortem_tags_tag ON postmortem_tags (tag);

-- People and groups allowed to read a restricted postmortem.
CREATE TABLE postmortem_access (
    seq       INTEGER NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    principal TEXT NOT NULL,
    PRIMARY KEY (seq, principal)
);

CREATE TABLE timeline_events (
    seq       INTEGER NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    source    TEXT NOT NULL,
    source_ref TEXT,
    milestone TEXT,
    text      TEXT NOT NULL,
    PRIMARY KEY (seq, position)
);

CREATE TABLE contributing_factors (
    seq       INTEGER NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    factor_id TEXT NOT NULL,
    category  TEXT NOT NULL,
    grp       TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (seq, factor_id)
);
CREATE INDEX contributing_factors_category ON contributing_factors (category);

CREATE TABLE action_items (
    seq       INTEGER NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    action_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    type      TEXT NOT NULL,
    priority  TEXT NOT NULL,
    owner     TEXT,
    due       TEXT,
    status    TEXT NOT NULL,
    factor_id TEXT,
    item      TEXT NOT NULL,
    PRIMARY KEY (seq, action_id)
);
CREATE INDEX action_items_due ON action_items (status, due);
CREATE INDEX action_items_owner ON action_items (owner);

-- The audit log outlives the postmortems it describes, so it has no foreign key.
CREATE TABLE audit_log (
    entry         INTEGER PRIMARY KEY AUTOINCREMENT,
    postmortem_id TEXT NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    changes       TEXT NOT NULL
);
CREATE INDEX audit_log_postmortem ON audit_log (postmortem_id, entry);

-- Full-text index; rowid = postmortems.seq. Columns are weighted at query time.
CREATE VIRTUAL TABLE postmortem_fts USING fts5 (
    title, summary, analysis, timeline, actions,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
