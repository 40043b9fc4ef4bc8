-- The views read the ledger as the reports do (db/balance_sql.py): when every level is in
-- scope, what each holder's entries add up to is summed over one pass of the whole table,
-- not through the index on the level, which fetches each entry's row where it lies; and a
-- grant's own columns are read from the levels table by its key. The figures are
-- unchanged; the views are rewritten from db/balance_sql.py.
DROP VIEW balances;
DROP VIEW history;
CREATE VIEW balances AS WITH 
asof(d) AS (SELECT date('now', 'localtime')),
lv AS (
    SELECT l.id, l.contact_id, l.type_id, l.quantity, l.priority, l.starts_on, l.source, l.created_by,
        CASE WHEN l.cancelled_on IS NOT NULL AND l.cancelled_on <= l.expires_on
            THEN date(l.cancelled_on, '-1 day') ELSE l.expires_on END AS last_day
    FROM levels l WHERE 1
),
es AS (
    SELECT e.level_id, coalesce(e.allocation_id, 0) AS part,
        sum(e.quantity) AS total,
        sum(CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0)
            THEN 0 ELSE e.quantity END) AS in_life,
        sum(CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0)
            THEN e.quantity ELSE 0 END) AS closing,
        sum(CASE WHEN e.entry_on <= asof.d THEN e.quantity ELSE 0 END) AS until_d,
        sum(CASE WHEN e.entry_on <= asof.d AND e.kind IN ('use', 'void') THEN e.quantity ELSE 0 END)
            AS used_d,
        sum(CASE WHEN e.entry_on <= asof.d AND (e.kind = 'adjust' OR (e.kind = 'rollover' AND e.quantity > 0))
            THEN e.quantity ELSE 0 END) AS adjusted_d,
        sum(CASE WHEN e.entry_on <= asof.d AND (e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0))
            THEN e.quantity ELSE 0 END) AS expired_d,
        max(CASE WHEN e.quantity > 0 AND e.kind IN ('adjust', 'rollover') THEN e.entry_on END) AS credited_on
    FROM entries e NOT INDEXED JOIN asof WHERE 1
    GROUP BY e.level_id, coalesce(e.allocation_id, 0)
),
al AS (
    SELECT a.id, a.level_id, a.contact_id, a.number, a.comment, a.created_by, a.updated_by,
        lv.contact_id AS owner_id, lv.type_id, lv.priority, lv.last_day AS level_last_day,
        max(lv.starts_on, a.starts_on) AS starts_on,
        min(lv.last_day, a.stops_on, CASE WHEN a.response = 'declined'
            THEN date(a.response_on, '-1 day') ELSE a.stops_on END) AS last_day
    FROM lv JOIN allocations a ON a.level_id = lv.id
),
ah AS (
    SELECT al.*, date(al.last_day, '+1 day') AS back_on,
        CASE WHEN al.last_day < al.level_last_day
            THEN max(0, al.number + coalesce(es.total, 0)) ELSE 0 END AS back
    FROM al LEFT JOIN es ON es.level_id = al.level_id AND es.part = al.id
    WHERE al.last_day >= al.starts_on
),
taken AS (
    SELECT ah.level_id,
        sum(CASE WHEN ah.starts_on <= asof.d THEN ah.number ELSE 0 END)
            - sum(CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END) AS now_all,
        sum(CASE WHEN ah.contact_id = ah.owner_id THEN 0
            ELSE CASE WHEN ah.starts_on <= asof.d THEN ah.number ELSE 0 END
                - CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END END) AS now_others,
        sum(ah.number) - sum(ah.back) AS at_end
    FROM ah JOIN asof GROUP BY ah.level_id
),
holders AS (
    SELECT lv.id AS level_id, 0 AS part, lv.contact_id AS holder_id, lv.contact_id AS owner_id, lv.type_id,
        lv.priority, lv.starts_on, lv.last_day, lv.quantity AS granted,
        coalesce(taken.now_others, 0) AS allocated_out,
        lv.quantity - coalesce(taken.now_all, 0) AS base_now,
        lv.quantity - coalesce(taken.at_end, 0) AS base_end
    FROM lv LEFT JOIN taken ON taken.level_id = lv.id
    UNION ALL
    SELECT ah.level_id, ah.id, ah.contact_id, ah.owner_id, ah.type_id, ah.priority, ah.starts_on, ah.last_day,
        ah.number - CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END,
        0,
        ah.number - CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END,
        ah.number - ah.back
    FROM ah JOIN asof
),
hs AS (
    SELECT h.*, asof.d,
        CASE WHEN asof.d > h.last_day THEN 'expired' WHEN asof.d < h.starts_on THEN 'upcoming'
            ELSE 'current' END AS status,
        -coalesce(es.used_d, 0) AS used,
        coalesce(es.adjusted_d, 0) AS adjusted,
        max(0, max(0, h.base_end + coalesce(es.in_life, 0)) + coalesce(es.closing, 0)) AS unrecorded,
        -coalesce(es.expired_d, 0) AS expired_recorded,
        h.base_now + coalesce(es.until_d, 0) AS running
    FROM holders h JOIN asof LEFT JOIN es ON es.level_id = h.level_id AND es.part = h.part
    WHERE 1
),
figures AS (
    SELECT level_id, nullif(part, 0) AS allocation_id, holder_id, owner_id, type_id, priority, starts_on,
        last_day, status, granted, allocated_out, used, adjusted,
        expired_recorded + CASE WHEN status = 'expired' THEN unrecorded ELSE 0 END AS expired,
        CASE WHEN status = 'current' THEN max(0, running) ELSE 0 END AS remaining
    FROM hs
)
SELECT f.level_id, f.allocation_id, c.ref AS contact_ref, c.name AS contact,
    t.code AS type, t.name AS type_name, t.unit, f.status, f.starts_on, f.last_day AS expires_on, f.granted,
    f.allocated_out, f.used, f.adjusted, f.expired, f.remaining,
    CASE WHEN t.unit = 'money' THEN round(f.remaining / 100.0, 2) ELSE f.remaining END AS remaining_amount
