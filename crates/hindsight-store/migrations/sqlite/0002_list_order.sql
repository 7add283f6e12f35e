-- Lists are ordered by incident start (or creation), newest first: an index on
-- that expression lets a list with a limit read only the rows it shows.
CREATE INDEX postmortems_list_order
    ON postmortems (coalesce(started_at, created_at) DESC, seq DESC);
