-- `postmortem_access` now holds every principal a restricted postmortem is
-- shared with (`hindsight_core::access::readers_of`): `restricted_to`, the
-- owner, the authors and the reviewers, for every postmortem. Rebuilt here
-- from each stored document; the application writes it the same way on save.
DELETE FROM postmortem_access;
INSERT OR IGNORE INTO postmortem_access (seq, principal)
    SELECT p.seq, j.value FROM postmortems p, json_each(p.doc, '$.restricted_to') j
    WHERE j.type = 'text'
    UNION
    SELECT p.seq, json_extract(p.doc, '$.owner') FROM postmortems p
    WHERE json_type(p.doc, '$.owner') = 'text'
    UNION
    SELECT p.seq, j.value FROM postmortems p, json_each(p.doc, '$.authors') j
    WHERE j.type = 'text'
    UNION
    SELECT p.seq, j.value FROM postmortems p, json_each(p.doc, '$.reviewers') j
    WHERE j.type = 'text';
