-- Webhook deliveries, stored raw before they are processed; the normalised
-- events of each; and the trigger keys that map an incident or deploy to the
-- one postmortem opened for it. The UNIQUE constraints, not checks in code,
-- make redeliveries and concurrent deliveries (from several servers too)
-- idempotent.
CREATE TABLE hook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    headers TEXT NOT NULL,
    body BYTEA NOT NULL,
    status TEXT NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
    error TEXT,
    outcome TEXT,
    postmortem_id UUID,
    attempts INTEGER NOT NULL DEFAULT 0,
    processed_at TIMESTAMPTZ,
    UNIQUE (source, delivery_id)
);
CREATE INDEX hook_deliveries_status ON hook_deliveries (status, id);

CREATE TABLE hook_events (
    delivery BIGINT NOT NULL REFERENCES hook_deliveries (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    service TEXT,
    event TEXT NOT NULL,
    PRIMARY KEY (delivery, position)
);
CREATE INDEX hook_events_service_at ON hook_events (service, at);

CREATE TABLE hook_triggers (
    trigger_key TEXT PRIMARY KEY,
    postmortem_id UUID NOT NULL,
    service TEXT,
    window_start TIMESTAMPTZ NOT NULL,
    window_end TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hook_triggers_service ON hook_triggers (service, window_end);
