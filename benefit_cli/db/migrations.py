"""Numbered schema migrations, applied in order when a database is opened.

A migration's number and name never change once released: a database made by any
earlier version opens and is upgraded in place, never rebuilt. ``PRAGMA user_version``
holds the number of the last migration applied (cheap to read on every start), and the
``migrations`` table records when and by whom each one ran.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


_AUDIT = "created_at TEXT NOT NULL, created_by TEXT NOT NULL"
_AUDIT_UPDATE = "updated_at TEXT, updated_by TEXT"

FOUNDATION = f"""
CREATE TABLE migrations (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by TEXT NOT NULL
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'business')),
    business_id INTEGER REFERENCES contacts(id),
    email TEXT,
    joined_on TEXT,
    {_AUDIT}, {_AUDIT_UPDATE}
);
CREATE INDEX contacts_business ON contacts(business_id);
CREATE INDEX contacts_joined_on ON contacts(joined_on);

CREATE TABLE benefit_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> '' AND code = upper(code)),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('count', 'minutes', 'money', 'pages')),
    unit_value INTEGER NOT NULL DEFAULT 0 CHECK (unit_value >= 0),
    kind TEXT NOT NULL DEFAULT 'standard'
        CHECK (kind IN ('standard', 'event', 'subscription', 'card')),
    exclusive_group TEXT,
    description TEXT,
    schedule TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    {_AUDIT}, {_AUDIT_UPDATE}
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> '' AND code = upper(code)),
    name TEXT NOT NULL,
    term_months INTEGER NOT NULL CHECK (term_months > 0),
    grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
    {_AUDIT}
);

CREATE TABLE plan_benefits (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    per TEXT NOT NULL DEFAULT 'term' CHECK (per IN ('term', 'month', 'quarter', 'year')),
    begin_on TEXT NOT NULL,
    end_on TEXT CHECK (end_on IS NULL OR end_on >= begin_on),
    priority INTEGER NOT NULL DEFAULT 50 CHECK (priority BETWEEN 1 AND 100),
    associates INTEGER NOT NULL DEFAULT 0 CHECK (associates IN (0, 1)),
    price_portion INTEGER CHECK (price_portion IS NULL OR price_portion >= 0),
    rollover_percent INTEGER CHECK (rollover_percent IS NULL OR rollover_percent BETWEEN 0 AND 100),
    rollover_max INTEGER CHECK (rollover_max IS NULL OR rollover_max >= 0),
    {_AUDIT}, {_AUDIT_UPDATE}
);
CREATE INDEX plan_benefits_plan_type ON plan_benefits(plan_id, type_id, begin_on);
CREATE INDEX plan_benefits_type ON plan_benefits(type_id);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL CHECK (end_on >= start_on),
    grace_end_on TEXT NOT NULL CHECK (grace_end_on >= end_on),
    renewed_from INTEGER UNIQUE REFERENCES memberships(id),
    cancelled_on TEXT,
    {_AUDIT}, {_AUDIT_UPDATE}
);
CREATE UNIQUE INDEX memberships_contact_plan_start ON memberships(contact_id, plan_id, start_on);
CREATE INDEX memberships_plan ON memberships(plan_id, start_on);

CREATE TABLE levels (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    starts_on TEXT NOT NULL,
    expires_on TEXT NOT NULL CHECK (expires_on >= starts_on),
    source TEXT NOT NULL CHECK (source IN ('plan', 'product', 'manual')),
    priority INTEGER NOT NULL DEFAULT 50 CHECK (priority BETWEEN 1 AND 100),
    unit_value INTEGER NOT NULL DEFAULT 0,
    membership_id INTEGER REFERENCES memberships(id),
    plan_benefit_id INTEGER REFERENCES plan_benefits(id),
    cancelled_on TEXT,
    {_AUDIT}
);
CREATE INDEX levels_contact_type ON levels(contact_id, type_id);
CREATE INDEX levels_membership ON levels(membership_id);
CREATE INDEX levels_type ON levels(type_id);

