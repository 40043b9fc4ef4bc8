"""Look-ups for the shell's completion: the refs and codes that start with what was typed.

The shell waits for these on every Tab, so they do the least that answers: the file is
opened read-only, without the checks and migration of ``connection.connect`` (a file
that is not a benefit database, or one of an older version, raises, and completion offers
nothing), and each look-up reads at most ``MOST`` rows through a unique index.

A completion leaves no trace either. Where no ``-wal`` file is beside the database (no
command has it open), it is read as ``immutable``, so SQLite makes no ``-wal`` and
``-shm`` files for it: a write starting meanwhile can at worst spoil this one answer,
which then is no answer. Where a ``-wal`` is there, it holds recent changes, and the
file is read through it as a reader among the others.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MOST = 100
# (table, key column, whether the key is stored upper-case) for each kind of name.
_KINDS = {
    "contact": ("contacts", "ref", False),
    "type": ("benefit_types", "code", True),
    "plan": ("plans", "code", True),
    "event": ("events", "code", True),
}


def completions(path: Path, kind: str, typed: str) -> list[tuple[str, str]]:
    """(key, name) of the contacts, types, plans or events whose ref or code starts with ``typed``,
    in key order; a contact's ref is tried as typed, then in upper case."""
    table, column, upper = _KINDS[kind]
    if not path.is_file():
        return []  # never let SQLite make a file where none was
    wal = Path(f"{path}-wal").exists()
    mode = "?mode=ro" if wal else "?mode=ro&immutable=1"
    conn = sqlite3.connect(path.absolute().as_uri() + mode, uri=True, timeout=0.5)
    try:
        for prefix in dict.fromkeys((typed.upper(),) if upper else (typed, typed.upper())):
            rows = conn.execute(
                f"SELECT {column}, name FROM {table} WHERE {column} >= ? AND {column} < ?"
                f" ORDER BY {column} LIMIT ?",
                (prefix, prefix + "\U0010ffff", MOST),
            ).fetchall()
            if rows:
                return [(str(key), str(name)) for key, name in rows]
        return []
    finally:
        conn.close()
