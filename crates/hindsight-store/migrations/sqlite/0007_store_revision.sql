-- A counter that every change to the postmortems table moves, whatever
-- writes it: the server's insight snapshot reads it on each request and
-- reloads only when it moved (Store::revision).
CREATE TABLE store_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO store_revision (id, n) VALUES (1, 0);
CREATE TRIGGER postmortems_revision_insert AFTER INSERT ON postmortems
BEGIN
    UPDATE store_revision SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER postmortems_revision_update AFTER UPDATE ON postmortems
BEGIN
    UPDATE store_revision SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER postmortems_revision_delete AFTER DELETE ON postmortems
BEGIN
    UPDATE store_revision SET n = n + 1 WHERE id = 1;
END;
