"""Where a usage import writes: the ledger inside one transaction, in this process or in
a process of its own.

An import spends about as long in SQLite inserting rows as in Python reading and
checking them. For a large file (``SEPARATE_BYTES`` and up) a second process (the same
Python, running ``main`` below) holds the import's write transaction
and inserts each chunk while this one reads and checks the next, so the two overlap on
two cores. It commits only when told to: if this process dies (kill -9, a crash), the
writer reads the end of its input and rolls back, so nothing of the import is left.

The writer answers ref look-ups too, since only its connection sees the rows this
import has inserted so far. While it holds the write lock, this process's own reads
(contacts, balances) see the ledger as it was committed, which no one else can change
until the import ends (WAL mode).

Messages are pickled tuples over the writer's stdin and stdout: ``("open", db, stamp,
cache_mib)``, ``("ref_uses", refs)``, ``("append", rows)`` (no answer: it overlaps; the
rows, ``use_rows``' tuples, are one ``marshal`` text, twice as fast to make as pickling them),
``("commit",)``. Each answered message gets ``("ok", value)`` or ``("error", text)``,
read here by a thread as it comes, so that neither side ever waits on the other.
"""

from __future__ import annotations

import marshal
import os
import pickle
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from benefit_cli.db.connection import connect, refuse_if_read_only, write
from benefit_cli.db.store import Store
from benefit_cli.domain.consumption import UseRow
from benefit_cli.domain.errors import BenefitError
from benefit_cli.domain.idempotency import RefUse

# From about 50,000 rows up, the writer's start (a Python process, ~0.1 s) is a few
# percent of the import, and the overlap saves more.
SEPARATE_BYTES = 4 * 1024 * 1024
# The page cache keeps the ledger's index pages from being written and read again
# (PERFORMANCE.md). A million-row import took as long with 64 MiB as with 128 here.
CACHE_MIB = 64
# A million-row import sends about 250 KB a chunk; Linux lets a pipe hold up to 1 MiB
# without special rights (/proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20


class Ledger(Protocol):
    """What an import needs of the ledger it writes to."""

    def ask_ref_uses(self, refs: Sequence[str]) -> Callable[[], dict[str, list[RefUse]]]:
        """Ask which uses the ledger holds under ``refs`` now (``Ledger.ref_uses``); the
        answer is read by calling what this returns, after other work if need be."""
        ...

    def append_uses(self, rows: list[UseRow]) -> None: ...


class _SameProcess:
    def __init__(self, store: Store) -> None:
        self.store = store

    def ask_ref_uses(self, refs: Sequence[str]) -> Callable[[], dict[str, list[RefUse]]]:
        found = self.store.ledger.ref_uses(refs)
        return lambda: found

    def append_uses(self, rows: list[UseRow]) -> None:
        self.store.ledger.append_uses(rows)


@contextmanager
def import_transaction(conn: sqlite3.Connection, separate: bool) -> Iterator[Ledger]:
    """The ledger an import writes to, in one transaction: committed when the block ends,
    rolled back if it raises. ``separate`` puts the writing in a process of its own."""
    refuse_if_read_only(conn)  # the writer process opens the file again; say it here, once
    if not separate:
        # The checks _trust_the_rows skips: the foreign keys for this transaction alone
        # (``write``), the CHECKs until it ends.
        conn.execute("PRAGMA ignore_check_constraints = ON")
        try:
            with write(conn, references_read=True):
                store = Store(conn)
                store.bulk_mode(cache_mib=CACHE_MIB)
                yield _SameProcess(store)
        finally:
            conn.execute("PRAGMA ignore_check_constraints = OFF")
        return
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    writer = _WriterProcess(database, Store(conn).stamp)
    try:
        yield writer
        writer.commit()
    finally:
        writer.close()


