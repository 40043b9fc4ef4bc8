"""The store: the only place that knows table names and SQL, one part per aggregate.

``Store`` reads; ``Tx`` is the same store inside one ``BEGIN IMMEDIATE`` transaction, and
every write use case takes one (``services``): it is applied whole or not at all, and use
cases compose by running in the same ``Tx``. The command line opens it::

    with store.transaction() as tx:
        record_use(tx, contact, benefit_type, 90, on)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from benefit_cli.db.base import Stamp
from benefit_cli.db.connection import write

if TYPE_CHECKING:
    from benefit_cli.db.allocations import Allocations
    from benefit_cli.db.balances import Balances
    from benefit_cli.db.catalog import Catalog
    from benefit_cli.db.checks import Checks
    from benefit_cli.db.contacts import Contacts
    from benefit_cli.db.events import Events
    from benefit_cli.db.ledger import Ledger
    from benefit_cli.db.memberships import Memberships
    from benefit_cli.db.queries import Queries
    from benefit_cli.db.subscriptions import Subscriptions


class Store:
    """Each part is made, and its module imported, when a command first uses it: a
    command pays for the parts it reads (start-up time is most of a short command's)."""

    def __init__(self, conn: sqlite3.Connection, stamp: tuple[str, str] | None = None) -> None:
        self.conn = conn
        self._stamp = Stamp(stamp)

    @cached_property
    def contacts(self) -> Contacts:
        from benefit_cli.db.contacts import Contacts

        return Contacts(self.conn, self._stamp)

    @cached_property
    def catalog(self) -> Catalog:
        from benefit_cli.db.catalog import Catalog

        return Catalog(self.conn, self._stamp)

    @cached_property
    def memberships(self) -> Memberships:
        from benefit_cli.db.memberships import Memberships

        return Memberships(self.conn, self._stamp)

    @cached_property
    def allocations(self) -> Allocations:
        from benefit_cli.db.allocations import Allocations

        return Allocations(self.conn, self._stamp)

    @cached_property
    def ledger(self) -> Ledger:
        from benefit_cli.db.ledger import Ledger

        return Ledger(self.conn, self._stamp)

    @cached_property
    def balances(self) -> Balances:
        from benefit_cli.db.balances import Balances

        return Balances(self.conn, self._stamp)

    @cached_property
    def queries(self) -> Queries:
        from benefit_cli.db.queries import Queries

        return Queries(self.conn, self._stamp)

    @cached_property
    def checks(self) -> Checks:
        from benefit_cli.db.checks import Checks

        return Checks(self.conn, self._stamp)

    @cached_property
    def subscriptions(self) -> Subscriptions:
        from benefit_cli.db.subscriptions import Subscriptions

        return Subscriptions(self.conn, self._stamp)

    @cached_property
    def events(self) -> Events:
        from benefit_cli.db.events import Events

        return Events(self.conn, self._stamp)

    @property
    def stamp(self) -> tuple[str, str]:
        """(time, operator) of this command (invariant 4)."""
        return self._stamp.value

    @contextmanager
    def transaction(self, rehearse: bool = False, references_read: bool = False) -> Iterator[Tx]:
        """One immediate transaction: committed when the block ends, rolled back if it
        raises — or always rolled back, to ``rehearse`` what it would do (a dry run).
        ``references_read``: see ``connection.write``."""
        with write(self.conn, rehearse, references_read):
            yield Tx(self.conn, self.stamp)

    def bulk_mode(self, cache_mib: int = 64) -> None:
        """A large page cache for this connection: with several indexes, the page cache
        decides the speed of large inserts (PERFORMANCE.md). And a checkpoint every 40 MB
        of log rather than every 4 MB: a cron run commits batch after batch, and every
        checkpoint waits for the disk to sync."""
        self.conn.execute(f"PRAGMA cache_size = -{cache_mib * 1024}")
        self.conn.execute("PRAGMA wal_autocheckpoint = 10000")


class Tx(Store):
    """The store inside an open write transaction (made by ``Store.transaction``)."""
