"""Opening the database: what the file is, how it may be opened, the pragmas every
connection needs, migration on open, and how a write waits for another one.

Before SQLite sees a path, ``connect`` looks at it: a folder, an empty file, a file that
is not SQLite's, or one cut short is refused with a sentence saying which, and the file
is left exactly as it was (SQLite would write a new database into an empty file). A
typo in ``--db`` must never start a new, empty ledger.

A file the user may read but not change is opened read-only, so reads work and a write
is refused before it starts, naming the file or folder. In WAL mode even a reader needs
the ``-wal`` and ``-shm`` files beside the database: in a folder the user cannot write,
SQLite can only read a file that another connection left open (both files are there)
or, when no ``-wal`` exists, with ``immutable=1`` -- which skips every lock and so is
used only where no writer can exist (a read-only file system, or a folder no one has
write permission on). Otherwise reading would race a writer's checkpoint, and the
command says so instead.

Every write runs in ``write(conn)``, a ``BEGIN IMMEDIATE`` transaction: it takes the
write lock before reading any balance, so two processes can never both read the old
balance and overdraw it, and a waiting writer is queued instead of failing with
"database is locked" half-way through. While another command holds the lock, a write
waits quietly for a moment, then tells the person it is waiting (``on_busy``), and
gives up at a bound (``BENEFIT_BUSY_TIMEOUT`` seconds, else the caller's default).
Reads never wait for a writer in WAL mode.
"""

from __future__ import annotations

import codecs
import math
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

from benefit_cli.db.migrations import Migration, migrations
from benefit_cli.domain.errors import BenefitError, NotFound, UsageError

# How long a command's write waits for another command's before it gives up. A cron run
# that must not fail because staff were busy passes a longer ``busy_wait`` to ``connect``.
COMMAND_BUSY_WAIT = 30.0
BUSY_ENV = "BENEFIT_BUSY_TIMEOUT"
MAX_BUSY_WAIT = 24 * 3600.0
# Most waits are over in well under a second; a notice only for the longer ones. A short
# bound (a test, an impatient script) gets a proportionally short quiet wait.
QUIET_WAIT = 3.0
QUIET_SHARE = 0.1
# SQLite's busy timeout per try: short enough for Ctrl-C and the bound to be prompt.
WAIT_SLICE = 0.25

SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER = 100

# Told that a write is waiting for another command's lock, with the bound in seconds; the
# context it returns lasts as long as the wait (a spinner stops when it exits).
BusyNotice = Callable[[float], AbstractContextManager[object]]


class ReadOnly(BenefitError):
    """The database may be read but not changed by this user: the refusal of a write."""


class Busy(BenefitError):
    """Another command held the write lock for longer than this one would wait."""


class Connection(sqlite3.Connection):
    """A connection made by ``connect``: it also knows what ``write`` needs."""

    path: Path
    # Why a write is refused (a clause of ``read_only_reason``), or None where it is allowed.
    read_only: str | None = None
    busy_wait: float = COMMAND_BUSY_WAIT
    on_busy: BusyNotice | None = None


def connect(
    path: Path | str,
    *,
    create: bool = False,
    busy_wait: float = COMMAND_BUSY_WAIT,
    on_busy: BusyNotice | None = None,
) -> Connection:
    """Open (and upgrade) the database at ``path``.

    A missing file is refused unless ``create``, and so is anything that is not a benefit
    database (``create`` may turn an empty file into one: a file made on purpose for it).
    ``busy_wait`` is how many seconds a write waits for another command's (the
    ``BENEFIT_BUSY_TIMEOUT`` variable overrides it); ``on_busy`` is told when it starts
    waiting visibly.
    """
    path = Path(path)
    wait = busy_timeout(busy_wait)
    fresh = inspect_file(path, create=create)
    if fresh and create:
        path.parent.mkdir(parents=True, exist_ok=True)
    how, read_only = open_mode(path, create=create)
    try:
        if how == "rw":
            conn = sqlite3.connect(path, isolation_level=None, timeout=wait, factory=Connection)
        else:
            query = "?mode=ro&immutable=1" if how == "immutable" else "?mode=ro"
            uri = path.absolute().as_uri() + query
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=wait, factory=Connection)
        conn.path, conn.read_only, conn.busy_wait, conn.on_busy = path, read_only, wait, on_busy
        conn.row_factory = sqlite3.Row
        _set_busy_timeout(conn, wait)
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only is None and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise unusable(path, exc) from exc
    try:
        migrate(conn)
    except (ReadOnly, sqlite3.OperationalError) as exc:
        if read_only is None or not (isinstance(exc, ReadOnly) or _is_read_only(exc)):
            raise
        raise ReadOnly(
            f'"{path}" was made by an older version of benefit-cli and must be upgraded before it'
            f" can be used, but {read_only or 'it is read-only'}. Ask for write permission, then run:"
            f' benefit --db "{path}" db migrate.'
        ) from exc
    return conn


