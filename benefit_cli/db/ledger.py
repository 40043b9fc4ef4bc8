"""The ledger: append-only entries (invariant 3) — uses, voids, adjustments, expiries and
rollovers — and what imports need to stay idempotent (invariant 5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from benefit_cli.db.base import Part, where
from benefit_cli.domain.consumption import USE_COLUMNS, UseRow
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.idempotency import FINGERPRINT_LENGTH, RefUse
from benefit_cli.domain.models import NewEntry


class Entry(NamedTuple):
    """One recorded line of the ledger."""

    id: int
    kind: str
    level_id: int
    allocation_id: int | None
    contact_id: int
    entry_on: str
    quantity: int
    voids_id: int | None
    description: str | None
    note: str | None
    source: str
    ref: str | None


class EntryRow(NamedTuple):
    """An entry as ``usage list`` shows it, with the ref of its contact and its type."""

    entry: Entry
    contact_ref: str
    type: str
    unit: str


class Closing(NamedTuple):
    """An expiry, or the part of a rollover that arrives in a level."""

    kind: str
    level_id: int
    allocation_id: int | None
    contact_id: int
    type_id: int
    quantity: int
    entry_on: str


_ENTRY_COLUMNS = ", ".join(f"e.{name}" for name in Entry._fields)
_INSERT = (
    f"INSERT INTO entries ({', '.join(NewEntry._fields)}, operator, created_at)"
    f" VALUES ({', '.join('?' for _ in NewEntry._fields)}, ?, ?)"
)
# An import's insert of uses: SQLite writes their kind and NULL voids_id, and the import's
# operator and time ({by} and {at}: SQL literals), rather than binding all four for each
# of a million rows (and copying each row into a longer tuple to bind them).
_INSERT_USES = (
    f"INSERT INTO entries (kind, {', '.join(USE_COLUMNS)}, operator, created_at)"
    f" VALUES ('use', {', '.join('?' for _ in USE_COLUMNS)}, {{by}}, {{at}})"
)


# The use entries under some refs (``{refs}``: an IN list): ref, id, fingerprint, voided.
REF_USES = (
    "SELECT e.ref, e.id, e.fingerprint, EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
    " FROM entries e WHERE e.ref IN ({refs}) AND e.kind = 'use'"
)


def _literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ref_uses_of(rows: Iterable[Sequence[Any]]) -> dict[str, list[RefUse]]:
    """``REF_USES``' rows, in any order, as each ref's uses, oldest first."""
    found: dict[str, list[RefUse]] = {}
    for ref, entry_id, fingerprint, voided in sorted(rows, key=itemgetter(1)):
        found.setdefault(ref, []).append(
            RefUse(entry_id, fingerprint and fingerprint[:FINGERPRINT_LENGTH], bool(voided))
        )
    return found


class Ledger(Part):
    def append(self, entries: Sequence[NewEntry]) -> list[int]:
        """Append entries one by one; return their ids."""
        at, by = self.stamp
        ids = []
        for entry in entries:
            cursor = self.conn.execute(_INSERT, (*entry, by, at))
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
        return ids

    def append_many(self, entries: Sequence[NewEntry]) -> None:
        """Append many entries at once (a run)."""
        at, by = self.stamp
        self.conn.executemany(_INSERT, [(*entry, by, at) for entry in entries])

    def append_uses(self, rows: Sequence[UseRow]) -> None:
        """Append the lines of many uses at once (an import): ``use_rows``' tuples."""
        at, by = self.stamp
        self.conn.executemany(_INSERT_USES.format(by=_literal(by), at=_literal(at)), rows)

    def get(self, entry_id: int) -> Entry:
        row = (
            self._tuples()
            .execute(f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE e.id = ?", (entry_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No ledger entry {entry_id}. Find it with: benefit usage list --contact C.")
        return Entry(*row)

    def with_ref(self, ref: str) -> list[Entry]:
        return [
            Entry(*row)
            for row in self._tuples().execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE e.ref = ? ORDER BY e.id", (ref,)
            )
        ]

    def first_of_membership_from(self, membership_id: int, on: dt.date) -> Entry | None:
        """The first entry on the levels of a membership dated ``on`` or later, leaving out
        uses that were voided (and their voids), if any."""
        row = (
            self._tuples()
            .execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN levels l ON l.id = e.level_id"
                " WHERE l.membership_id = ? AND e.entry_on >= ? AND e.voids_id IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
                " ORDER BY e.entry_on, e.id LIMIT 1",
                (membership_id, on.isoformat()),
            )
            .fetchone()
        )
        return Entry(*row) if row else None

    def closings_since(self, after: int) -> list[Closing]:
        """The expiries and rollovers into a level recorded after entry ``after``, in order."""
        return [
            Closing(*row)
            for row in self._tuples().execute(
                "SELECT e.kind, e.level_id, e.allocation_id, e.contact_id, l.type_id, e.quantity, e.entry_on"
                " FROM entries e JOIN levels l ON l.id = e.level_id WHERE e.id > ?"
                " AND (e.kind = 'expire' OR (e.kind = 'rollover' AND e.quantity > 0)) ORDER BY e.id",
                (after,),
            )
        ]

    def void_of(self, entry_id: int) -> int | None:
        """The id of the void of an entry, if it was voided."""
        row = self._one("SELECT id FROM entries WHERE voids_id = ?", (entry_id,))
        return row[0] if row else None

    def rows(
        self,
        contact_id: int | None = None,
        type_id: int | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        kinds: Sequence[str] | None = None,
        ref: str | None = None,
        limit: int | None = None,
    ) -> list[EntryRow]:
        """Entries in date order; with ``limit``, the latest ``limit`` of them."""
        conditions, params = where(
            [
                ("e.contact_id = ?", contact_id),
                ("l.type_id = ?", type_id),
                ("e.entry_on >= ?", date_from),
                ("e.entry_on <= ?", date_to),
                ("e.ref = ?", ref),
            ]
        )
        if kinds:
            conditions += f" AND e.kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        order = "e.entry_on, e.id"
        if limit is not None:
            order = "e.entry_on DESC, e.id DESC LIMIT ?"
            params.append(limit)
        rows = [
            EntryRow(Entry(*row[:-3]), *row[-3:])
            for row in self._tuples().execute(
                f"SELECT {_ENTRY_COLUMNS}, c.ref, t.code, t.unit"
                " FROM entries e JOIN levels l ON l.id = e.level_id"
                " JOIN benefit_types t ON t.id = l.type_id JOIN contacts c ON c.id = e.contact_id"
                f" WHERE {conditions} ORDER BY {order}",
                params,
            )
        ]
        if limit is not None:
            rows.reverse()
        return rows

    # -- idempotency -----------------------------------------------------------------------

    def ref_uses(self, refs: Sequence[str]) -> dict[str, list[RefUse]]:
        """The use entries recorded under each of ``refs``, oldest first."""
        return ref_uses_of(self._rows_in(REF_USES.format(refs="{marks}"), refs))

    def start_occurrences(self) -> None:
        """An empty TEMP table for an import's count of its rows without a ref, by
        content: this connection's alone, outside the ledger's file and lock."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_occurrences"
            " (content INTEGER PRIMARY KEY, seen INTEGER NOT NULL)"
        )
        self.conn.execute("DELETE FROM temp.import_occurrences")

    def saved_occurrences(self, contents: Sequence[int]) -> dict[int, int]:
        return dict(
            self._rows_in(
                "SELECT content, seen FROM temp.import_occurrences WHERE content IN ({marks})", contents
            )
        )

    def save_occurrences(self, seen: dict[int, int]) -> None:
        self.conn.executemany(
            "INSERT INTO temp.import_occurrences (content, seen) VALUES (?, ?)"
            " ON CONFLICT (content) DO UPDATE SET seen = excluded.seen",
            sorted(seen.items()),
        )
