-- The PostgreSQL schema mirrors migrations/sqlite: postmortems keep the whole
-- aggregate as JSON text in `doc` (the record read back, byte for byte: text, not
-- jsonb, which would reorder keys and renormalise numbers); the columns and child
-- tables beside it are its queryable projection, rewritten in the same transaction
-- as `doc` on every save. Times are timestamptz, action due dates are dates.
CREATE TABLE postmortems (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              uuid NOT NULL CONSTRAINT postmortems_id_unique UNIQUE,
    key             text NOT NULL CONSTRAINT postmortems_key_unique UNIQUE,
    title           text NOT NULL,
    kind            text NOT NULL,
    severity        text,
    status          text NOT NULL,
    visibility      text NOT NULL,
    owner           text,
    version         bigint NOT NULL CHECK (version > 0),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    published_at    timestamptz,
    closed_at       timestamptz,
    started_at      timestamptz,
    detected_at     timestamptz,
    acknowledged_at timestamptz,
    mitigated_at    timestamptz,
    resolved_at     timestamptz,
    doc             text NOT NULL
);
CREATE INDEX postmortems_started ON postmortems (started_at);
CREATE INDEX postmortems_key_upper ON postmortems (upper(key));
CREATE INDEX postmortems_status ON postmortems (status, severity, kind);
-- The order of lists: newest incident first.
CREATE INDEX postmortems_list_order
    ON postmortems ((coalesce(started_at, created_at)) DESC, seq DESC);
-- The number in a `PM-n` key, so the next key is one index probe away. Must stay
-- the same expression as in src/postgres/write.rs (`next_key`).
CREATE INDEX postmortems_key_number
    ON postmortems (((substring(key FROM '^[Pp][Mm]-([0-9]{1,18})'))::bigint));

CREATE TABLE postmortem_services (
    seq     bigint NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    service text NOT NULL,
    PRIMARY KEY (seq, service)
);
CREATE INDEX postmortem_services_service ON postmortem_services (service);

CREATE TABLE postmortem_tags (
    seq bigint NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (seq, tag)
);
CREATE INDEX postmortem_tags_tag ON postmortem_tags (tag);

-- People and groups allowed to read a restricted postmortem.
CREATE TABLE postmortem_access (
    seq       bigint NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    principal text NOT NULL,
    PRIMARY KEY (seq, principal)
);

CREATE TABLE timeline_events (
    seq        bigint NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    position   bigint NOT NULL,
    at         timestamptz NOT NULL,
    kind       text NOT NULL,
    source     text NOT NULL,
    source_ref text,
    milestone  text,
    text       text NOT NULL,
    PRIMARY KEY (seq, position)
);

CREATE TABLE contributing_factors (
    seq       bigint NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    factor_id text NOT NULL,
    category  text NOT NULL,
    grp       text NOT NULL,
    text      text NOT NULL,
    PRIMARY KEY (seq, factor_id)
);
CREATE INDEX contributing_factors_category ON contributing_factors (category);

CREATE TABLE action_items (
    seq       bigint NOT NULL REFERENCES postmortems (seq) ON DELETE CASCADE,
    action_id text NOT NULL,
    position  bigint NOT NULL,
    title     text NOT NULL,
    type      text NOT NULL,
    priority  text NOT NULL,
    owner     text,
    due       date,
    status    text NOT NULL,
    factor_id text,
    item      text NOT NULL,
    PRIMARY KEY (seq, action_id)
);
CREATE INDEX action_items_due ON action_items (status, due);
CREATE INDEX action_items_owner ON action_items (owner);

-- The audit log outlives the postmortems it describes, so it has no foreign key.
CREATE TABLE audit_log (
    entry         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    postmortem_id uuid NOT NULL,
    at            timestamptz NOT NULL,
    actor         text NOT NULL,
    action        text NOT NULL,
    changes       text NOT NULL
);
CREATE INDEX audit_log_postmortem ON audit_log (postmortem_id, entry);

-- Full-text search: the indexed text per weighted column (the same columns as the
-- SQLite FTS5 table, kept for ts_headline snippets), its length in words as FTS5
-- counts it (for bm25), and its weighted tsvector: title=A, summary=B,
-- analysis=C, timeline and actions=D. Matching uses the GIN index; ranking is
-- bm25 with SQLite's column weights 10/4/3/2/2 (see src/postgres/search.rs).
CREATE TABLE postmortem_search (
    seq      bigint PRIMARY KEY REFERENCES postmortems (seq) ON DELETE CASCADE,
    title    text NOT NULL,
    summary  text NOT NULL,
    analysis text NOT NULL,
    timeline text NOT NULL,
    actions  text NOT NULL,
    tokens   integer NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(to_tsvector('english', analysis), 'C')
        || setweight(to_tsvector('english', timeline), 'D')
        || setweight(to_tsvector('english', actions), 'D')
    ) STORED
);
CREATE INDEX postmortem_search_document ON postmortem_search USING gin (document);
