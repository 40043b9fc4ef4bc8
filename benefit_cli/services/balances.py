"""Balances a use case reasons about: the holders of levels, built from the store's facts
by the one rule (``domain/balance.py``). Nothing stores a running balance that could drift
from the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from benefit_cli.db.store import Store
from benefit_cli.domain.balance import Holder, Settled, holders_of
from benefit_cli.domain.consumption import Drawable
from benefit_cli.domain.models import Level


def holders_of_levels(
    store: Store, level_ids: Collection[int], before: int | None = None
) -> dict[int, list[Holder]]:
    """Each level's holders — its own part first, then its allocations that took effect —
    with the entries up to id ``before`` (all when None)."""
    return {
        level_id: holders_of(history.level, history.allocations, history.entries)
        for level_id, history in store.balances.histories(level_ids, before).items()
    }


def own_part(store: Store, level: Level) -> Holder:
    """The level's own (unallocated) part."""
    return holders_of_levels(store, [level.id])[level.id][0]


def usable_by(store: Store, contact_id: int, type_id: int) -> list[Holder]:
    """Every balance of a type the contact may draw from (SPEC "Who may use what")."""
    return usable_by_many(store, [(contact_id, type_id)])[contact_id, type_id]


def usable_by_many(store: Store, pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], list[Holder]]:
    """For each (contact, type), the balances it may draw from: the own part of levels it
    owns, is a delegate of or an associate of, and the allocations made to it. A holder
    two contacts may use (an owner and its delegate) is one object in both lists, so what
    one draws the other sees."""
    usable = store.balances.usable_levels(pairs)
    holders = holders_of_levels(
        store, {lid for levels in usable.values() for lid in (*levels.held, *levels.on_behalf)}
    )
    found: dict[tuple[int, int], list[Holder]] = {}
    for (contact_id, type_id), levels in usable.items():
        found[contact_id, type_id] = [
            holder
            for level_id in sorted(levels.held | levels.on_behalf)
            for holder in holders[level_id]
            if (
                holder.allocation_id is None
                and (holder.owner_id == contact_id or level_id in levels.on_behalf)
            )
            or (holder.allocation_id is not None and holder.holder_id == contact_id)
        ]
    return found


_DAY = dt.date.fromisoformat


def balance_key(level_id: int, allocation_id: int | None) -> int:
    """A balance as one integer: its level's id for a level's own part, minus its id for
    an allocation."""
    return level_id if allocation_id is None else -allocation_id


class Drawn:
    """What an import has drawn from each balance so far, which the ledger does not show
    it yet (it reads the ledger as it was before the import began): a total for a
    balance summed up as ``Settled``, each use for one with all its events, by
    ``balance_key``."""

    __slots__ = ("totals", "uses")

    def __init__(self) -> None:
        self.totals: dict[int, int] = {}
        self.uses: dict[int, list[tuple[dt.date, int]]] = {}

    def record(self, balance: Drawable, day: dt.date, quantity: int) -> None:
        """Draw ``quantity`` on ``day`` from the balance, and remember it (an import calls
        this for every row it draws)."""
        balance.take(day, quantity)
        key = balance.level_id if balance.allocation_id is None else -balance.allocation_id  # balance_key's
        if balance.__class__ is Settled:
            totals = self.totals
            totals[key] = totals.get(key, 0) + quantity
        else:
            self.uses.setdefault(key, []).append((day, quantity))

    def replay(self, holder: Holder) -> None:
        """Draw again from a balance with all its events what the import drew from it."""
        for day, quantity in self.uses.get(balance_key(holder.level_id, holder.allocation_id), ()):
            holder.take(day, quantity)


def drawable_by_pairs(
    store: Store,
    pairs: Collection[int],
    before: int | None,
    drawn: Drawn,
    rows: Iterable[Sequence[Any]],
    known: dict[int, Drawable] | None = None,
) -> dict[int, list[Drawable]]:
    """For each (contact, type) of an import's chunk (its ``pair_key``), the balances it
    may draw from, in consumption order: as the ledger held them up to entry ``before``,
    less what the import has ``drawn`` since. A balance that gains something after its
    start keeps all its events (``Holder``); every other is summed up (``Settled``), as
    most are. A balance two of the contacts may use is one object in both lists. ``rows``
    are ``balance_sql.drawable_sql``'s on these pairs, in any order, as the snapshot reads
    them (``db.snapshot.Snapshot``). ``known`` holds
    the balances already made, by ``balance_key``: they are used as they are, and the new
    ones are added to it.

    An import calls this for every chunk, for thousands of balances: the loop is kept
    lean (dates parsed once per distinct text, ISO dates compared as text)."""
    found: dict[int, list[Drawable]] = {pair: [] for pair in pairs}
    balances: dict[int, Drawable] = {} if known is None else known
    later: list[tuple[int, int, int]] = []  # balances that need their events
    days: dict[str, dt.date] = {}
    totals = drawn.totals
    for pair, level_id, part, priority, starts, last, held_end, credited in rows:
        key = -part if part else level_id  # balance_key's
        balance = balances.get(key)
        if balance is None:
            if credited is not None and credited > starts:  # ISO dates order as text
                later.append((pair, level_id, part))
                continue
            starts_on = days.get(starts) or days.setdefault(starts, _DAY(starts))
            last_day = days.get(last) or days.setdefault(last, _DAY(last))
            balance = balances[key] = Settled(
                level_id,
                part or None,
                priority,
                starts_on,
                last_day,
                held_end - totals.get(key, 0),
            )
        found[pair].append(balance)
    if later:
        for holders in holders_of_levels(store, {level_id for _, level_id, _ in later}, before).values():
            for holder in holders:
                key = balance_key(holder.level_id, holder.allocation_id)
                if key not in balances:
                    drawn.replay(holder)
                    balances[key] = holder
        for pair, level_id, part in later:
            found[pair].append(balances[balance_key(level_id, part or None)])
    for usable in found.values():
        if len(usable) > 1:
            usable.sort(key=_in_order)
    return found


def _in_order(balance: Drawable) -> tuple[int, dt.date, dt.date, int, int]:
    return balance.order
