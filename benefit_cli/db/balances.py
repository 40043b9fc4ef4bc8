"""What balances are computed from: the facts of levels, their allocations and their
entries (for the rule in ``domain/balance.py``), which levels a contact may use, and the
set-wise figures and history of ``db/balance_sql.py``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any, NamedTuple

from benefit_cli.db.balance_sql import (
    EVERYTHING,
    LAST_DAY,
    USABLE,
    LevelScope,
    figures_sql,
    own_parts_sql,
    pairs_param,
)
from benefit_cli.db.base import Part
from benefit_cli.domain.balance import AllocationFacts, EntryFacts, LevelFacts
from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.expiry import Left

# The rule a level was granted by, for what it says of rollovers (CROSS JOIN: read for the
# holders in scope, never by scanning every level).
_ROLLING = "CROSS JOIN levels l ON l.id = hs.level_id LEFT JOIN plan_benefits pb ON pb.id = l.plan_benefit_id"
_BATCH = "SELECT value FROM json_each(:levels)"
_IN_BATCH = f"l.id IN ({_BATCH})"
_ROLLS = "coalesce((SELECT pb.rollover_percent FROM plan_benefits pb WHERE pb.id = l.plan_benefit_id), 0) > 0"
# An expiry batch's levels whose own part rolls over; those with allocations (each one a
# holder to expire, and the own part too unless it rolls over: found from the allocations,
# so that a batch without any reads none); and the rest, whose own part is their only
# holder and does not roll over (own_parts_sql leaves out the allocated): nearly every level.
_ROLLING_LEVELS = LevelScope(f"{_IN_BATCH} AND {_ROLLS}")
_ALLOCATED_IN_BATCH = f"SELECT a.level_id FROM allocations a WHERE a.level_id IN ({_BATCH})"
_ALLOCATED_LEVELS = LevelScope(f"l.id IN ({_ALLOCATED_IN_BATCH})")
_PLAIN_LEVELS = f"{_IN_BATCH} AND NOT {_ROLLS}"
# The owner's level of the type that starts the day after a holder's last day: the level a
# rollover goes into. min(+n.id), not min(n.id): SQLite would read the index on (type,
# start) in id order for that, hoping to stop early, through every member's level starting
# that day, rather than the owner's few levels through the index on (contact, type, start).
NEXT_LEVEL = """(SELECT min(+n.id) FROM levels n WHERE n.contact_id = hs.owner_id AND n.type_id = hs.type_id
        AND n.starts_on = date(hs.last_day, '+1 day')
        AND (n.cancelled_on IS NULL OR n.cancelled_on > n.starts_on))"""
# Unsettled levels by last day (``LAST_DAY`` is the expression of index levels_open).
_SAME_DAY_AFTER = f"""SELECT {LAST_DAY}, id FROM levels
WHERE settled_on IS NULL AND {LAST_DAY} = :on AND {LAST_DAY} < :as_of AND id > :id ORDER BY id LIMIT :n"""
_LATER_DAYS = f"""SELECT {LAST_DAY}, id FROM levels
WHERE settled_on IS NULL AND {LAST_DAY} > :on AND {LAST_DAY} < :as_of ORDER BY {LAST_DAY}, id LIMIT :n"""
PAST_THEIR_LAST_DAY = (_SAME_DAY_AFTER, _LATER_DAYS)


class Mark(NamedTuple):
    """Where an expiry run has got to: a level and its last day (``FIRST``: nowhere yet)."""

    on: str
    level_id: int


FIRST = Mark("", 0)


class LevelBatch(NamedTuple):
    """The levels one expiry batch closes, in order of last day: their ids, the same as
    the ``:levels`` parameter of every statement on them (a JSON list, made once), and
    where the next batch starts (``after`` itself when there are none)."""

    ids: list[int]
    levels: str
    last: Mark


def _of_batch(batch: LevelBatch, as_of: dt.date) -> dict[str, str]:
    return {"as_of": as_of.isoformat(), "levels": batch.levels}


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

    # -- expiry ------------------------------------------------------------------------------------

    def past_their_last_day(self, as_of: dt.date, after: Mark, batch: int) -> LevelBatch:
        """Levels whose last day is before ``as_of`` and whose end the expiry run has not
        recorded yet, in order of last day and id, after ``after``, at most ``batch``.
        They are read through the partial index ``levels_open`` on unsettled levels' last
        day: a run with nothing due reads next to nothing, and each batch starts where the
        last one ended (two queries, so that both parts are index ranges)."""
        found: list[tuple[str, int]] = []
        params = {"as_of": as_of.isoformat(), "on": after.on, "id": after.level_id}
        for query in PAST_THEIR_LAST_DAY:
            found += self._tuples().execute(query, {**params, "n": batch - len(found)})
        ids = [level_id for _, level_id in found]
        return LevelBatch(ids, json.dumps(ids), Mark(*found[-1]) if found else after)

    def any_rollover(self) -> bool:
        """Whether any plan benefit rolls over at all (most catalogs have none)."""
        return bool(self._one("SELECT EXISTS (SELECT 1 FROM plan_benefits WHERE rollover_percent > 0)")[0])

    def left_to_roll_over(self, batch: LevelBatch, as_of: dt.date) -> list[Left]:
        """The own parts of the batch's levels whose plan benefit rolls over, with what
        they had left at the end of it that the ledger does not record as lost yet (often
        nothing) and what a rollover needs: the owner's level of the type that starts the
        day after, and whether a renewal may still bring one."""
        query = f"""SELECT hs.level_id, NULL, hs.type_id, hs.holder_id, date(hs.last_day, '+1 day'),
    hs.unrecorded, pb.rollover_percent, pb.rollover_max,
    {NEXT_LEVEL},
    m.id IS NOT NULL AND m.cancelled_on IS NULL AND m.renewed_by IS NULL
