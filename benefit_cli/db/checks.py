"""SQLite's own checks and the ledger's shape, as findings for ``db check``; the table
counts for ``db stats``.

sqlite-utils serves here for introspection (its ``Database`` reads table names and counts
over our connection); the rest of the store writes its SQL by hand, where speed or
clarity needs it.
"""

from __future__ import annotations

import json

from benefit_cli.db.balance_sql import (
    BALANCES_VIEW,
    HISTORY_VIEW,
    LevelScope,
    overdraw_suspects_sql,
    overdrawn_sql,
)
from benefit_cli.db.base import Part

_VIEWS = {"balances": BALANCES_VIEW, "history": HISTORY_VIEW}
_SUSPECTS_AT_ONCE = 5000  # levels whose running balances one query reads


class Checks(Part):
    def integrity_problems(self) -> list[str]:
        rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def foreign_key_problems(self) -> list[str]:
        return [
            f"{r[0]} row {r[1]} points at a missing {r[2]}"
            for r in self.conn.execute("PRAGMA foreign_key_check")
        ]

    def ledger_problems(self) -> list[str]:
        """Entries that break the ledger's shape: voids, kinds and signs."""
        problems = []
        for entry_id, voided_kind, same_level, same_amount in self.conn.execute(
            "SELECT v.id, u.kind, v.level_id IS u.level_id AND v.allocation_id IS u.allocation_id,"
            " v.quantity = -u.quantity"
            " FROM entries v LEFT JOIN entries u ON u.id = v.voids_id WHERE v.kind = 'void'"
        ):
            if voided_kind != "use":
                problems.append(f"void {entry_id} does not point at a use")
            elif not same_level or not same_amount:
                problems.append(f"void {entry_id} does not reverse exactly the use it voids")
        for entry_id, kind in self.conn.execute(
            "SELECT id, kind FROM entries WHERE (kind IN ('use', 'expire') AND quantity >= 0)"
            " OR (kind = 'void' AND (quantity <= 0 OR voids_id IS NULL))"
            " OR (kind <> 'void' AND voids_id IS NOT NULL)"
        ):
            problems.append(f"{kind} entry {entry_id} has the wrong sign or link")
        for (entry_id,) in self.conn.execute(
            "SELECT e.id FROM entries e JOIN allocations a ON a.id = e.allocation_id"
            " WHERE a.level_id <> e.level_id"
        ):
            problems.append(f"entry {entry_id} names an allocation of another level")
        return problems

    def overdrawn(self) -> list[str]:
        """Invariant 2: holders whose balance goes below zero on some day of their life.

        One pass over the ledger names the levels that might (``overdraw_suspects_sql``);
        their running balances are then read a batch of levels at a time, so time and
        memory follow the suspects, not the ledger."""
        query = overdrawn_sql(LevelScope(levels="l.id IN (SELECT value FROM json_each(:levels))"))
        suspects = self.conn.execute(overdraw_suspects_sql())
        problems = []
        while batch := [level_id for (level_id,) in suspects.fetchmany(_SUSPECTS_AT_ONCE)]:
            problems += [
                (f"allocation {allocation_id} of level {level_id}" if allocation_id else f"level {level_id}")
                + f" goes down to {lowest} on {day}"
                for level_id, allocation_id, lowest, day in self.conn.execute(
                    query, {"levels": json.dumps(batch)}
                )
            ]
        return problems

    def over_allocated(self) -> list[str]:
        """Invariant 1: on the day each allocation starts, the allocations of its level in
        force that day never sum to more than the level's quantity. One sweep per level
        over the days allocations start and stop (a running sum), not every pair of them."""
        return [
            f"level {level_id} has {held} allocated of {quantity} on {day}"
            for level_id, quantity, day, held in self.conn.execute(
                "WITH al AS (SELECT a.level_id, a.number, max(l.starts_on, a.starts_on) AS starts_on,"
                "  min(l.expires_on, a.stops_on, CASE WHEN a.response = 'declined'"
                "   THEN date(a.response_on, '-1 day') ELSE a.stops_on END) AS last_day"
                "  FROM allocations a JOIN levels l ON l.id = a.level_id),"
                " changes AS (SELECT level_id, starts_on AS day, number AS change FROM al"
                "  WHERE starts_on <= last_day"
                "  UNION ALL SELECT level_id, date(last_day, '+1 day'), -number FROM al"
                "  WHERE starts_on <= last_day),"
                # RANGE: every change of a day counts on that day (one stops, another starts).
                " held AS (SELECT level_id, day, change, sum(change) OVER (PARTITION BY level_id"
                "  ORDER BY day RANGE UNBOUNDED PRECEDING) AS held FROM changes)"
                " SELECT h.level_id, l.quantity, h.day, h.held FROM held h JOIN levels l ON l.id = h.level_id"
                " WHERE h.change > 0 AND h.held > l.quantity ORDER BY h.level_id, h.day"
            )
        ]

    def drifted_views(self) -> list[str]:
        """Views whose text is not this version's definition of a balance."""
        stored = dict(self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
        return [
            f'the view "{name}" is not the one this version defines; run: benefit db migrate'
            for name, sql in _VIEWS.items()
            if stored.get(name) != sql
        ]

    def table_counts(self) -> dict[str, int]:
        """Rows per table (but the migrations' own), for ``db stats``."""
        import sqlite_utils

        database = sqlite_utils.Database(self.conn)
        return {table.name: table.count for table in database.tables if table.name != "migrations"}