class _WriterProcess:
    """This side of the writer process."""

    def __init__(self, database: str, stamp: tuple[str, str]) -> None:
        # -P: not the current folder first on the path (a user's folder of files); the
        # package's own folder last, so it is found however this process was started.
        package_root = str(Path(__file__).resolve().parents[2])
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", _START, package_root],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("BENEFIT_DEBUG") == "1" else subprocess.DEVNULL,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        _widen(self.process.stdin)
        self.to_writer: IO[bytes] = self.process.stdin
        self.from_writer: IO[bytes] = self.process.stdout
        # Answers are read as they come, by a thread: the writer must never wait to send
        # an answer (a re-import's are large) while this process waits to send it a chunk.
        self.answers: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self.reader = threading.Thread(target=self.read_answers, daemon=True)
        self.reader.start()
        try:
            self.ask("open", database, stamp, CACHE_MIB)  # answered once it holds the write lock
        except BaseException:
            self.close()
            raise

    def ask_ref_uses(self, refs: Sequence[str]) -> Callable[[], dict[str, list[RefUse]]]:
        self.send("ref_uses", refs)
        return self.answer  # answers come in the order asked

    def append_uses(self, rows: list[UseRow]) -> None:
        # Plain tuples of ints, texts and None: marshal writes them faster than pickle.
        self.send("append", marshal.dumps(rows))

    def commit(self) -> None:
        self.ask("commit")

    def close(self) -> None:
        """End the writer; unless it committed, it rolls back on reading the end of input."""
        try:
            self.to_writer.close()
        except OSError:
            pass  # it is gone already, with what was left to send
        self.process.wait()
        self.reader.join()
        self.from_writer.close()

    def send(self, *message: Any) -> None:
        try:
            pickle.dump(message, self.to_writer, protocol=pickle.HIGHEST_PROTOCOL)
            self.to_writer.flush()
        except BrokenPipeError:
            while True:
                self.answer()  # it stopped: read on to why, or to the end (both raise)

    def ask(self, *message: Any) -> Any:
        self.send(*message)
        return self.answer()

    def read_answers(self) -> None:
        """The reader thread: every answer into the queue, then None at the end."""
        try:
            while True:
                self.answers.put(pickle.load(self.from_writer))
        except Exception:  # the end of its output (or a broken one): it stopped
            self.answers.put(None)

    def answer(self) -> Any:
        reply = self.answers.get()
        if reply is None:
            self.answers.put(None)  # for whoever asks next
            raise self.stopped()
        status, value = reply
        if status == "error":
            raise BenefitError(f"Could not write to the database ({value}); nothing was imported.")
        return value

    @staticmethod
    def stopped() -> BenefitError:
        return BenefitError("The process writing the import stopped unexpectedly; nothing was imported.")


def _widen(pipe: IO[bytes]) -> None:
    """Let the pipe to the writer hold a chunk or more (Linux; 64 KiB elsewhere, as by
    default): this process goes on to the next chunk while the writer still inserts the
    one before, rather than waiting for it to read each part."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or over the system's limit: the pipe as it is works, waits more


def _trust_the_rows(conn: sqlite3.Connection) -> None:
    """Skip SQLite's checks of each row an import appends, which only repeat what the
    import made sure of: every id it writes was read inside its own immediate transaction
    (so the foreign-key look-ups find what was just found), and every entry is a use of a
    positive quantity made by ``use_rows`` (so the table's CHECKs hold by construction;
    SQLite evaluates ``kind IN (...)`` by building a small table for every row, a fifth of
    the insert's work). ``db check`` still verifies both."""
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")


@contextmanager
def rare_collections() -> Iterator[None]:
    """Python's cycle collector run every 100,000 new objects instead of every 700, for
    the block. An import makes millions of short-lived objects and no cycles, and each
    run of the collector walks every object of the chunks in flight: about 7% of the
    import's work otherwise."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


# -- the writer process itself --------------------------------------------------------------


def serve(source: IO[bytes], replies: IO[bytes]) -> None:
    """Run the writer: open the transaction, then do as told until commit or end of input."""

    def reply(status: str, value: Any = None) -> None:
        pickle.dump((status, value), replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()

    conn: sqlite3.Connection | None = None
    try:
        _, database, stamp, cache_mib = pickle.load(source)
        conn = connect(database)
        _trust_the_rows(conn)
        conn.execute("BEGIN IMMEDIATE")
        store = Store(conn, stamp=stamp)
        store.bulk_mode(cache_mib=cache_mib)
        reply("ok")
        while True:
            name, *arguments = pickle.load(source)
            if name == "append":
                store.ledger.append_uses(marshal.loads(*arguments))
            elif name == "ref_uses":
                reply("ok", store.ledger.ref_uses(*arguments))
            elif name == "commit":
                conn.execute("COMMIT")
                reply("ok")
                return
            else:
                raise ValueError(f"unknown message {name!r}")
    except EOFError:
        return  # the import ended without commit (or was killed): roll back
    except Exception as exc:  # told to the importer, which says it in one sentence
        try:
            reply("error", str(exc) or type(exc).__name__)
        except OSError:
            pass
    finally:
        if conn is not None:
            conn.close()  # rolls back whatever was not committed


def main() -> None:
    # Ctrl-C reaches every process of the terminal's group: the importer decides, and
    # closing the pipe is how it tells this one to roll back.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # sqlite3 binds None only after failing to find how to adapt it (two attribute look-ups
    # that raise and format an AttributeError): a tenth of the insert's work, for the three
    # NULL columns of most entries. A registered adapter is found first. (This process
    # does nothing else, so registering it for the whole module changes nothing else.)
    sqlite3.register_adapter(type(None), _null)
    with rare_collections():
        serve(sys.stdin.buffer, sys.stdout.buffer)


def _null(value: None) -> None:
    return value


_START = "import sys; sys.path.append(sys.argv[1]); from benefit_cli.db.ledger_writer import main; main()"
