-- The list order index also carries what the insight snapshot reads of every
-- postmortem on each request (id, version, and the columns a scope or a
-- reader filters on), so that read can be an index-only scan in list order
-- (Store::stamps).
DROP INDEX postmortems_list_order;
CREATE INDEX postmortems_list_order
    ON postmortems ((coalesce(started_at, created_at)) DESC, seq DESC)
    INCLUDE (id, version, visibility, kind, severity, status, owner);
