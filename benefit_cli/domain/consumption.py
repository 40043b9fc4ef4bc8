"""Who may use what, and in which order balances are drawn (invariant 2).

A contact may draw from three kinds of balance: the unallocated part of levels it owns,
allocations made to it, and the unallocated part of levels it is a delegate of. A use
draws from those valid on its date: lowest priority number first, then soonest expiry,
then oldest start, then lowest id; it may span several balances and never takes one
below zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from benefit_cli.domain.models import NewEntry

OWN, ALLOCATED, DELEGATED = "own", "allocation", "delegate"


class Drawable:
    """What consumption needs of a balance: when it can be used, its place in the
    consumption order and what it has left. ``Balance`` is the record a single use
    reads; a bulk import keeps a mutable kind so a million rows need not rebuild one."""

    __slots__ = ()
    level_id: int
    allocation_id: int | None
    priority: int
    starts_on: dt.date
    expires_on: dt.date  # the last day it can be used
    remaining: int

    def valid_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.expires_on

    @property
    def order(self) -> tuple[int, dt.date, dt.date, int, int]:
        return (self.priority, self.expires_on, self.starts_on, self.level_id, self.allocation_id or 0)

    @property
    def label(self) -> str:
        if self.allocation_id is not None:
            return f"allocation {self.allocation_id} of level {self.level_id}"
        return f"level {self.level_id}"


@dataclass(frozen=True)
class Balance(Drawable):
    """One balance a contact may draw from."""

    level_id: int
    allocation_id: int | None
    via: str  # OWN, ALLOCATED or DELEGATED
    priority: int
    starts_on: dt.date
    expires_on: dt.date
    remaining: int


B = TypeVar("B", bound=Drawable)


class Draw(NamedTuple):
    """What one use takes from one balance (a tuple: an import makes a million)."""

    balance: Drawable
    quantity: int

    @property
    def remaining_after(self) -> int:
        return self.balance.remaining - self.quantity


class Overdraw(Exception):
    """Not enough balance: carries what is available on the date, for the message."""

    def __init__(self, wanted: int, available: Sequence[Drawable]) -> None:
        super().__init__(wanted)
        self.wanted = wanted
        self.available = list(available)

    @property
    def total(self) -> int:
        return sum(b.remaining for b in self.available)


def draw_order(balances: Iterable[B], day: dt.date) -> list[B]:
    """The balances usable on ``day``, in consumption order (empty ones included)."""
    return sorted((b for b in balances if b.valid_on(day)), key=lambda b: b.order)


def plan_draw(balances: Iterable[Drawable], quantity: int, day: dt.date) -> list[Draw]:
    """Split a use of ``quantity`` on ``day`` over the balances, or raise ``Overdraw``."""
    return draw_in_order(sorted(balances, key=lambda b: b.order), quantity, day)


def draw_in_order(ordered: Sequence[Drawable], quantity: int, day: dt.date) -> list[Draw]:
    """``plan_draw`` over balances already sorted by ``order`` (a bulk import sorts each
    contact's balances once, not once per row)."""
    if quantity <= 0:
        raise ValueError("a use must be of a positive quantity")
    draws = []
    left = quantity
    for balance in ordered:
        remaining = balance.remaining
        if remaining > 0 and balance.starts_on <= day <= balance.expires_on:  # valid_on, inlined
            take = left if left < remaining else remaining
            draws.append(Draw(balance, take))
            left -= take
            if left == 0:
                return draws
    raise Overdraw(quantity, [b for b in ordered if b.remaining > 0 and b.valid_on(day)])


def use_entries(
    draws: Sequence[Draw],
    contact_id: int,
    on: str,
    description: str | None,
    note: str | None,
    source: str,
    ref: str,
    fingerprint: str,
) -> list[NewEntry]:
    """The ledger lines of one use on ``on`` (ISO), one per balance it draws from, all under
    its ``ref`` — the one way a use is written, by ``use``, ``usage bulk`` and imports."""
    return [
        NewEntry(
            "use",
            draw.balance.level_id,
            draw.balance.allocation_id,
            contact_id,
            on,
            -draw.quantity,
            None,
            description,
            note,
            source,
            ref,
            fingerprint,
        )
        for draw in draws
    ]
