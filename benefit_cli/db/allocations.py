"""Allocations (parts of a level conveyed to another contact) and delegates (contacts who
may use a level's own part on the owner's behalf)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from benefit_cli.db.base import Part, where
from benefit_cli.db.memberships import level_record
from benefit_cli.domain.dates import from_iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.models import Allocation, Level


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

    def active_cards(self, contact_id: int, group: str) -> list[Allocation]:
        """The contact's active allocations of types of one exclusive group."""
        return [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                " JOIN benefit_types t ON t.id = l.type_id"
                " WHERE a.contact_id = ? AND a.active = 1 AND t.exclusive_group = ? ORDER BY a.id",
                (contact_id, group),
            )
        ]

    def add(self, values: dict[str, Any]) -> int:
        return self._insert("allocations", values)

    def update(self, allocation_id: int, values: dict[str, Any]) -> None:
        self._update("allocations", allocation_id, values)

    # -- delegates -----------------------------------------------------------------------------

    def is_delegate(self, level_id: int, contact_id: int) -> bool:
        return (
            self._one(
                "SELECT 1 FROM delegates WHERE level_id = ? AND contact_id = ? AND removed_at IS NULL",
                (level_id, contact_id),
            )
            is not None
        )

    def add_delegate(self, level_id: int, contact_id: int) -> None:
        self._insert("delegates", {"level_id": level_id, "contact_id": contact_id})

    def remove_delegate(self, level_id: int, contact_id: int) -> None:
        self.conn.execute(
            "UPDATE delegates SET removed_at = ?, removed_by = ?"
            " WHERE level_id = ? AND contact_id = ? AND removed_at IS NULL",
            (*self.stamp, level_id, contact_id),
        )

    def delegated_levels(self, contact_id: int, type_id: int | None = None) -> list[Level]:
        """The levels a contact is a delegate of."""
        conditions, params = where(
            [("d.contact_id = ?", contact_id), ("d.removed_at IS NULL", True), ("l.type_id = ?", type_id)]
        )
        return [
            level_record(r)
            for r in self.conn.execute(
                "SELECT l.* FROM levels l JOIN delegates d ON d.level_id = l.id"
                f" WHERE {conditions} ORDER BY l.id",
                params,
            )
        ]
