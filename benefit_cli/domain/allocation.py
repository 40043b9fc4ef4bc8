"""Splitting a level among contacts (invariant 1, SPEC "Splitting" and "Cards").

An allocation holds its whole number out of its level on its own days; once it ends it
holds only what was drawn from it, and what it did not use goes back to the owner the day
after (``domain/balance.py`` counts that). So the allocations of a level never sum to more
than its quantity on any day, and nothing allocated can also be used by the owner.

A contact holds one card of an exclusive group at a time: a new card ends the one before
it the day before it starts, so the two never overlap by a day, and a card never ends
another that starts after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class CardChange:
    """What a new card of an exclusive group does to the contact's other cards of it:
    ``stop`` those in force on its start (each with its new stop date, the day before),
    and ``blocking`` those that start on or after it (the new card is refused)."""

    stop: tuple[tuple[Allocation, dt.date], ...]
    blocking: tuple[Allocation, ...]


def cards_to_stop(cards: Iterable[Allocation], new_start: dt.date) -> CardChange:
    """The contact's cards of the group that a new card starting ``new_start`` affects
    (SPEC "Cards"): one in force on that day or later stops the day before, and keeps what
    it had through that day; one that would not have started before it blocks it. Cards
    over before it (their stop date, a decline, or a decline before they started) stay."""
    stop: list[tuple[Allocation, dt.date]] = []
    blocking: list[Allocation] = []
    for card in cards:
        if not card.took_effect() or card.last_day < new_start:
            continue
        if card.starts_on >= new_start:
            blocking.append(card)
        else:
            stop.append((card, new_start - ONE_DAY))
    return CardChange(tuple(stop), tuple(blocking))
