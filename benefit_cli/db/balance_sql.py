"""The one SQL definition of a holder's balance as of a date (the rule is
``domain/balance.py``; this computes it set-wise for whole databases).

``holder_figures`` gives one row per holder — a level's own part, or an allocation —
with its status and figures as of the date; ``history_events`` gives every event with
the running balance of its contact and type right after it. Both read the ledger once
(GROUP BY and window functions, no subquery per level), and both are built from the same
common table expressions below, so the ``balances`` and ``history`` views (migration
0005), every report and every command compute a balance the same way.

The as-of date is an SQL expression: a bound parameter (``:as_of``) for reports,
``date('now', 'localtime')`` for the views. ``LevelScope`` narrows the levels read (a
contact's, a type's, ...) before anything is summed, so a report on one member reads only
that member's rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

VIEW_AS_OF = "date('now', 'localtime')"


def last_day(of: str = "") -> str:
    """A level's last usable day (as ``lv.last_day`` below): its expiry, or the day before
    its cancellation, over the columns of the levels table named ``of`` (bare: none).

    Spelt once more here because it is the expression of the index ``levels_open``
    (migration 0006, ``LAST_DAY``), which a query uses only if it spells it exactly so."""
    at = f"{of}." if of else ""
    return (
        f"CASE WHEN {at}cancelled_on IS NOT NULL AND {at}cancelled_on <= {at}expires_on"
        f" THEN date({at}cancelled_on, '-1 day') ELSE {at}expires_on END"
    )


LAST_DAY = last_day()


@dataclass(frozen=True)
class LevelScope:
    """Which levels a query reads (SQL conditions on ``levels l``, ANDed), which holders
    it keeps (conditions on ``h``: the holder's contact ``holder_id``, ``type_id``, ...)
    and which of their entries it counts (conditions on ``entries e``)."""

    levels: str = "1"
    holders: str = "1"
    entries: str = "1"


EVERYTHING = LevelScope()


def _ledger(scope: LevelScope) -> str:
    """The entries ``es`` sums: those of the levels in scope, found through the index on
    ``level_id``; or, when every level is in scope, the whole table read in order and
    sorted — the index would fetch each entry's row where it lies, which costs about
    three times as much at 1,000,000 entries. (CROSS JOIN: the levels in scope drive, or
    SQLite may read the whole index to find the entries of a few.)"""
    if scope.levels == "1":
        return "entries e NOT INDEXED"
    return "lv CROSS JOIN entries e ON e.level_id = lv.id"


# What an entry does to its holder: an expiry or a rollover out closes what is left at the
# end of its life; anything else counts within it.
_IN_LIFE = """sum(CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0)
            THEN 0 ELSE e.quantity END)"""
_CLOSING = """sum(CASE WHEN e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0)
            THEN e.quantity ELSE 0 END)"""
# An entry that adds to its holder after its start (``credited_on``): an adjustment or a
# rollover in.
_CREDITS = "e.quantity > 0 AND e.kind IN ('adjust', 'rollover')"


def _levels(as_of: str, scope: LevelScope) -> str:
    """The as-of date and the levels in scope with their last usable day."""
    return f"""
asof(d) AS (SELECT {as_of}),
lv AS (
    SELECT l.id, l.contact_id, l.type_id, l.quantity, l.priority, l.starts_on, l.source, l.created_by,
        CASE WHEN l.cancelled_on IS NOT NULL AND l.cancelled_on <= l.expires_on
            THEN date(l.cancelled_on, '-1 day') ELSE l.expires_on END AS last_day
    FROM levels l WHERE {scope.levels}
)"""


def _ledger_sums(scope: LevelScope) -> str:
    """The ledger's sums per holder of the levels in scope (level and part: 0 for its own
    part, else the allocation)."""
    return f"""es AS (
    SELECT e.level_id, coalesce(e.allocation_id, 0) AS part,
        sum(e.quantity) AS total,
        {_IN_LIFE} AS in_life,
        {_CLOSING} AS closing,
        sum(CASE WHEN e.entry_on <= asof.d THEN e.quantity ELSE 0 END) AS until_d,
        sum(CASE WHEN e.entry_on <= asof.d AND e.kind IN ('use', 'void') THEN e.quantity ELSE 0 END)
            AS used_d,
        sum(CASE WHEN e.entry_on <= asof.d AND (e.kind = 'adjust' OR (e.kind = 'rollover' AND e.quantity > 0))
            THEN e.quantity ELSE 0 END) AS adjusted_d,
        sum(CASE WHEN e.entry_on <= asof.d AND (e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity < 0))
            THEN e.quantity ELSE 0 END) AS expired_d,
        max(CASE WHEN {_CREDITS} THEN e.entry_on END) AS credited_on
    FROM {_ledger(scope)} JOIN asof WHERE {scope.entries}
    GROUP BY e.level_id, coalesce(e.allocation_id, 0)
)"""


def _status(starts_on: str, last_day: str) -> str:
    """A holder's status on the as-of date."""
    return (
        f"CASE WHEN asof.d > {last_day} THEN 'expired' WHEN asof.d < {starts_on} THEN 'upcoming'\n"
        f"            ELSE 'current' END"
    )


