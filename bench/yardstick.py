"""The yardstick of the reports (issue 11): the ``sqlite3`` shell computing the same rows
and columns as ``report history``, ``report balances`` and ``report usage --by month`` with
one window / GROUP BY query each, written here from the SPEC, independently of
``benefit_cli/db/balance_sql.py`` — a yardstick made of our own SQL would only measure
the rendering.

They cover what the wide scenario holds: levels (possibly cancelled) and ledger entries
of any kind but rollover, no allocations. For that shape the SPEC's rules reduce to:

- a level's last usable day is its expiry, or the day before its cancellation;
- as of D it is upcoming before its start, current through its last day, expired after;
- history: its grant on its start, then its entries, and — once past its last day — an
  ``expire`` line dated the day after for what it still had that the ledger does not
  record as expired; ``balance_after`` is what it holds right after the event, never
  below zero; ordered by date, then expiries, grants, other entries, then by id;
- balances: per contact and type, the sums over its levels that have started; what is
  left counts only while current;
- usage: uses not voided, per month and unit, the value at each level's unit value.

``verify`` holds each to our report on a small database and stops the bench if they
differ: a yardstick that computes something else would make any ratio meaningless.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal, InvalidOperation
from pathlib import Path

_LEVELS = """levels_ AS (
    SELECT l.id, l.contact_id, l.type_id, l.quantity, l.starts_on, l.source, l.created_by,
        CASE WHEN l.cancelled_on IS NOT NULL AND l.cancelled_on <= l.expires_on
            THEN date(l.cancelled_on, '-1 day') ELSE l.expires_on END AS last_day
    FROM levels l
)"""

_STATUS = """CASE WHEN '{d}' > lv.last_day THEN 'expired' WHEN '{d}' < lv.starts_on THEN 'upcoming'
            ELSE 'current' END"""


def history_sql(as_of: dt.date) -> str:
    d = as_of.isoformat()
    return f"""WITH {_LEVELS},
sums AS (
    SELECT e.level_id,
        sum(CASE WHEN e.kind = 'expire' THEN 0 ELSE e.quantity END) AS lived,
        sum(CASE WHEN e.kind = 'expire' THEN e.quantity ELSE 0 END) AS expired
    FROM entries e GROUP BY e.level_id
),
events AS (
    SELECT lv.starts_on AS date, 1 AS seq, lv.id AS tiebreak, lv.id AS level_id, NULL AS entry_id,
        'grant' AS kind, lv.quantity AS quantity, NULL AS user_id, lv.source AS source,
        NULL AS description, lv.created_by AS operator
    FROM levels_ lv
    UNION ALL
    SELECT e.entry_on, CASE WHEN e.kind = 'expire' THEN 0 ELSE 3 END, e.id, e.level_id, e.id, e.kind,
        e.quantity, e.contact_id, e.source, e.description, e.operator
    FROM entries e
    UNION ALL
    SELECT date(lv.last_day, '+1 day'), 0, 0, lv.id, NULL, 'expire',
        -max(0, max(0, lv.quantity + coalesce(s.lived, 0)) + coalesce(s.expired, 0)),
        NULL, 'expiry', NULL, NULL
    FROM levels_ lv LEFT JOIN sums s ON s.level_id = lv.id
    WHERE lv.last_day < '{d}' AND max(0, lv.quantity + coalesce(s.lived, 0)) + coalesce(s.expired, 0) > 0
)
SELECT ev.entry_id, ev.date, c.ref AS contact_ref, c.name AS contact, t.code AS type, ev.kind,
    ev.quantity, max(0, sum(ev.quantity) OVER (PARTITION BY ev.level_id
        ORDER BY ev.date, ev.seq, ev.tiebreak ROWS UNBOUNDED PRECEDING)) AS balance_after,
    {_STATUS.format(d=d)} AS status,
    u.ref AS used_by, ev.source, ev.description, ev.operator
FROM events ev JOIN levels_ lv ON lv.id = ev.level_id JOIN contacts c ON c.id = lv.contact_id
JOIN benefit_types t ON t.id = lv.type_id LEFT JOIN contacts u ON u.id = ev.user_id
WHERE ev.date <= '{d}'
ORDER BY ev.date, ev.seq, ev.tiebreak, ev.level_id"""


def balances_sql(as_of: dt.date) -> str:
    d = as_of.isoformat()
    return f"""WITH {_LEVELS},
