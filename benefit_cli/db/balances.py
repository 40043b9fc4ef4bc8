"""What balances are computed from: the facts of levels, their allocations and their
entries (for the rule in ``domain/balance.py``), which levels a contact may use, and the
set-wise figures and history of ``db/balance_sql.py``."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection
from typing import Any, NamedTuple

from benefit_cli.db.balance_sql import (
    EVERYTHING,
    USABLE,
    LevelScope,
    drawable_sql,
    figures_sql,
    pair_key,
)
from benefit_cli.db.base import Part
from benefit_cli.domain.balance import AllocationFacts, EntryFacts, LevelFacts
from benefit_cli.domain.dates import ONE_DAY


class UsableLevels(NamedTuple):
    """The levels a contact may use of one type: ``held`` (it owns them or holds an
    allocation of them) and ``on_behalf`` (it may use their own part for the owner)."""

    held: set[int]
    on_behalf: set[int]


class LevelHistory(NamedTuple):
    """Everything that decides the balances of one level's holders."""

    level: LevelFacts
    allocations: list[AllocationFacts]
    entries: list[EntryFacts]


def last_day(expires_on: dt.date, cancelled_on: dt.date | None) -> dt.date:
    """A level's last usable day: its expiry, or the day before its membership's cancellation."""
    if cancelled_on is not None and cancelled_on <= expires_on:
        return cancelled_on - ONE_DAY
    return expires_on


_DAY = dt.date.fromisoformat


def _day(text: str | None) -> dt.date | None:
    return _DAY(text) if text else None


class Balances(Part):
    # -- facts, for the domain's rule ----------------------------------------------------------

    def histories(self, level_ids: Collection[int], before: int | None = None) -> dict[int, LevelHistory]:
        """Each level's facts, its allocations' and its entries' (those up to id ``before``)."""
        ids = sorted(set(level_ids))
        found: dict[int, LevelHistory] = {}
        for lid, owner, type_id, quantity, priority, starts, expires, cancelled in self._rows_in(
            "SELECT id, contact_id, type_id, quantity, priority, starts_on, expires_on, cancelled_on"
            " FROM levels WHERE id IN ({marks})",
            ids,
        ):
            level = LevelFacts(
                lid,
                owner,
                type_id,
                quantity,
                priority,
                _DAY(starts),
                last_day(_DAY(expires), _day(cancelled)),
            )
            found[lid] = LevelHistory(level, [], [])
        for aid, level_id, contact_id, number, starts, stops, response, response_on in self._rows_in(
            "SELECT id, level_id, contact_id, number, starts_on, stops_on, response, response_on"
            " FROM allocations WHERE level_id IN ({marks}) ORDER BY id",
            ids,
        ):
            history = found[level_id]
            last = min(history.level.last_day, _DAY(stops))
            if response == "declined" and response_on:
                last = min(last, _DAY(response_on) - ONE_DAY)
            start = max(history.level.starts_on, _DAY(starts))
            history.allocations.append(AllocationFacts(aid, contact_id, number, start, last))
        for eid, level_id, allocation_id, entry_on, kind, quantity, voided in self._rows_in(
            "SELECT e.id, e.level_id, e.allocation_id, e.entry_on, e.kind, e.quantity,"
            " e.voids_id IS NOT NULL OR EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
            " FROM entries e WHERE e.level_id IN ({marks})"
            + ("" if before is None else f" AND e.id <= {int(before)}")
            + " ORDER BY e.id",
            ids,
        ):
            found[level_id].entries.append(
                EntryFacts(eid, allocation_id, _DAY(entry_on), kind, quantity, bool(voided))
            )
        return found

    def usable_levels(self, pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], UsableLevels]:
        """For each (contact, type), the levels of the type the contact may use (SPEC "Who
        may use what"): those it owns or holds an allocation of, and those whose own part
        it may use on the owner's behalf, as a delegate or as an associate of the business."""
        found: dict[tuple[int, int], UsableLevels] = {pair: UsableLevels(set(), set()) for pair in pairs}
        for contact_id, type_id, level_id, on_behalf in self.conn.execute(
            f"WITH {USABLE} SELECT contact_id, type_id, level_id, on_behalf FROM usable", pairs_param(pairs)
        ):
            usable = found[contact_id, type_id]
            (usable.on_behalf if on_behalf else usable.held).add(level_id)
        return found

    def drawable(self, pairs: Collection[tuple[int, int]], before: int | None) -> sqlite3.Cursor:
        """For each (contact, type), the holders it may draw from (in no particular order),
        as consumption sums them up (``balance_sql.drawable_sql``), counting only entries
        with an id up to ``before`` (all when None)."""
        entries = "1" if before is None else f"e.id <= {int(before)}"
        return self._tuples().execute(drawable_sql(entries), pairs_param(pairs))

    def last_entry_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) FROM entries")[0])

    # -- figures, set-wise -----------------------------------------------------------------------

    def figures(
        self, as_of: dt.date, scope: LevelScope = EVERYTHING, params: dict[str, Any] | None = None
    ) -> list[HolderFigures]:
        """Each holder's figures as of the date, in level and allocation order."""
        columns = ", ".join(HolderFigures._fields)
        query = f"SELECT {columns} FROM figures ORDER BY level_id, coalesce(allocation_id, 0)"
        return [
            HolderFigures._make((*row[:6], _DAY(row[6]), _DAY(row[7]), *row[8:]))
            for row in self._tuples().execute(
                figures_sql(":as_of", query, scope), {"as_of": as_of.isoformat(), **(params or {})}
            )
        ]

    def figures_of_levels(self, level_ids: Collection[int], as_of: dt.date) -> list[HolderFigures]:
        """The figures of these levels' holders (own parts and allocations) as of the date."""
        import json

        scope = LevelScope("l.id IN (SELECT value FROM json_each(:levels))")
        return self.figures(as_of, scope, {"levels": json.dumps(sorted(set(level_ids)))})


def pairs_param(pairs: Collection[tuple[int, int]]) -> dict[str, str]:
    """The ``:pairs`` parameter of ``USABLE``."""
    import json

    return {"pairs": json.dumps(sorted(pair_key(contact_id, type_id) for contact_id, type_id in pairs))}


class HolderFigures(NamedTuple):
    """A holder's figures as of a date (``domain.balance.Figures`` and who and what it is)."""

    level_id: int
    allocation_id: int | None
    holder_id: int
    owner_id: int
    type_id: int
    priority: int
    starts_on: dt.date
    last_day: dt.date
    status: str
    granted: int
    allocated_out: int
    used: int
    adjusted: int
    expired: int
    remaining: int
