CREATE VIEW history AS 
WITH events AS (
    SELECT NULL AS entry_id, l.starts_on AS date, 0 AS seq, l.id AS tiebreak,
        l.contact_id AS holder_id, l.type_id, 'grant' AS kind, l.quantity AS quantity,
        l.id AS level_id, NULL AS allocation_id, NULL AS user_id, l.source AS source,
        NULL AS description, NULL AS note, l.created_by AS operator
    FROM levels l
    UNION ALL
    SELECT NULL, a.starts_on, 1, a.id, l.contact_id, l.type_id, 'allocate', -a.number,
        l.id, a.id, a.contact_id, 'allocation', a.comment, NULL, a.created_by
    FROM allocations a JOIN levels l ON l.id = a.level_id WHERE a.contact_id <> l.contact_id
    UNION ALL
    SELECT NULL, a.starts_on, 1, a.id, a.contact_id, l.type_id, 'allocate', a.number,
        l.id, a.id, a.contact_id, 'allocation', a.comment, NULL, a.created_by
    FROM allocations a JOIN levels l ON l.id = a.level_id WHERE a.contact_id <> l.contact_id
    UNION ALL
    SELECT NULL, a.ended_on, 3, a.id, holder.id, l.type_id, 'allocation end',
        CASE WHEN holder.id = l.contact_id THEN 1 ELSE -1 END * (a.number + coalesce(
            (SELECT sum(e.quantity) FROM entries e WHERE e.allocation_id = a.id), 0)),
        l.id, a.id, a.contact_id, 'allocation', NULL, NULL, a.updated_by
    FROM allocations a JOIN levels l ON l.id = a.level_id
    JOIN contacts holder ON holder.id IN (l.contact_id, a.contact_id)
    WHERE a.active = 0 AND a.contact_id <> l.contact_id
    UNION ALL
    SELECT e.id, e.entry_on, 2, e.id, coalesce(a.contact_id, l.contact_id), l.type_id, e.kind,
        e.quantity, e.level_id, e.allocation_id, e.contact_id, e.source, e.description,
        e.note, e.operator
    FROM entries e JOIN levels l ON l.id = e.level_id
    LEFT JOIN allocations a ON a.id = e.allocation_id
)
SELECT ev.entry_id, ev.date, ev.kind, ev.quantity,
    sum(ev.quantity) OVER (PARTITION BY ev.holder_id, ev.type_id
        ORDER BY ev.date, ev.seq, ev.tiebreak ROWS UNBOUNDED PRECEDING) AS balance_after,
    h.ref AS contact_ref, h.name AS contact, t.code AS type, t.unit AS unit,
    t.category AS category, u.ref AS used_by, ev.source, ev.description, ev.note, ev.operator,
    min(l.expires_on, coalesce(l.cancelled_on, l.expires_on)) AS expires_on,
    ev.holder_id, ev.type_id, ev.level_id, ev.allocation_id, ev.seq, ev.tiebreak
FROM events ev JOIN contacts h ON h.id = ev.holder_id
JOIN benefit_types t ON t.id = ev.type_id JOIN levels l ON l.id = ev.level_id
LEFT JOIN contacts u ON u.id = ev.user_id
WHERE 1
;