def _unrecorded(base_end: str, sums: str = "es") -> str:
    """What a holder that had ``base_end`` at the end of its life (less what it lent out)
    has left that its entries (their ``in_life`` and ``closing`` in ``sums``) do not record
    as lost: never below zero, whatever the uses took."""
    return f"max(0, max(0, {base_end} + coalesce({sums}.in_life, 0)) + coalesce({sums}.closing, 0))"


def _common(as_of: str, scope: LevelScope) -> str:
    """The CTEs every query of holders shares: ``_levels``, ``_ledger_sums``, then
    allocations with their last day and what they give back, what they took out of each
    level's own part, and the holders with their status and figures (``hs``)."""
    return f"""{_levels(as_of, scope)},
{_ledger_sums(scope)},
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
        {_status("h.starts_on", "h.last_day")} AS status,
        -coalesce(es.used_d, 0) AS used,
        coalesce(es.adjusted_d, 0) AS adjusted,
        {_unrecorded("h.base_end")} AS unrecorded,
        -coalesce(es.expired_d, 0) AS expired_recorded,
        h.base_now + coalesce(es.until_d, 0) AS running
    FROM holders h JOIN asof LEFT JOIN es ON es.level_id = h.level_id AND es.part = h.part
    WHERE {scope.holders}
)"""


def figures_sql(as_of: str, query: str, scope: LevelScope = EVERYTHING) -> str:
    """``query`` (a SELECT) over ``figures``: one row per holder with its figures as of the
    date — level_id, allocation_id (NULL for a level's own part), holder_id, owner_id,
    type_id, priority, starts_on, last_day, status, granted, allocated_out, used,
    adjusted, expired, remaining. An expired holder's ``expired`` counts what the run has
    not recorded yet; only a current holder has something ``remaining``, never below zero."""
    return f"""WITH {_common(as_of, scope)},
figures AS (
    SELECT level_id, nullif(part, 0) AS allocation_id, holder_id, owner_id, type_id, priority, starts_on,
        last_day, status, granted, allocated_out, used, adjusted,
        expired_recorded + CASE WHEN status = 'expired' THEN unrecorded ELSE 0 END AS expired,
        CASE WHEN status = 'current' THEN max(0, running) ELSE 0 END AS remaining
    FROM hs
)
{query}"""


def _own_entries(level_id: str, entries: str = "1") -> str:
    """The FROM and WHERE of a level's own part's entries (``level_id``: an SQL expression)
    that match ``entries``, for a subquery summing them where the level is read."""
    return f"FROM entries e WHERE e.level_id = {level_id} AND e.allocation_id IS NULL AND {entries}"


