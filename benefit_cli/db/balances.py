"""Reads that balances are computed from: the ledger's sums per level and allocation, and
everything that decides who may draw what of one type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benefit_cli.db.allocations import allocation_record
from benefit_cli.db.base import Part
from benefit_cli.domain.models import Allocation


class Balances(Part):
    def entry_sums(self, level_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
        """Signed sum of the entries of each level, split by allocation (None = own part)."""
        return {
            (level_id, allocation_id): total
            for level_id, allocation_id, total in self._rows_in(
                "SELECT level_id, allocation_id, sum(quantity) FROM entries"
                " WHERE level_id IN ({marks}) GROUP BY level_id, allocation_id",
                level_ids,
            )
        }

    def used_sums(self, level_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
        """Net quantity used (uses less voids) of each level, split by allocation."""
        return {
            (level_id, allocation_id): total
            for level_id, allocation_id, total in self._rows_in(
                "SELECT level_id, allocation_id, -sum(quantity) FROM entries"
                " WHERE kind IN ('use', 'void') AND level_id IN ({marks})"
                " GROUP BY level_id, allocation_id",
                level_ids,
            )
        }

    def type_snapshot(
        self, type_id: int
    ) -> tuple[
        list[tuple[Any, ...]], list[Allocation], list[tuple[int, int]], dict[tuple[int, int | None], int]
    ]:
        """Everything that decides who may draw what of one type: its levels as plain
        tuples (id, contact_id, quantity, priority, starts_on, last day) — there may be
        hundreds of thousands — their allocations, the active delegates
        (level_id, contact_id) and the entry sums."""
        levels = self.conn.execute(
            "SELECT id, contact_id, quantity, priority, starts_on,"
            " min(expires_on, coalesce(cancelled_on, expires_on))"
            " FROM levels WHERE type_id = ? ORDER BY id",
            (type_id,),
        ).fetchall()
        allocations = [
            allocation_record(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                " WHERE l.type_id = ? ORDER BY a.id",
                (type_id,),
            )
        ]
        delegates = [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT d.level_id, d.contact_id FROM delegates d JOIN levels l ON l.id = d.level_id"
                " WHERE l.type_id = ? AND d.removed_at IS NULL",
                (type_id,),
            )
        ]
        sums = {
            (r[0], r[1]): r[2]
            for r in self.conn.execute(
                "SELECT e.level_id, e.allocation_id, sum(e.quantity) FROM entries e"
                " JOIN levels l ON l.id = e.level_id WHERE l.type_id = ?"
                " GROUP BY e.level_id, e.allocation_id",
                (type_id,),
            )
        }
        return levels, allocations, delegates, sums

    def view_balances(self) -> dict[tuple[int, int | None], int]:
        """Remaining per level (own part) and allocation, as the ``balances`` view says."""
        return {
            (r[0], r[1]): r[2]
            for r in self.conn.execute("SELECT level_id, allocation_id, remaining FROM balances")
        }