FROM hs {_ROLLING} LEFT JOIN memberships m ON m.id = l.membership_id
WHERE hs.status = 'expired' AND hs.part = 0 AND pb.rollover_percent > 0"""
        rows = self._tuples().execute(figures_sql(":as_of", query, _ROLLING_LEVELS), _of_batch(batch, as_of))
        return [
            Left(level_id, part, type_id, holder, _DAY(on), amount, percent, most, next_level, bool(pending))
            for level_id, part, type_id, holder, on, amount, percent, most, next_level, pending in rows
        ]

    def expire_the_rest(
        self, batch: LevelBatch, as_of: dt.date, description: str, source: str, rolling: bool = True
    ) -> int:
        """Record as expired, dated the day after its last day, what every other holder of
        the batch's levels had left and the ledger does not record as lost yet: those whose
        plan benefit does not roll over (``rolling``: whether any plan benefit does), and
        every allocation. Two statements, as many rows as there are holders: one for the
        levels with allocations, one for the rest (``own_parts_sql``). Return how many
        entries they wrote. The second has no ORDER BY: nothing depends on the order of a
        batch's entries, SQLite reads its levels by id anyway, and sorting 20,000 rows
        again took 5% of the statement."""
        at, by = self.stamp
        insert = """INSERT INTO entries (kind, level_id, allocation_id, contact_id, entry_on, quantity,
    description, source, operator, created_at)"""
        allocated = f"""{insert}
SELECT 'expire', hs.level_id, nullif(hs.part, 0), hs.holder_id, date(hs.last_day, '+1 day'), -hs.unrecorded,
    :description, :source, :by, :at
FROM hs {_ROLLING}
WHERE hs.status = 'expired' AND hs.unrecorded > 0
    AND NOT (hs.part = 0 AND coalesce(pb.rollover_percent, 0) > 0)
ORDER BY hs.level_id, hs.part"""
        plain = f"""{insert}
SELECT 'expire', own.level_id, NULL, own.holder_id, date(own.last_day, '+1 day'), -own.unrecorded,
    :description, :source, :by, :at
FROM own WHERE own.status = 'expired' AND own.unrecorded > 0"""
        params = {
            **_of_batch(batch, as_of),
            "description": description,
            "source": source,
            "by": by,
            "at": at,
        }
        before = self.conn.total_changes  # (rowcount is -1 for a statement that starts WITH)
        self.conn.execute(figures_sql(":as_of", allocated, _ALLOCATED_LEVELS), params)
        self.conn.execute(own_parts_sql(":as_of", plain, _PLAIN_LEVELS if rolling else _IN_BATCH), params)
        return self.conn.total_changes - before

    def settle(self, batch: LevelBatch, on: dt.date, waiting: Collection[int] = ()) -> None:
        """Mark the batch's levels as having their end recorded whole, but those ``waiting``
        (for a renewal to roll over into)."""
        levels = json.dumps([i for i in batch.ids if i not in waiting]) if waiting else batch.levels
        self.conn.execute(
            "UPDATE levels SET settled_on = ? WHERE id IN (SELECT value FROM json_each(?))",
            (on.isoformat(), levels),
        )

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
        scope = LevelScope("l.id IN (SELECT value FROM json_each(:levels))")
        return self.figures(as_of, scope, {"levels": json.dumps(sorted(set(level_ids)))})


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
