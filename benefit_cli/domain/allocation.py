"""Splitting a level among contacts (invariant 1, SPEC "Splitting" and "Cards").

An active allocation holds its whole number out of its level; an ended or declined one
holds only what was already drawn from it. So the active allocations of a level never
sum to more than its quantity, and nothing allocated can also be used by the owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.models import Allocation


@dataclass(frozen=True)
class LevelSplit:
    """How a level's quantity is split at this moment."""

    quantity: int
    own_change: int  # signed sum of the ledger entries on the level's own part
    held_active: int  # numbers of its active allocations
    held_used: int  # what ended or declined allocations drew before they stopped
    held_active_to_others: int  # part of held_active conveyed to other contacts

    @property
    def own_remaining(self) -> int:
        """What the owner (and delegates) can still use."""
        return self.quantity + self.own_change - self.held_active - self.held_used

    @property
    def unallocated(self) -> int:
        """What ``allocate`` may still take: unallocated and unused."""
        return max(0, min(self.own_remaining, self.quantity - self.held_active - self.held_used))


def split(
    quantity: int,
    own_change: int,
    allocations: Iterable[tuple[Allocation, int]],
    owner_id: int,
) -> LevelSplit:
    """``allocations`` pairs each allocation of the level with the signed sum of its entries."""
    held_active = held_used = to_others = 0
    for allocation, change in allocations:
        if allocation.active:
            held_active += allocation.number
            if allocation.contact_id != owner_id:
                to_others += allocation.number
        else:
            held_used += -change
    return LevelSplit(quantity, own_change, held_active, held_used, to_others)


def allocation_remaining(allocation: Allocation, change: int) -> int:
    return allocation.number + change if allocation.active else 0


def cards_to_stop(earlier: Iterable[Allocation], new_start: dt.date) -> list[tuple[Allocation, dt.date]]:
    """The contact's active allocations of the same exclusive group that a new card ends,
    each with its stop date (the new start minus one day, never before it started)."""
    return [
        (allocation, max(allocation.starts_on, new_start - ONE_DAY))
        for allocation in earlier
        if allocation.active
    ]
