-- The list order index also carries what the insight snapshot reads of every
-- postmortem on each request (id, version, and the columns a scope or a
-- reader filters on), so that read is a scan of the index, not of the table
-- with every document in it (Store::stamps).
DROP INDEX postmortems_list_order;
CREATE INDEX postmortems_list_order
    ON postmortems (coalesce(started_at, created_at) DESC, seq DESC,
                    id, version, visibility, kind, severity, status, owner);
