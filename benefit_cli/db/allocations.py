"""Allocations (parts of a level conveyed to another contact) and delegates (contacts who
may use a level's own part on the owner's behalf, named for a level or a membership)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any, NamedTuple

from benefit_cli.db.balance_sql import USABLE, pairs_param
from benefit_cli.db.base import Part, where
from benefit_cli.db.memberships import level_record
from benefit_cli.domain.dates import from_iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.models import Allocation, Level


class DatedEntry(NamedTuple):
    """An entry drawn on an allocation, as the life-cycle rules need it."""

    id: int
    kind: str
    entry_on: dt.date
    quantity: int


class DelegateRow(NamedTuple):
    """A delegation as ``delegate list`` shows it: for a level (its type) or for a
    membership (its plan, and so its renewals)."""

    id: int
    contact_ref: str
    contact: str
    owner_ref: str
    level_id: int | None
    type: str | None
    membership_id: int | None
    plan: str | None
    added_on: str
    added_by: str


def allocation_record(row: sqlite3.Row) -> Allocation:
    return Allocation(
        row["id"],
        row["level_id"],
        row["contact_id"],
        row["number"],
        dt.date.fromisoformat(row["starts_on"]),
        dt.date.fromisoformat(row["stops_on"]),
        row["response"],
        from_iso(row["response_on"]),
        from_iso(row["delivered_on"]),
        row["comment"],
        bool(row["active"]),
        from_iso(row["ended_on"]),
    )


class Allocations(Part):
    # -- allocations -------------------------------------------------------------------------

    def get(self, allocation_id: int) -> Allocation:
        row = self._one("SELECT * FROM allocations WHERE id = ?", (allocation_id,))
        if row is None:
            raise NotFound(
                f"No allocation {allocation_id}. Find it with: benefit allocation list --contact C."
            )
        return allocation_record(row)

    def of_level(self, level_id: int) -> list[Allocation]:
        return [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT * FROM allocations WHERE level_id = ? ORDER BY id", (level_id,)
            )
        ]

    def to_contact(self, contact_id: int, type_id: int | None = None) -> list[Allocation]:
        """The allocations made to a contact (of one type)."""
        conditions, params = where([("a.contact_id = ?", contact_id), ("l.type_id = ?", type_id)])
        return [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                f" WHERE {conditions} ORDER BY a.id",
                params,
            )
        ]

    def find(
        self, contact_id: int | None = None, level_id: int | None = None, type_id: int | None = None
    ) -> list[Allocation]:
        conditions, params = where(
            [("a.contact_id = ?", contact_id), ("a.level_id = ?", level_id), ("l.type_id = ?", type_id)]
        )
        return [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                f" WHERE {conditions} ORDER BY a.id",
                params,
            )
        ]

    def made_by(self, owner_id: int) -> list[Allocation]:
        """The allocations a contact made of its levels to other contacts."""
        return [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                " WHERE l.contact_id = ? AND a.contact_id <> l.contact_id ORDER BY a.id",
                (owner_id,),
            )
        ]

    def cards_of(self, contact_id: int, group: str) -> list[Allocation]:
        """Every allocation made to a contact of a type of one exclusive group, whatever
        its dates (which of them a new card ends is the domain's to say)."""
        return [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                " JOIN benefit_types t ON t.id = l.type_id"
                " WHERE a.contact_id = ? AND t.exclusive_group = ? ORDER BY a.starts_on, a.id",
                (contact_id, group),
            )
        ]

    def first_entry_outside(self, allocation_id: int, last_day: dt.date) -> DatedEntry | None:
        """The first entry that a last day of ``last_day`` would leave outside the
        allocation's life, if any: a use after it (unless voided after it too), a void after
        the next day of a use made inside it (what is left goes back to the owner that day,
        so the void must be in by then), or anything else after it."""
        last, back = last_day.isoformat(), (last_day + dt.timedelta(days=1)).isoformat()
        row = self._one(
            "SELECT e.id, e.kind, e.entry_on, e.quantity FROM entries e"
            " LEFT JOIN entries pair ON pair.id = e.voids_id OR pair.voids_id = e.id"
            " WHERE e.allocation_id = :id AND CASE"
            "  WHEN e.kind = 'use' THEN e.entry_on > :last AND (pair.id IS NULL OR pair.entry_on <= :last)"
            "  WHEN e.kind = 'void' THEN pair.entry_on <= :last AND e.entry_on > :back"
            "  ELSE e.entry_on > :last END"
            " ORDER BY e.entry_on, e.id LIMIT 1",
            {"id": allocation_id, "last": last, "back": back},
        )
        return DatedEntry(row[0], row[1], dt.date.fromisoformat(row[2]), row[3]) if row else None

    def uses(self, allocation_id: int) -> list[DatedEntry]:
        """The uses drawn on the allocation that were not voided, in date order."""
        return [
            DatedEntry(r[0], r[1], dt.date.fromisoformat(r[2]), r[3])
            for r in self.conn.execute(
                "SELECT e.id, e.kind, e.entry_on, e.quantity FROM entries e"
                " WHERE e.allocation_id = ? AND e.kind = 'use'"
                " AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
                " ORDER BY e.entry_on, e.id",
                (allocation_id,),
            )
        ]

    def add(self, values: dict[str, Any]) -> int:
        return self._insert("allocations", values)

    def update(self, allocation_id: int, values: dict[str, Any]) -> None:
        self._update("allocations", allocation_id, values)

    # -- delegates -----------------------------------------------------------------------------
    # A delegate is named for one level, or for a membership and so for every level of it and
    # of its renewals (found through ``renewed_from`` when read, so a renewal made later is
    # covered without copying rows).

    def renews(self, membership_id: int) -> list[int]:
        """The membership and every membership it renews, back to the first of its chain."""
        return [
            r[0]
            for r in self.conn.execute(
                "WITH chain(id, renewed_from) AS ("
                " SELECT id, renewed_from FROM memberships WHERE id = ?"
                " UNION ALL SELECT m.id, m.renewed_from FROM memberships m"
                " JOIN chain ON m.id = chain.renewed_from"
                ") SELECT id FROM chain",
                (membership_id,),
            )
        ]

    def level_delegation(self, level_id: int, contact_id: int) -> int | None:
        """The id of the contact's delegation for this very level, if any."""
        row = self._one(
            "SELECT id FROM delegates WHERE level_id = ? AND contact_id = ? AND removed_at IS NULL",
            (level_id, contact_id),
        )
        return row[0] if row else None

    def membership_delegation(self, membership_id: int, contact_id: int) -> int | None:
        """The membership whose delegation to the contact covers this one (itself first,
        else the latest it renews), if any."""
        chain = self.renews(membership_id)
        row = self._one(
            f"SELECT membership_id FROM delegates WHERE membership_id IN ({', '.join('?' * len(chain))})"
            " AND contact_id = ? AND removed_at IS NULL"
            " ORDER BY membership_id <> ?, membership_id DESC LIMIT 1",
            (*chain, contact_id, membership_id),
        )
        return row[0] if row else None

    def add_delegate(
        self, contact_id: int, level_id: int | None = None, membership_id: int | None = None
    ) -> int:
        return self._insert(
            "delegates", {"level_id": level_id, "membership_id": membership_id, "contact_id": contact_id}
        )

    def remove_delegate(
        self, contact_id: int, level_id: int | None = None, membership_id: int | None = None
    ) -> None:
        column, value = ("level_id", level_id) if level_id is not None else ("membership_id", membership_id)
        self.conn.execute(
            "UPDATE delegates SET removed_at = ?, removed_by = ?"
            f" WHERE {column} = ? AND contact_id = ? AND removed_at IS NULL",
            (*self.stamp, value, contact_id),
        )

    def delegations(
        self, contact_id: int | None = None, level_id: int | None = None, membership_id: int | None = None
    ) -> list[DelegateRow]:
        """The delegations in force: a contact's; those that cover a level (its own, and its
        membership's or a membership's it renews); those that cover a membership (its own
        or one's it renews, and those of its levels)."""
        conditions, params = where([("d.contact_id = ?", contact_id)])
        if level_id is not None:
            row = self._one("SELECT membership_id FROM levels WHERE id = ?", (level_id,))
            chain = self.renews(row[0]) if row and row[0] is not None else []
            conditions += f" AND (d.level_id = ? OR d.membership_id IN ({', '.join('?' * len(chain))}))"
            params += [level_id, *chain]
        if membership_id is not None:
            chain = self.renews(membership_id)
            conditions += (
                f" AND (d.membership_id IN ({', '.join('?' * len(chain))})"
                " OR d.level_id IN (SELECT id FROM levels WHERE membership_id = ?))"
            )
            params += [*chain, membership_id]
        return [
            DelegateRow(*row)
            for row in self._tuples().execute(
                "SELECT d.id, c.ref, c.name, o.ref, d.level_id, t.code, d.membership_id, p.code,"
                " substr(d.created_at, 1, 10), d.created_by"
                " FROM delegates d JOIN contacts c ON c.id = d.contact_id"
                " LEFT JOIN levels l ON l.id = d.level_id LEFT JOIN benefit_types t ON t.id = l.type_id"
                " LEFT JOIN memberships m ON m.id = d.membership_id LEFT JOIN plans p ON p.id = m.plan_id"
                " JOIN contacts o ON o.id = coalesce(l.contact_id, m.contact_id)"
                f" WHERE d.removed_at IS NULL AND {conditions} ORDER BY d.id",
                params,
            )
        ]

    def delegated_levels(self, contact_id: int) -> list[Level]:
        """The levels whose own part a contact may use for their owner: as a delegate (of
        the level or of its membership) or as an associate of the owning business — SPEC
        "Who may use what", read from its one definition (``balance_sql.USABLE``)."""
        types = [r[0] for r in self.conn.execute("SELECT id FROM benefit_types ORDER BY id")]
        return [
            level_record(r)
            for r in self.conn.execute(
                f"WITH {USABLE} SELECT l.* FROM levels l WHERE l.id IN"
                " (SELECT level_id FROM usable WHERE on_behalf) ORDER BY l.id",
                pairs_param([(contact_id, type_id) for type_id in types]),
            )
        ]
