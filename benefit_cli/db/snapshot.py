"""What a usage import reads while it writes: the ledger as committed before the import
began, read on a thread and a connection of its own, one chunk ahead.

The import holds the write lock from its start to its end, so what this connection sees
— what was committed — is the ledger as the import found it, however far the import has
got (WAL mode). It answers two questions about the chunk after the one being drawn:

- which balances its (contact, type) pairs may draw from (``balance_sql.drawable_sql``,
  up to the last entry before the import: the import counts what it draws itself);
- which uses were already recorded under its refs, for refs the import has not written
  itself (those it may have are asked of the ledger it writes, the only one to see them).

Each question is one SQL statement answered as one JSON text. Python's sqlite3 lets go
of the interpreter's lock while SQLite works, so the import's own thread checks and draws
meanwhile, on the other core; but a query fetched row by row takes the lock back for
every row, and would wait for it each time while the busy import thread holds it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from benefit_cli.db.balance_sql import drawable_json_sql, keys_param
from benefit_cli.db.ledger import REF_USES, ref_uses_of
from benefit_cli.domain.idempotency import RefUse

if TYPE_CHECKING:
    from concurrent.futures import Future

_REF_USES_JSON = (
    "WITH found(ref, id, fingerprint, voided) AS ("
    + REF_USES.format(refs="SELECT value FROM json_each(:refs)")
    + ") SELECT json_group_array(json_array(ref, id, fingerprint, voided)) FROM found"
)


def database_file(conn: sqlite3.Connection) -> str:
    """The file a connection has open, for another connection to open."""
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def reading_connection(database: str) -> sqlite3.Connection:
    """A connection that only reads, usable from another thread than the one making it."""
    conn = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


class Snapshot:
    """Look-ups on the ledger as committed, each answered on a thread of their own: the
    ``drawable`` and ``ref_uses`` methods start one and return what waits for its answer."""

    def __init__(self, database: str, before: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.database = database
        self.before = before  # the last entry before the import: balances count up to it
        self.drawable_sql = drawable_json_sql(f"e.id <= {int(before)}")
        self.conn: sqlite3.Connection | None = None
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-snapshot")

    def drawable(self, pairs: Collection[int]) -> Callable[[], list[list[Any]]]:
        """The holders each pair (a ``pair_key``) may draw from, as rows of
        ``DRAWABLE_COLUMNS``."""
        return self._ask(self.drawable_sql, keys_param(pairs), json.loads)

    def ref_uses(self, refs: Sequence[str]) -> Callable[[], dict[str, list[RefUse]]]:
        """The uses recorded under each ref before the import, oldest first."""
        if not refs:
            return dict
        return self._ask(_REF_USES_JSON, {"refs": json.dumps(list(refs))}, _ref_uses)

    def _ask(self, sql: str, params: dict[str, str], read: Callable[[str], Any]) -> Callable[[], Any]:
        future: Future[str] = self.thread.submit(self._one, sql, params)
        return lambda: read(future.result())

    def _one(self, sql: str, params: dict[str, str]) -> str:
        if self.conn is None:
            self.conn = reading_connection(self.database)  # made on the thread, closed by close()
        return str(self.conn.execute(sql, params).fetchone()[0])

    def close(self) -> None:
        """Drop the look-ups not started, let the one under way finish (it only reads),
        and close the connection."""
        self.thread.shutdown(wait=True, cancel_futures=True)
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _ref_uses(text: str) -> dict[str, list[RefUse]]:
    return ref_uses_of(json.loads(text))