def own_parts_sql(as_of: str, query: str, levels: str) -> str:
    """``query`` (a SELECT) over ``own``: the levels matching ``levels`` (conditions on
    ``levels l``) that no allocation was ever made of, one row each — level_id, holder_id,
    type_id, last_day, status and unrecorded, as ``hs`` has them for their own part, which
    is such a level's only holder and holds all it was granted. The same figures without
    reading allocations, and each level's entries summed where it is read (no grouping of
    them all, no index built on the sums to join them back): an expiry run closes a
    million levels, nearly all like this. MATERIALIZED, or SQLite sums them again for
    each use of a sum."""
    unallocated = LevelScope(f"{levels} AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.level_id = l.id)")
    own_entries = _own_entries("lv.id")
    return f"""WITH {_levels(as_of, unallocated)},
sums AS MATERIALIZED (
    SELECT lv.*, (SELECT {_IN_LIFE} {own_entries}) AS in_life, (SELECT {_CLOSING} {own_entries}) AS closing
    FROM lv
),
own AS (
    SELECT sums.id AS level_id, sums.contact_id AS holder_id, sums.type_id, sums.last_day,
        {_status("sums.starts_on", "sums.last_day")} AS status,
        {_unrecorded("sums.quantity", "sums")} AS unrecorded
    FROM sums JOIN asof
)
{query}"""


def _events(effective: bool) -> str:
    """The events of every holder in scope (see ``history_sql``). ``effective``: as
    consumption counts them — voided uses and their voids left out, and no expiry."""
    if effective:
        voided = "e.voids_id IS NOT NULL OR EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
        return _EVENTS.format(entries=f"    WHERE NOT ({voided})\n")
    return _EVENTS.format(entries="") + _UNRECORDED_EXPIRY


# A grant's own columns come from the levels table by its key: ``lv`` is a materialized
# table, which SQLite would index for the look-up first (a sort of every level).
_EVENTS = """    SELECT hs.starts_on AS day, 1 AS seq, hs.level_id AS tiebreak, hs.level_id, 0 AS part,
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
{entries}"""
_UNRECORDED_EXPIRY = """    UNION ALL
    SELECT date(hs.last_day, '+1 day'), 0, 0, hs.level_id, hs.part, hs.holder_id, hs.type_id, hs.status,
        'expire', -hs.unrecorded, NULL, NULL, 'expiry', NULL, NULL, NULL, 0
    FROM hs WHERE hs.status = 'expired' AND hs.unrecorded > 0
"""


def history_sql(as_of: str, query: str, scope: LevelScope = EVERYTHING) -> str:
    """``query`` (a SELECT) over ``history``: every event up to the date — entry_id,
    date, holder_id, type_id, level_id, allocation_id, kind, quantity, balance_after,
    status, user_id, source, description, note, operator, and ``day, seq, tiebreak, part``
    to order them by as they happened. Events are grants, allocations starting and giving
    back (between contacts: an allocation to oneself moves nothing), the ledger's entries,
    and expiries the run has not recorded yet (dated the day after the last day).
    ``balance_after`` is what the contact could use of the type right after the event —
    each holder counted at no less than zero — and ``status`` its holder's status on the
    date."""
    return f"""WITH {_common(as_of, scope)},
events AS (
{_events(effective=False)}),
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
{query}"""


# Who may use what (SPEC §1): for each (contact, type) in ``:pairs`` (a JSON list of
# ``pair_key``s), the levels whose own part it may use — those it owns, is a delegate of
# (named for the level, or for its membership or a membership that membership renews:
# ``delegated`` follows the ``renewed_from`` chain forward when read, so a later renewal is
# covered without copying rows), or may use as an associate of its business (``on_behalf``
# for the last three) — and those it holds an allocation of. The delegates a contact has
# are few: they drive their branches (the ``+`` keeps SQLite off the index on the type),
# or SQLite reads every level of the type to find them. Most databases have no delegates,
# no allocations or no associate benefits: each branch first asks whether any exist (a
# constant, answered once per statement), and skips its look-ups for every pair if not
# (an import looks up a million pairs: an eighth of the time it spends on them).
_PAIRS = """pairs(contact_id, type_id) AS (
    SELECT value >> 32, value & 4294967295 FROM json_each(:pairs)
)"""
# The first branch of ``usable``: the levels each contact owns.
_OWNED = """SELECT p.contact_id, p.type_id, l.id, 0 FROM pairs p
    JOIN levels l ON l.contact_id = p.contact_id AND l.type_id = p.type_id"""


