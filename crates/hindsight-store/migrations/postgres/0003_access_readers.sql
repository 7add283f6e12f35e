-- `postmortem_access` now holds every principal a restricted postmortem is
-- shared with (`hindsight_core::access::readers_of`): `restricted_to`, the
-- owner, the authors and the reviewers, for every postmortem. Rebuilt here
-- from each stored document; the application writes it the same way on save.
-- jsonb cannot hold NUL characters, which documents may escape; the projection
-- drops them (escaped NULs are removed before the cast).
DELETE FROM postmortem_access;
INSERT INTO postmortem_access (seq, principal)
    SELECT DISTINCT d.seq, r.principal
    FROM (SELECT seq, replace(doc, '\u0000', '')::jsonb AS doc FROM postmortems) d
    CROSS JOIN LATERAL (
        SELECT jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(d.doc -> 'restricted_to') = 'array'
                THEN d.doc -> 'restricted_to' ELSE '[]'::jsonb END) AS principal
        UNION ALL
        SELECT d.doc ->> 'owner' WHERE jsonb_typeof(d.doc -> 'owner') = 'string'
        UNION ALL
        SELECT jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(d.doc -> 'authors') = 'array'
                THEN d.doc -> 'authors' ELSE '[]'::jsonb END)
        UNION ALL
        SELECT jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(d.doc -> 'reviewers') = 'array'
                THEN d.doc -> 'reviewers' ELSE '[]'::jsonb END)
    ) r;