def busy_timeout(default: float = COMMAND_BUSY_WAIT) -> float:
    """How many seconds a write waits for another command's: ``BENEFIT_BUSY_TIMEOUT`` if
    set, else ``default``."""
    text = os.environ.get(BUSY_ENV, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MAX_BUSY_WAIT:  # also refuses nan and inf
        raise UsageError(
            f'{BUSY_ENV} must be a number of seconds from 0 to {MAX_BUSY_WAIT:.0f}, not "{text}".'
            f" Set it to how long a command should wait for another one (like 30), or unset it."
        )
    return seconds


# -- what the file is -------------------------------------------------------------------


def inspect_file(path: Path, *, create: bool) -> bool:
    """Refuse a path that is not a benefit database; True when SQLite is to make a new one
    there (``create``, and no file or an empty one)."""
    fix = _fix(path, create)
    try:
        info = path.stat()
    except FileNotFoundError:
        if create:
            return True
        raise NotFound(
            f'No database at "{path}". Create one with: benefit --db "{path}" db init'
            " (or point --db / BENEFIT_DB at the right file)."
        ) from None
    except PermissionError:
        raise BenefitError(
            f'"{path}" cannot be reached: you have no permission to open its folder. Ask whoever'
            " manages that folder for access."
        ) from None
    if stat.S_ISDIR(info.st_mode):
        inside = path / "benefits.db"
        raise NotFound(
            f'"{path}" is a folder, not a benefit database. Point --db at the database file itself'
            f' (for example "{inside}"), or create one there with: benefit --db "{inside}" db init.'
        )
    if not stat.S_ISREG(info.st_mode):
        raise NotFound(f'"{path}" is not a regular file, so it is not a benefit database. {fix}')
    if info.st_size == 0:
        if create:
            return True  # a file made on purpose for ``db init``: SQLite writes a new database in it
        raise NotFound(
            f'"{path}" is empty (0 bytes), not a benefit database. Point --db at your database'
            f' file, or make this one a new database with: benefit --db "{path}" db init.'
        )
    try:
        with path.open("rb") as file:
            head = file.read(_HEADER)
    except PermissionError:
        raise BenefitError(
            f'"{path}" cannot be read: you have no permission to read it. Ask whoever manages it'
            " for read access."
        ) from None
    if not head.startswith(SQLITE_MAGIC):
        if len(head) < len(SQLITE_MAGIC) and SQLITE_MAGIC.startswith(head):
            raise _damaged(path, "")
        raise NotFound(
            f'"{path}" is not an SQLite database (it starts like {_looks_like(head)}), so it is not'
            f" a benefit database. {fix}"
        )
    cut = _cut_short(path, head, info.st_size)
    if cut is not None:
        raise _damaged(path, cut)
    return False


def _fix(path: Path, create: bool) -> str:
    if create:
        return "Choose another file name for the new database; this file was left as it was."
    return "Point --db (or BENEFIT_DB) at your benefit database file."


_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, such as an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file"),
    (b"\x1f\x8b", "a gzip archive"),
)


def _looks_like(head: bytes) -> str:
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    if b"\x00" not in head:
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head.removeprefix(codecs.BOM_UTF8))  # a character cut at byte 100 is fine
        except UnicodeDecodeError:
            pass
        else:
            return "a text file"
    return "some other kind of file"


