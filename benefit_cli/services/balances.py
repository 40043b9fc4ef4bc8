"""Reading balances out of the store: how each level is split, and what a contact may draw.

Everything here is recomputed from the levels, allocations and ledger entries; nothing
stores a running balance that could drift from the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from benefit_cli.db.store import Store
from benefit_cli.domain.allocation import LevelSplit, allocation_remaining, split
from benefit_cli.domain.consumption import ALLOCATED, DELEGATED, OWN, Balance, Drawable
from benefit_cli.domain.models import Allocation, Level


@dataclass(frozen=True)
class LevelState:
    level: Level
    split: LevelSplit
    allocations: tuple[tuple[Allocation, int], ...]  # each with the signed sum of its entries

    def allocation_change(self, allocation_id: int) -> int:
        for allocation, change in self.allocations:
            if allocation.id == allocation_id:
                return change
        raise KeyError(allocation_id)


def level_states(store: Store, levels: Sequence[Level]) -> dict[int, LevelState]:
    if not levels:
        return {}
    sums = store.balances.entry_sums([level.id for level in levels])
    states = {}
    for level in levels:
        pairs = tuple(
            (allocation, sums.get((level.id, allocation.id), 0))
            for allocation in store.allocations.of_level(level.id)
        )
        states[level.id] = LevelState(
            level, split(level.quantity, sums.get((level.id, None), 0), pairs, level.contact_id), pairs
        )
    return states


def level_state(store: Store, level: Level) -> LevelState:
    return level_states(store, [level])[level.id]


def own_balance(state: LevelState, via: str) -> Balance:
    level = state.level
    return Balance(
        level.id, None, via, level.priority, level.starts_on, level.last_day, state.split.own_remaining
    )


def allocation_balance(state: LevelState, allocation: Allocation, change: int) -> Balance:
    level = state.level
    return Balance(
        level.id,
        allocation.id,
        ALLOCATED,
        level.priority,
        max(level.starts_on, allocation.starts_on),
        min(level.last_day, allocation.stops_on),
        allocation_remaining(allocation, change),
    )


def balances_for(store: Store, contact_id: int, type_id: int) -> list[Balance]:
    """Every balance of ``type_id`` the contact may draw from (SPEC "Who may use what")."""
    owned = store.memberships.levels(contact_id, type_id)
    delegated = [
        lvl for lvl in store.allocations.delegated_levels(contact_id, type_id) if lvl.contact_id != contact_id
    ]
    received = store.allocations.to_contact(contact_id, type_id)
    levels = {lvl.id: lvl for lvl in owned + delegated}
    for allocation in received:
        if allocation.level_id not in levels:
            levels[allocation.level_id] = store.memberships.level(allocation.level_id)
    states = level_states(store, list(levels.values()))
    balances = [own_balance(states[lvl.id], OWN) for lvl in owned]
    balances += [own_balance(states[lvl.id], DELEGATED) for lvl in delegated]
    for allocation in received:
        state = states[allocation.level_id]
        balances.append(allocation_balance(state, allocation, state.allocation_change(allocation.id)))
    return balances


@dataclass(slots=True)
class LiveBalance(Drawable):
    """A balance whose ``remaining`` goes down as a bulk import draws from it.

    One object per level part or allocation, shared by every contact who may draw from
    it (the owner and its delegates), so a draw by one is seen by all.
    """

    level_id: int
    allocation_id: int | None
    priority: int
    starts_on: dt.date
    expires_on: dt.date
    remaining: int


def drawable_by_contact(store: Store, type_id: int) -> dict[int, list[LiveBalance]]:
    """Every contact's balances of one type, in consumption order: levels it owns,
    allocations to it and levels it is a delegate of (SPEC "Who may use what")."""
    levels, allocations, delegates, sums = store.balances.type_snapshot(type_id)
    by_level: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        by_level.setdefault(allocation.level_id, []).append(allocation)
    day = cache(dt.date.fromisoformat)  # a few hundred distinct dates, shared
    result: dict[int, list[LiveBalance]] = {}
    own: dict[int, LiveBalance] = {}
    for level_id, owner_id, quantity, priority, starts_text, last_text in levels:
        starts_on, last_day = day(starts_text), day(last_text)
        pairs = [(a, sums.get((level_id, a.id), 0)) for a in by_level.get(level_id, ())]
        level_split = split(quantity, sums.get((level_id, None), 0), pairs, owner_id)
        own[level_id] = LiveBalance(level_id, None, priority, starts_on, last_day, level_split.own_remaining)
        result.setdefault(owner_id, []).append(own[level_id])
        for allocation, change in pairs:
            result.setdefault(allocation.contact_id, []).append(
                LiveBalance(
                    level_id,
                    allocation.id,
                    priority,
                    max(starts_on, allocation.starts_on),
                    min(last_day, allocation.stops_on),
                    allocation_remaining(allocation, change),
                )
            )
    for level_id, contact_id in delegates:
        result.setdefault(contact_id, []).append(own[level_id])
    for balances in result.values():
        balances.sort(key=lambda b: b.order)
    return result