CREATE TABLE allocations (
    id INTEGER PRIMARY KEY,
    level_id INTEGER NOT NULL REFERENCES levels(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    number INTEGER NOT NULL CHECK (number > 0),
    starts_on TEXT NOT NULL,
    stops_on TEXT NOT NULL CHECK (stops_on >= starts_on),
    response TEXT CHECK (response IN ('accepted', 'declined')),
    response_on TEXT,
    delivered_on TEXT,
    comment TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    ended_on TEXT,
    {_AUDIT}, {_AUDIT_UPDATE}
);
CREATE INDEX allocations_level ON allocations(level_id);
CREATE INDEX allocations_contact ON allocations(contact_id);

-- Invariant 1, guarded here as well as in the code that allocates.
CREATE TRIGGER allocations_within_level_insert BEFORE INSERT ON allocations
WHEN NEW.active = 1 AND NEW.number + (
        SELECT coalesce(sum(number), 0) FROM allocations
        WHERE level_id = NEW.level_id AND active = 1
    ) > (SELECT quantity FROM levels WHERE id = NEW.level_id)
BEGIN
    SELECT RAISE(ABORT, 'the active allocations of a level would exceed its quantity');
END;
CREATE TRIGGER allocations_within_level_update BEFORE UPDATE OF number, active ON allocations
WHEN NEW.active = 1 AND NEW.number + (
        SELECT coalesce(sum(number), 0) FROM allocations
        WHERE level_id = NEW.level_id AND active = 1 AND id <> NEW.id
    ) > (SELECT quantity FROM levels WHERE id = NEW.level_id)
BEGIN
    SELECT RAISE(ABORT, 'the active allocations of a level would exceed its quantity');
END;

CREATE TABLE delegates (
    id INTEGER PRIMARY KEY,
    level_id INTEGER NOT NULL REFERENCES levels(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    {_AUDIT},
    removed_at TEXT,
    removed_by TEXT
);
CREATE UNIQUE INDEX delegates_current ON delegates(level_id, contact_id) WHERE removed_at IS NULL;
CREATE INDEX delegates_contact ON delegates(contact_id);
"""

LEDGER = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('use', 'void', 'adjust', 'expire', 'rollover')),
    level_id INTEGER NOT NULL REFERENCES levels(id),
    allocation_id INTEGER REFERENCES allocations(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    entry_on TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity <> 0),
    voids_id INTEGER UNIQUE REFERENCES entries(id),
    description TEXT,
    note TEXT,
    source TEXT NOT NULL,
    ref TEXT,
    fingerprint TEXT,
    operator TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX entries_level ON entries(level_id, allocation_id, quantity);
CREATE INDEX entries_allocation ON entries(allocation_id) WHERE allocation_id IS NOT NULL;
CREATE INDEX entries_contact ON entries(contact_id, entry_on);
CREATE INDEX entries_ref ON entries(ref) WHERE ref IS NOT NULL;
-- No index on entry_on alone: a report over months reads most of the ledger, where a
-- scan beats the index, and every index costs each imported row (PERFORMANCE.md).

-- Invariant 3: the ledger is append-only.
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: correct a mistake with a void or an adjust');
END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: correct a mistake with a void or an adjust');
END;
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "foundation", FOUNDATION),
    Migration(2, "ledger", LEDGER),
)

# Views so the file answers questions on its own in any SQLite tool. Quantities are in
# the type's storage unit: cents for money, else the unit itself.
VIEWS = """
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
"""

MIGRATIONS = (*MIGRATIONS, Migration(3, "balance views", VIEWS))


def history_sql(where: str = "1") -> str:
    """Every event in date order with the running balance of its holder (the owner of the
    level's own part, or the receiver of an allocation) and benefit type.

    Grants and allocations are events as well as ledger entries. An allocation to another
    contact moves its number from the owner to the receiver on its start; when it ends,
    what it did not use moves back. ``where`` may filter on ``holder_id`` and ``type_id``
    (the partition), never on dates: the running balance needs every earlier event.
    """
    return f"""
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
WHERE {where}
"""


HISTORY_VIEW = f"CREATE VIEW history AS {history_sql()};"

MIGRATIONS = (*MIGRATIONS, Migration(4, "history view", HISTORY_VIEW))