def _cut_short(path: Path, head: bytes, size: int) -> str | None:
    """What shows the file is cut short, or None. SQLite writes whole pages, and its
    header says how many there are (valid when the change counter matches the one at 92)."""
    if len(head) < _HEADER:
        return f"it is only {size} bytes long"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "its header is not valid"
    if size % page_size:
        return f"it ends part-way through a page, at byte {size:,}"
    pages = int.from_bytes(head[28:32], "big")
    counted = pages > 0 and head[24:28] == head[92:96]
    wal = Path(f"{path}-wal")
    # Until a checkpoint, pages past the end of the file may live in the -wal file.
    if counted and size < pages * page_size and not (wal.exists() and wal.stat().st_size > 0):
        return f"only {size // page_size:,} of its {pages:,} pages are there"
    return None


def _damaged(path: Path, why: str) -> BenefitError:
    detail = f" ({why})" if why else ""
    return BenefitError(
        f'"{path}" is damaged or truncated{detail}, so it cannot be used. Restore your latest'
        ' backup (copies made with "benefit db backup") and point --db at it.'
    )


def unusable(path: Path, exc: sqlite3.DatabaseError) -> BenefitError:
    """The refusal for an error SQLite gave about the file itself."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return _damaged(path, str(exc))
    if code == sqlite3.SQLITE_READONLY:
        reason = read_only_reason(path) or f'the database file "{path}" is read-only'
        return ReadOnly(read_only_refusal(reason))
    if code == sqlite3.SQLITE_CANTOPEN:
        return BenefitError(
            f'"{path}" cannot be opened ({exc}). Check that its disk or network share is'
            " available and that you may read the file and its folder."
        )
    return BenefitError(f'"{path}" is not a benefit database ({exc}). Point --db at your database file.')


# -- who may write ------------------------------------------------------------------------


def read_only_reason(path: Path) -> str | None:
    """Why this user may not change the database at ``path`` (a clause), or None."""
    folder = path.absolute().parent
    file_ok = not path.exists() or os.access(path, os.W_OK)
    folder_ok = os.access(folder, os.W_OK | os.X_OK)
    if file_ok and folder_ok:
        return None
    if not folder_ok and not file_ok:
        return f'the database file "{path}" and its folder "{folder}" are read-only for you'
    if not folder_ok:
        return f'the folder "{folder}" that holds "{path.name}" is read-only for you'
    return f'the database file "{path}" is read-only for you'


def read_only_refusal(reason: str) -> str:
    """The refusal of a write, from ``read_only_reason``."""
    return (
        f"{reason[0].upper()}{reason[1:]}, so nothing was changed. Ask whoever manages it for"
        " write permission, or work on a copy in a folder of your own."
    )


def open_mode(path: Path, *, create: bool) -> tuple[str, str | None]:
    """How SQLite opens ``path`` -- ``rw``, ``ro`` or ``immutable`` -- and, unless ``rw``,
    why writes are refused."""
    reason = read_only_reason(path)
    if reason is None:
        return "rw", None
    folder = path.absolute().parent
    if create and (not path.exists() or path.stat().st_size == 0):
        raise ReadOnly(
            f'Cannot create a database at "{path}": {reason}. Choose a folder of your own, or ask'
            " for write permission on this one."
        )
    if os.access(folder, os.W_OK | os.X_OK):
        return "ro", reason  # SQLite makes its -wal and -shm files beside the database
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if wal.exists():
        if shm.exists():
            return "ro", reason  # left by a connection that is (or was) open: SQLite reads them
        raise ReadOnly(
            f'"{path}" was not closed cleanly (its "{wal.name}" file holds recent changes) and {reason},'
            " so it cannot be read. Ask whoever manages the folder to open it once with write"
            f' permission (benefit --db "{path}" db check does), then try again.'
        )
    if _no_writer_can_exist(folder):
        return "immutable", reason
    raise ReadOnly(
        f'"{path}" cannot be read safely: {reason} but not for everyone, and SQLite needs to make'
        f' "{wal.name}" and "{shm.name}" beside it to read while someone else may be writing. Ask for'
        " write permission on the folder, or copy the database to a folder of your own."
    )


def _no_writer_can_exist(folder: Path) -> bool:
    """A writer in WAL mode must create the -wal file beside the database: impossible on a
    read-only file system, or in a folder without write permission for anyone (root aside)."""
    if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY:
        return True
    return folder.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0


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
def write(
    conn: sqlite3.Connection, rehearse: bool = False, references_read: bool = False
) -> Iterator[sqlite3.Connection]:
    """One immediate transaction: everything inside is applied whole or not at all — or,
    to ``rehearse`` it (a dry run), rolled back whatever happens.

    ``references_read``: every id the transaction writes into a row it has read, inside
    it, from the row the id names (a fulfilment's deliveries are selected from the levels
    they name, an expiry's entries from the levels they close), and nothing can delete
    that row while the write lock is held. SQLite's foreign-key check would only look
    each of them up again (50,000 deliveries: 150,000 look-ups, a quarter of the
    fulfilment's time), so it is off for that transaction alone (SQLite switches it only
    between transactions). An import does the same (``ledger_writer._trust_the_rows``)."""
    refuse_if_read_only(conn)
    if references_read:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        begin_immediate(conn)
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("ROLLBACK" if rehearse else "COMMIT")
    finally:
        if references_read:
            conn.execute("PRAGMA foreign_keys = ON")


def refuse_if_read_only(conn: sqlite3.Connection) -> None:
    """Refuse a write, before it starts, on a connection ``connect`` opened read-only."""
    read_only = getattr(conn, "read_only", None)
    if read_only:
        raise ReadOnly(read_only_refusal(read_only))


def begin_immediate(conn: sqlite3.Connection) -> None:
    """Take the write lock, waiting for another command's as long as the connection says.

    Python's sqlite3 has no busy handler callback, so SQLite's own busy timeout waits in
    slices: between them this loop tells the person once the quiet part is over, gives up
    at the bound, and lets Ctrl-C through (Python sees a signal only between statements).
    SQLite sleeps without holding the GIL, so a spinner keeps turning meanwhile.
    """
    wait: float = getattr(conn, "busy_wait", COMMAND_BUSY_WAIT)
    on_busy: BusyNotice | None = getattr(conn, "on_busy", None)
    start = time.monotonic()
    quiet_until = start + min(QUIET_WAIT, wait * QUIET_SHARE)
    give_up_at = start + wait
    told = False
    with ExitStack() as notice:
        try:
            while True:
                until = give_up_at if told else quiet_until
                _set_busy_timeout(conn, min(WAIT_SLICE, max(0.0, until - time.monotonic())))
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not is_busy(exc):
                        raise
                    if time.monotonic() >= give_up_at:
                        raise Busy(busy_message(wait)) from exc
                if not told and time.monotonic() >= quiet_until:
                    told = True
                    if on_busy is not None:
                        notice.enter_context(on_busy(wait))
        finally:
            _set_busy_timeout(conn, wait)


def busy_message(wait: float | None = None) -> str:
    """The refusal of a write that waited for another command's until the bound."""
    how_long = f" for {_seconds(wait)}" if wait is not None else " for too long"
    return (
        f"The database stayed busy with another command{how_long}; nothing was changed. Try again"
        f" when it has finished ({BUSY_ENV} sets how many seconds to wait)."
    )


def _is_read_only(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY


def is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc)


def _seconds(seconds: float) -> str:
    return "1 second" if seconds == 1 else f"{seconds:g} seconds"


def _set_busy_timeout(conn: sqlite3.Connection, seconds: float) -> None:
    conn.execute(f"PRAGMA busy_timeout = {max(0, round(seconds * 1000))}")


def backup(conn: sqlite3.Connection, path: Path) -> None:
    """Copy the database to a new file with SQLite's online backup: consistent even while
    other processes write."""
    target = sqlite3.connect(path)
    try:
        with target:
            conn.backup(target)
    finally:
        target.close()