FROM figures f JOIN contacts c ON c.id = f.holder_id JOIN benefit_types t ON t.id = f.type_id;
CREATE VIEW history AS WITH 
asof(d) AS (SELECT date('now', 'localtime')),
lv AS (
    SELECT l.id, l.contact_id, l.type_id, l.quantity, l.priority, l.starts_on, l.source, l.created_by,
        CASE WHEN l.cancelled_on IS NOT NULL AND l.cancelled_on <= l.expires_on
            THEN date(l.cancelled_on, '-1 day') ELSE l.expires_on END AS last_day
    FROM levels l WHERE 1
),
es AS (
    SELECT e.level_id, coalesce(e.allocation_id, 0) AS part,
        sum(e.quantity) AS total,
        sum(CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0)
            THEN 0 ELSE e.quantity END) AS in_life,
        sum(CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0)
            THEN e.quantity ELSE 0 END) AS closing,
        sum(CASE WHEN e.entry_on <= asof.d THEN e.quantity ELSE 0 END) AS until_d,
        sum(CASE WHEN e.entry_on <= asof.d AND e.kind IN ('use', 'void') THEN e.quantity ELSE 0 END)
            AS used_d,
        sum(CASE WHEN e.entry_on <= asof.d AND (e.kind = 'adjust' OR (e.kind = 'rollover' AND e.quantity > 0))
            THEN e.quantity ELSE 0 END) AS adjusted_d,
        sum(CASE WHEN e.entry_on <= asof.d AND (e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0))
            THEN e.quantity ELSE 0 END) AS expired_d,
        max(CASE WHEN e.quantity > 0 AND e.kind IN ('adjust', 'rollover') THEN e.entry_on END) AS credited_on
    FROM entries e NOT INDEXED JOIN asof WHERE 1
    GROUP BY e.level_id, coalesce(e.allocation_id, 0)
),
al AS (
    SELECT a.id, a.level_id, a.contact_id, a.number, a.comment, a.created_by, a.updated_by,
        lv.contact_id AS owner_id, lv.type_id, lv.priority, lv.last_day AS level_last_day,
        max(lv.starts_on, a.starts_on) AS starts_on,
        min(lv.last_day, a.stops_on, CASE WHEN a.response = 'declined'
            THEN date(a.response_on, '-1 day') ELSE a.stops_on END) AS last_day
    FROM lv JOIN allocations a ON a.level_id = lv.id
),
ah AS (
    SELECT al.*, date(al.last_day, '+1 day') AS back_on,
        CASE WHEN al.last_day < al.level_last_day
            THEN max(0, al.number + coalesce(es.total, 0)) ELSE 0 END AS back
    FROM al LEFT JOIN es ON es.level_id = al.level_id AND es.part = al.id
    WHERE al.last_day >= al.starts_on
),
taken AS (
    SELECT ah.level_id,
        sum(CASE WHEN ah.starts_on <= asof.d THEN ah.number ELSE 0 END)
            - sum(CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END) AS now_all,
        sum(CASE WHEN ah.contact_id = ah.owner_id THEN 0
            ELSE CASE WHEN ah.starts_on <= asof.d THEN ah.number ELSE 0 END
                - CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END END) AS now_others,
        sum(ah.number) - sum(ah.back) AS at_end
    FROM ah JOIN asof GROUP BY ah.level_id
),
holders AS (
    SELECT lv.id AS level_id, 0 AS part, lv.contact_id AS holder_id, lv.contact_id AS owner_id, lv.type_id,
        lv.priority, lv.starts_on, lv.last_day, lv.quantity AS granted,
        coalesce(taken.now_others, 0) AS allocated_out,
        lv.quantity - coalesce(taken.now_all, 0) AS base_now,
        lv.quantity - coalesce(taken.at_end, 0) AS base_end
    FROM lv LEFT JOIN taken ON taken.level_id = lv.id
    UNION ALL
    SELECT ah.level_id, ah.id, ah.contact_id, ah.owner_id, ah.type_id, ah.priority, ah.starts_on, ah.last_day,
        ah.number - CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END,
        0,
        ah.number - CASE WHEN ah.back_on <= asof.d THEN ah.back ELSE 0 END,
        ah.number - ah.back
    FROM ah JOIN asof
),
hs AS (
    SELECT h.*, asof.d,
        CASE WHEN asof.d > h.last_day THEN 'expired' WHEN asof.d < h.starts_on THEN 'upcoming'
            ELSE 'current' END AS status,
        -coalesce(es.used_d, 0) AS used,
        coalesce(es.adjusted_d, 0) AS adjusted,
        max(0, max(0, h.base_end + coalesce(es.in_life, 0)) + coalesce(es.closing, 0)) AS unrecorded,
        -coalesce(es.expired_d, 0) AS expired_recorded,
        h.base_now + coalesce(es.until_d, 0) AS running
    FROM holders h JOIN asof LEFT JOIN es ON es.level_id = h.level_id AND es.part = h.part
    WHERE 1
),
events AS (
    SELECT hs.starts_on AS day, 1 AS seq, hs.level_id AS tiebreak, hs.level_id, 0 AS part,
        hs.holder_id, hs.type_id, hs.status, 'grant' AS kind, l.quantity AS quantity, NULL AS entry_id,
        NULL AS user_id,
        l.source AS source, NULL AS description, NULL AS note, l.created_by AS operator, 0 AS self
    FROM hs JOIN levels l ON l.id = hs.level_id WHERE hs.part = 0
    UNION ALL
    SELECT ah.starts_on, 2, ah.id, ah.level_id, 0, hs.holder_id, hs.type_id, hs.status, 'allocate',
        -ah.number, NULL, ah.contact_id, 'allocation', ah.comment, NULL, ah.created_by,
        ah.contact_id = ah.owner_id
    FROM ah JOIN hs ON hs.level_id = ah.level_id AND hs.part = 0
    UNION ALL
    SELECT ah.starts_on, 2, ah.id, ah.level_id, ah.id, hs.holder_id, hs.type_id, hs.status, 'allocate',
        ah.number, NULL, ah.contact_id, 'allocation', ah.comment, NULL, ah.created_by,
        ah.contact_id = ah.owner_id
    FROM ah JOIN hs ON hs.level_id = ah.level_id AND hs.part = ah.id
    UNION ALL
    SELECT ah.back_on, 2, ah.id, ah.level_id, 0, hs.holder_id, hs.type_id, hs.status, 'allocation end',
        ah.back, NULL, ah.contact_id, 'allocation', NULL, NULL, coalesce(ah.updated_by, ah.created_by),
        ah.contact_id = ah.owner_id
    FROM ah JOIN hs ON hs.level_id = ah.level_id AND hs.part = 0 WHERE ah.last_day < ah.level_last_day
    UNION ALL
    SELECT ah.back_on, 2, ah.id, ah.level_id, ah.id, hs.holder_id, hs.type_id, hs.status, 'allocation end',
        -ah.back, NULL, ah.contact_id, 'allocation', NULL, NULL, coalesce(ah.updated_by, ah.created_by),
        ah.contact_id = ah.owner_id
    FROM ah JOIN hs ON hs.level_id = ah.level_id AND hs.part = ah.id WHERE ah.last_day < ah.level_last_day
    UNION ALL
    SELECT e.entry_on,
        CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0) THEN 0 ELSE 3 END, e.id,
        e.level_id, hs.part, hs.holder_id, hs.type_id, hs.status, e.kind, e.quantity,
        e.id, e.contact_id, e.source, e.description, e.note, e.operator, 0
    FROM hs JOIN entries e ON e.level_id = hs.level_id AND coalesce(e.allocation_id, 0) = hs.part
    UNION ALL
    SELECT date(hs.last_day, '+1 day'), 0, 0, hs.level_id, hs.part, hs.holder_id, hs.type_id, hs.status,
        'expire', -hs.unrecorded, NULL, NULL, 'expiry', NULL, NULL, NULL, 0
    FROM hs WHERE hs.status = 'expired' AND hs.unrecorded > 0
),
run AS (
    SELECT ev.*, sum(ev.quantity) OVER (PARTITION BY ev.level_id, ev.part
        ORDER BY ev.day, ev.seq, ev.tiebreak ROWS UNBOUNDED PRECEDING) AS held
    FROM events ev JOIN asof WHERE ev.day <= asof.d
),
clamped AS (
    SELECT run.*, sum(max(0, run.held) - max(0, run.held - run.quantity)) OVER (
        PARTITION BY run.holder_id, run.type_id
        ORDER BY run.day, run.seq, run.tiebreak, run.level_id, run.part ROWS UNBOUNDED PRECEDING
    ) AS balance_after
    FROM run
),
history AS (
    SELECT entry_id, day AS date, holder_id, type_id, level_id, nullif(part, 0) AS allocation_id, kind,
        quantity, balance_after, status, user_id, source, description, note, operator, day, seq, tiebreak,
        part
    FROM clamped WHERE NOT self
)
SELECT history.entry_id, history.date, c.ref AS contact_ref, c.name AS contact,
    t.code AS type, t.unit, history.kind, history.quantity, history.balance_after, history.status,
    u.ref AS used_by, history.source, history.description, history.operator
FROM history JOIN contacts c ON c.id = history.holder_id JOIN benefit_types t ON t.id = history.type_id
LEFT JOIN contacts u ON u.id = history.user_id ORDER BY history.day, history.seq, history.tiebreak, history.level_id, history.part;