def _usable(owned: str) -> str:
    """``USABLE``'s CTEs after ``pairs``, with ``owned`` (a SELECT of contact_id, type_id,
    level_id, 0) as the levels each contact owns."""
    return f"""delegated(contact_id, type_id, membership_id) AS (
    SELECT p.contact_id, p.type_id, d.membership_id FROM pairs p
    JOIN delegates d ON d.contact_id = p.contact_id AND d.removed_at IS NULL AND d.membership_id IS NOT NULL
    WHERE EXISTS (SELECT 1 FROM delegates)
    UNION
    SELECT dl.contact_id, dl.type_id, m.id FROM delegated dl
    JOIN memberships m ON m.renewed_from = dl.membership_id
),
usable(contact_id, type_id, level_id, on_behalf) AS (
    {owned}
    UNION
    SELECT p.contact_id, p.type_id, a.level_id, 0 FROM pairs p
    JOIN allocations a ON a.contact_id = p.contact_id JOIN levels l ON l.id = a.level_id
    WHERE l.type_id = p.type_id AND EXISTS (SELECT 1 FROM allocations)
    UNION
    SELECT p.contact_id, p.type_id, d.level_id, 1 FROM pairs p
    JOIN delegates d ON d.contact_id = p.contact_id AND d.removed_at IS NULL
    JOIN levels l ON l.id = d.level_id WHERE +l.type_id = p.type_id AND EXISTS (SELECT 1 FROM delegates)
    UNION
    SELECT dl.contact_id, dl.type_id, l.id, 1 FROM delegated dl
    JOIN levels l ON l.membership_id = dl.membership_id AND +l.type_id = dl.type_id
    UNION
    SELECT p.contact_id, p.type_id, l.id, 1 FROM pairs p JOIN contacts c ON c.id = p.contact_id
    JOIN levels l ON l.contact_id = c.business_id AND l.type_id = p.type_id
    JOIN plan_benefits pb ON pb.id = l.plan_benefit_id
    WHERE pb.associates = 1 AND EXISTS (SELECT 1 FROM plan_benefits WHERE associates = 1)
)"""


USABLE = f"{_PAIRS},\n{_usable(_OWNED)}"


def pair_key(contact_id: int, type_id: int) -> int:
    """A (contact, type) as one integer for ``:pairs``: SQLite reads a JSON list of plain
    integers several times faster than one of pairs (an import looks up thousands at a
    time). Ids are SQLite's positive rowids; a type's stays far below 2**32."""
    if not 0 <= type_id < 1 << 32 or not 0 <= contact_id < 1 << 31:
        raise ValueError(f"ids out of range for a pair key: {contact_id}, {type_id}")
    return contact_id << 32 | type_id


def pairs_param(pairs: Collection[tuple[int, int]]) -> dict[str, str]:
    """The ``:pairs`` parameter of ``USABLE``: (contact, type) pairs as ``pair_key``s."""
    return keys_param([pair_key(contact_id, type_id) for contact_id, type_id in pairs])


def keys_param(keys: Collection[int]) -> dict[str, str]:
    """The ``:pairs`` parameter of ``USABLE`` from ``pair_key``s (as an import keeps its
    pairs: it makes thousands a chunk, with ``<<`` and ``|`` rather than a call each)."""
    import json

    if keys and not (0 <= min(keys) and max(keys) < 1 << 63):
        raise ValueError("a pair key out of SQLite's integer range")
    return {"pairs": json.dumps(sorted(keys))}