sums AS (
    SELECT e.level_id,
        sum(CASE WHEN e.entry_on <= '{d}' THEN e.quantity ELSE 0 END) AS until_d,
        sum(CASE WHEN e.entry_on <= '{d}' AND e.kind IN ('use', 'void') THEN e.quantity ELSE 0 END) AS used,
        sum(CASE WHEN e.entry_on <= '{d}' AND e.kind = 'adjust' THEN e.quantity ELSE 0 END) AS adjusted,
        sum(CASE WHEN e.entry_on <= '{d}' AND e.kind = 'expire' THEN e.quantity ELSE 0 END) AS expired_d,
        sum(CASE WHEN e.kind = 'expire' THEN 0 ELSE e.quantity END) AS lived,
        sum(CASE WHEN e.kind = 'expire' THEN e.quantity ELSE 0 END) AS expired
    FROM entries e GROUP BY e.level_id
),
figures AS (
    SELECT lv.contact_id, lv.type_id, lv.quantity, lv.last_day, {_STATUS.format(d=d)} AS status,
        -coalesce(s.used, 0) AS used, coalesce(s.adjusted, 0) AS adjusted,
        -coalesce(s.expired_d, 0) + CASE WHEN lv.last_day < '{d}'
            THEN max(0, max(0, lv.quantity + coalesce(s.lived, 0)) + coalesce(s.expired, 0)) ELSE 0 END
            AS expired,
        max(0, lv.quantity + coalesce(s.until_d, 0)) AS left_d
    FROM levels_ lv LEFT JOIN sums s ON s.level_id = lv.id
)
SELECT c.ref AS contact_ref, c.name AS contact, t.code AS type,
    sum(CASE WHEN f.status = 'upcoming' THEN 0 ELSE f.quantity END) AS granted,
    0 AS allocated_out,
    sum(CASE WHEN f.status = 'upcoming' THEN 0 ELSE f.used END) AS used,
    sum(CASE WHEN f.status = 'upcoming' THEN 0 ELSE f.adjusted END) AS adjusted,
    sum(CASE WHEN f.status = 'upcoming' THEN 0 ELSE f.expired END) AS expired,
    sum(CASE WHEN f.status = 'current' THEN f.left_d ELSE 0 END) AS remaining,
    min(CASE WHEN f.status = 'current' AND f.left_d > 0 THEN f.last_day END) AS expires_on,
    CASE WHEN max(f.status = 'current') THEN 'current' WHEN max(f.status = 'upcoming') THEN 'upcoming'
        ELSE 'expired' END AS status
FROM figures f JOIN contacts c ON c.id = f.contact_id JOIN benefit_types t ON t.id = f.type_id
GROUP BY f.contact_id, f.type_id ORDER BY c.ref, t.code"""


def usage_by_month_sql() -> str:
    return """SELECT substr(e.entry_on, 1, 7) AS month, t.unit,
    count(DISTINCT coalesce(e.ref, '#' || e.id)) AS uses, -sum(e.quantity) AS quantity,
    count(DISTINCT e.contact_id) AS members,
    printf('%.2f', -sum(e.quantity * l.unit_value) / CASE WHEN t.unit = 'money' THEN 10000.0 ELSE 100.0 END)
        AS value
FROM entries e JOIN levels l ON l.id = e.level_id JOIN benefit_types t ON t.id = l.type_id
WHERE e.kind = 'use' AND e.id NOT IN (SELECT voids_id FROM entries WHERE voids_id IS NOT NULL)
GROUP BY month, t.unit ORDER BY t.unit, quantity DESC, uses DESC, month"""


# The reports measured: (name, the report's arguments, the shell's query).
def reports(as_of: dt.date) -> list[tuple[str, list[str], str]]:
    return [
        ("report history", ["report", "history"], history_sql(as_of)),
        ("report balances", ["report", "balances"], balances_sql(as_of)),
        ("report usage --by month", ["report", "usage", "--by", "month"], usage_by_month_sql()),
    ]


def shell() -> str | None:
    """The sqlite3 command-line shell, if installed."""
    return shutil.which("sqlite3")


def shell_command(db: Path, sql: str) -> list[str]:
    return [shell() or "sqlite3", "-csv", "-header", str(db), sql]


def same_rows(ours: Path, theirs: Path) -> str | None:
    """None if the two CSV files hold the same header and rows in the same order (numbers
    compared as numbers: ``12`` and ``12.00`` alike), else what differs first."""
    with open(ours, encoding="utf-8-sig", newline="") as a, open(theirs, encoding="utf-8", newline="") as b:
        mine, yours = list(csv.reader(a)), list(csv.reader(b))
    if len(mine) != len(yours):
        return f"{len(mine) - 1} rows against the shell's {len(yours) - 1}"
    for number, (left, right) in enumerate(zip(mine, yours, strict=True)):
        if [_normal(cell) for cell in left] != [_normal(cell) for cell in right]:
            return f"line {number + 1} differs:\n      ours:  {left}\n      shell: {right}"
    return None


def _normal(cell: str) -> object:
    try:
        return Decimal(cell)
    except InvalidOperation:
        return cell
