"""Opening the database: the pragmas every connection needs, and migration on open.

Every write runs in ``write(conn)``, a ``BEGIN IMMEDIATE`` transaction: it takes the
write lock before reading any balance, so two processes can never both read the old
balance and overdraw it, and a waiting writer is queued by the busy timeout instead of
failing with "database is locked" half-way through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benefit_cli.db.migrations import Migration, migrations
from benefit_cli.domain.errors import BenefitError, NotFound

BUSY_TIMEOUT_MS = 60_000


def connect(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """Open (and upgrade) the database at ``path``.

    A missing file is refused unless ``create``: a typo in a path must never silently
    start a new, empty ledger.
    """
    path = Path(path)
    if not create and not path.exists():
        raise NotFound(
            f'No database at "{path}". Create one with: benefit --db "{path}" db init'
            " (or point --db / BENEFIT_DB at the right file)."
        )
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise BenefitError(f'"{path}" is not a benefit database ({exc}).') from exc
    migrate(conn)
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, upto: int | None = None, operator: str = "") -> list[Migration]:
    """Apply the migrations not yet applied (up to ``upto``); return those applied."""
    current = schema_version(conn)
    known = migrations()
    latest = known[-1].number
    if current > latest:
        raise BenefitError(
            f"This database was written by a newer benefit-cli (schema {current}, this one knows"
            f" {latest}). Upgrade benefit-cli to open it."
        )
    pending = [m for m in known if current < m.number <= (upto or latest)]
    if not pending:
        return []
    from benefit_cli.clock import now_utc, operator_name

    applied: list[Migration] = []
    for migration in pending:
        # executescript would COMMIT on its own; run statement by statement in one
        # immediate transaction so a migration is applied whole or not at all.
        with write(conn):
            if schema_version(conn) >= migration.number:
                continue  # another process upgraded the file while we waited
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations (number, name, applied_at, applied_by) VALUES (?, ?, ?, ?)",
                (migration.number, migration.name, now_utc(), operator or operator_name()),
            )
            conn.execute(f"PRAGMA user_version = {migration.number}")
        applied.append(migration)
    return applied


def _statements(sql: str) -> Iterator[str]:
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer!r}")


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One immediate transaction: everything inside is applied whole or not at all."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def backup(conn: sqlite3.Connection, path: Path) -> None:
    """Copy the database to a new file with SQLite's online backup: consistent even while
    other processes write."""
    target = sqlite3.connect(path)
    try:
        with target:
            conn.backup(target)
    finally:
        target.close()