def drawable_sql(entries: str = "1", in_place: bool = True) -> str:
    """For consumption: for each (contact, type) in ``:pairs``, the holders it may draw
    from — pair (its ``pair_key``), level_id, part, priority, starts_on, last_day;
    ``held_end``, what it holds at the end of its life (voided uses netting out with their
    voids); and ``credited_on``, the last day anything is added to it (an adjustment, a
    rollover, an allocation giving back; NULL if nothing ever is). From that day on, what
    a use may take is what it holds at the end (``domain.balance.Settled``). An allocation
    that gives back to its owner's part has the day it does as its ``credited_on``: what a
    use may take from it depends on that part (``domain.balance.Holder.available_on``), so
    it is never summed up. Only entries matching ``entries`` count. In no particular
    order: the caller puts each pair's few holders in consumption order (an import reads
    thousands of pairs at a time, and sorting them all here costs more). Holders drive the
    join (CROSS JOIN keeps SQLite from indexing them, the wider of the two, to look them up
    from ``usable``).

    ``in_place``: the levels a contact owns that no allocation was ever made of — nearly
    all, in most databases — are figured in place (``_OWNED_LEVELS``) rather than
    through the holders' machinery, which an import would pay for a million times; False
    reads every level through the machinery (the tests compare the two)."""
    common = _common("'9999-12-31'", LevelScope("l.id IN (SELECT level_id FROM usable)", entries=entries))
    holders = """SELECT u.contact_id << 32 | u.type_id, h.level_id, h.part, h.priority, h.starts_on,
    h.last_day, h.base_end + coalesce(es.in_life, 0),
    nullif(max(coalesce(es.credited_on, ''), coalesce(back.on_day, ''), coalesce(gives.back_on, '')), '')
FROM holders h CROSS JOIN usable u ON u.level_id = h.level_id
LEFT JOIN es ON es.level_id = h.level_id AND es.part = h.part
LEFT JOIN (SELECT level_id, max(back_on) AS on_day FROM ah WHERE back > 0 GROUP BY level_id) AS back
    ON back.level_id = h.level_id AND h.part = 0
LEFT JOIN ah AS gives ON gives.id = h.part AND gives.back > 0
WHERE (h.part = 0 AND (h.owner_id = u.contact_id OR u.on_behalf))
    OR (h.part <> 0 AND h.holder_id = u.contact_id)"""
    if not in_place:
        return f"WITH {USABLE},{common}\n{holders}"
    usable = _usable("SELECT contact_id, type_id, level_id, 0 FROM owned WHERE allocated")
    own = _own_entries("o.level_id", entries)
    return f"""WITH {_PAIRS},
{_OWNED_LEVELS},
{usable},{common}
SELECT o.contact_id << 32 | o.type_id, o.level_id, 0, o.priority, o.starts_on, o.last_day,
    o.quantity + coalesce((SELECT {_IN_LIFE} {own}), 0),
    (SELECT max(e.entry_on) {own} AND {_CREDITS})
FROM owned o WHERE NOT o.allocated
UNION ALL
{holders}"""


# The levels each contact of ``pairs`` owns, and whether any allocation was ever made of
# each, read once for both kinds. A level never allocated has its own part as its only
# holder, which holds all it was granted: what it holds at the end is its quantity and its
# entries' ``in_life``, and it is credited when an entry adds to it (as ``own_parts_sql``
# figures such levels for the expiry run). Its entries are summed where it is read, and
# the levels come from the index on (contact, type) alone (migration 0013), never from
# the table where each lies. MATERIALIZED: read once, for both kinds.
_OWNED_LEVELS = f"""owned AS MATERIALIZED (
    SELECT p.contact_id, p.type_id, l.id AS level_id, l.priority, l.starts_on, {last_day("l")} AS last_day,
        l.quantity, EXISTS (SELECT 1 FROM allocations a WHERE a.level_id = l.id) AS allocated
    FROM pairs p JOIN levels l ON l.contact_id = p.contact_id AND l.type_id = p.type_id
)"""


DRAWABLE_COLUMNS = "pair, level_id, part, priority, starts_on, last_day, held_end, credited_on"


def drawable_json_sql(entries: str = "1") -> str:
    """``drawable_sql``'s rows as one JSON text, a list of lists in its column order: a
    query SQLite answers in a single step, which a thread can run without holding
    Python's lock."""
    return f"""WITH drawable({DRAWABLE_COLUMNS}) AS (
{drawable_sql(entries)}
)
SELECT json_group_array(json_array({DRAWABLE_COLUMNS})) FROM drawable"""


def overdrawn_sql(scope: LevelScope = EVERYTHING) -> str:
    """Holders whose balance, as consumption counts it, goes below zero at the end of some
    day of their life (invariant 2): level_id, allocation_id, the lowest it reaches and the
    first day it does. ``db check`` narrows ``scope`` to the levels
    ``overdraw_suspects_sql`` names."""
    return f"""WITH {_common("'9999-12-31'", scope)},
events AS (
{_events(effective=True)}),
run AS (
    SELECT ev.level_id, ev.part, ev.day, sum(ev.quantity) OVER (PARTITION BY ev.level_id, ev.part
        ORDER BY ev.day RANGE UNBOUNDED PRECEDING) AS held
    FROM events ev JOIN hs ON hs.level_id = ev.level_id AND hs.part = ev.part WHERE ev.day <= hs.last_day
)
SELECT level_id, nullif(part, 0), min(held), min(day) FILTER (WHERE held < 0)
FROM run GROUP BY level_id, part HAVING min(held) < 0 ORDER BY level_id, part"""


