"""Splitting a level among contacts (invariant 1, SPEC "Splitting" and "Cards").

An allocation holds its whole number out of its level on its own days; once it ends it
holds only what was drawn from it, and what it did not use goes back to the owner the day
after (``domain/balance.py`` counts that). So the allocations of a level never sum to more
than its quantity on any day, and nothing allocated can also be used by the owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.models import Allocation


def allocatable(
    quantity: int, others: Iterable[tuple[dt.date, dt.date, int, int]], start: dt.date, stop: dt.date
) -> int:
    """How much of a level's ``quantity`` a new allocation from ``start`` to ``stop`` may
    hold without the allocations of the level ever summing to more (invariant 1).

    ``others`` are the level's allocations that took effect, each as (start, last day,
    number, used): one holds its number on its own days, and after it ends only what it
    used. The busiest day is the new start or a day another allocation starts on."""
    others = list(others)
    days = {start} | {begins for begins, _, _, _ in others if start < begins <= stop}

    def held(day: dt.date) -> int:
        return sum(
            number if begins <= day <= last else (used if last < day else 0)
            for begins, last, number, used in others
        )

    return quantity - max(held(day) for day in days)


def cards_to_stop(earlier: Iterable[Allocation], new_start: dt.date) -> list[tuple[Allocation, dt.date]]:
    """The contact's active allocations of the same exclusive group that a new card ends,
    each with its stop date (the new start minus one day, never before it started)."""
    return [
        (allocation, max(allocation.starts_on, new_start - ONE_DAY))
        for allocation in earlier
        if allocation.active
    ]
