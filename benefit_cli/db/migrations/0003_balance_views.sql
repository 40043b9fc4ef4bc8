CREATE VIEW balances AS
SELECT
    l.id AS level_id,
    NULL AS allocation_id,
    c.ref AS contact_ref,
    t.code AS type,
    t.unit AS unit,
    l.quantity AS granted,
    (SELECT coalesce(sum(a.number), 0) FROM allocations a
      WHERE a.level_id = l.id AND a.active = 1 AND a.contact_id <> l.contact_id) AS allocated_out,
    (SELECT coalesce(-sum(e.quantity), 0) FROM entries e WHERE e.level_id = l.id
      AND e.allocation_id IS NULL AND e.kind IN ('use', 'void')) AS used,
    l.quantity
      + (SELECT coalesce(sum(e.quantity), 0) FROM entries e
          WHERE e.level_id = l.id AND e.allocation_id IS NULL)
      - (SELECT coalesce(sum(a.number), 0) FROM allocations a
          WHERE a.level_id = l.id AND a.active = 1)
      + (SELECT coalesce(sum(e.quantity), 0) FROM entries e JOIN allocations a
          ON a.id = e.allocation_id WHERE e.level_id = l.id AND a.active = 0) AS remaining,
    l.starts_on AS starts_on,
    min(l.expires_on, coalesce(l.cancelled_on, l.expires_on)) AS expires_on
FROM levels l JOIN contacts c ON c.id = l.contact_id JOIN benefit_types t ON t.id = l.type_id
UNION ALL
SELECT
    a.level_id,
    a.id,
    c.ref,
    t.code,
    t.unit,
    a.number,
    0,
    (SELECT coalesce(-sum(e.quantity), 0) FROM entries e WHERE e.allocation_id = a.id
      AND e.kind IN ('use', 'void')),
    CASE WHEN a.active = 1 THEN a.number
      + (SELECT coalesce(sum(e.quantity), 0) FROM entries e WHERE e.allocation_id = a.id)
      ELSE 0 END,
    max(l.starts_on, a.starts_on),
    min(l.expires_on, coalesce(l.cancelled_on, l.expires_on), a.stops_on)
FROM allocations a JOIN levels l ON l.id = a.level_id
JOIN contacts c ON c.id = a.contact_id JOIN benefit_types t ON t.id = l.type_id;