def overdraw_suspects_sql() -> str:
    """The levels whose own part or an allocation might go below zero, in order: a superset
    of those ``overdrawn_sql`` finds, read in one pass over the ledger, so that ``db check``
    reads the running balances of those levels alone rather than of the whole ledger.

    A holder starts with what it is given (the grant, seq 1, or its allocation, seq 2) and
    only takes away after that; it then never holds less than what it is given, less every
    allocation of its level (for the own part), less everything its entries take. So it
    cannot go below zero unless that floor is below zero, or something is taken before it
    starts (an entry dated before, or an expiry or rollover, seq 0, on its first day), or
    an expiry or rollover falls inside its life rather than after its last day (only
    there are they left out of the floor: they take what is left, the day after). A level
    is a suspect when any of its holders is. Voided uses count in the floor as if not
    voided, and entries after the last day as if inside it: the floor only gets lower."""
    return f"""WITH {_common("'9999-12-31'", EVERYTHING)},
drawn AS (
    SELECT level_id, coalesce(allocation_id, 0) AS part,
        sum(CASE WHEN kind IN ('expire', 'rollover') THEN 0 ELSE quantity END) AS taken,
        min(entry_on) AS first_on,
        min(CASE WHEN kind IN ('expire', 'rollover') THEN entry_on END) AS first_closing
    FROM entries NOT INDEXED WHERE quantity < 0 GROUP BY level_id, allocation_id
),
given AS (SELECT level_id, sum(number) AS number FROM al GROUP BY level_id)
SELECT lv.id FROM lv JOIN given ON given.level_id = lv.id WHERE lv.quantity < given.number
UNION
SELECT d.level_id FROM drawn d JOIN lv ON lv.id = d.level_id LEFT JOIN given ON given.level_id = lv.id
WHERE d.part = 0 AND (lv.quantity - coalesce(given.number, 0) + d.taken < 0 OR d.first_on < lv.starts_on
    OR d.first_closing <= lv.last_day)
UNION
SELECT d.level_id FROM drawn d JOIN al ON al.id = d.part
WHERE al.number + d.taken < 0 OR d.first_on < al.starts_on OR d.first_closing <= al.last_day
ORDER BY 1"""


HISTORY_ORDER = "ORDER BY history.day, history.seq, history.tiebreak, history.level_id, history.part"


# The views, as of the day they are read: a person browsing the file (sqlite3, Datasette)
# sees each balance and event with names and codes, and what is left in the unit people
# read (money in currency units beside the cents).
_BALANCES_VIEW_QUERY = """SELECT f.level_id, f.allocation_id, c.ref AS contact_ref, c.name AS contact,
    t.code AS type, t.name AS type_name, t.unit, f.status, f.starts_on, f.last_day AS expires_on, f.granted,
    f.allocated_out, f.used, f.adjusted, f.expired, f.remaining,
    CASE WHEN t.unit = 'money' THEN round(f.remaining / 100.0, 2) ELSE f.remaining END AS remaining_amount
FROM figures f JOIN contacts c ON c.id = f.holder_id JOIN benefit_types t ON t.id = f.type_id"""

_HISTORY_VIEW_QUERY = f"""SELECT history.entry_id, history.date, c.ref AS contact_ref, c.name AS contact,
    t.code AS type, t.unit, history.kind, history.quantity, history.balance_after, history.status,
    u.ref AS used_by, history.source, history.description, history.operator
FROM history JOIN contacts c ON c.id = history.holder_id JOIN benefit_types t ON t.id = history.type_id
LEFT JOIN contacts u ON u.id = history.user_id {HISTORY_ORDER}"""

BALANCES_VIEW = "CREATE VIEW balances AS " + figures_sql(VIEW_AS_OF, _BALANCES_VIEW_QUERY)
HISTORY_VIEW = "CREATE VIEW history AS " + history_sql(VIEW_AS_OF, _HISTORY_VIEW_QUERY)
