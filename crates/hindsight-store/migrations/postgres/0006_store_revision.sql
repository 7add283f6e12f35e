-- A counter that every change to the postmortems table moves, whatever
-- writes it: the server's insight snapshot reads it on each request and
-- reloads only when it moved (Store::revision). The row lock the update
-- takes is held to commit, so writers move it in commit order: a reader
-- that sees the counter at n sees every change counted up to n.
CREATE TABLE store_revision (
    id integer PRIMARY KEY CHECK (id = 1),
    n  bigint NOT NULL
);
INSERT INTO store_revision (id, n) VALUES (1, 0);
CREATE FUNCTION bump_store_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE store_revision SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER postmortems_revision
    AFTER INSERT OR UPDATE OR DELETE ON postmortems
    FOR EACH STATEMENT EXECUTE FUNCTION bump_store_revision();
