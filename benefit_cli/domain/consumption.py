"""Who may use what, and in which order balances are drawn (invariant 2).

A contact may draw from the unallocated part of levels it owns, allocations made to it,
levels it is a delegate of, and levels of its business shared with associates (SPEC
"Who may use what"). A use draws from those current on its date: lowest priority number
first, then soonest last day, then oldest start, then lowest id; it may span several
balances, and takes from each no more than ``Holder.available_on`` its date allows, so
no balance goes below zero on any day. What one use takes from an allocation that ends
before its level is that much less given back to the level's own part (``returns_to``):
the use counts it before it draws from that part (``_Promised``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from benefit_cli.domain.balance import Holder, Settled
from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.models import NewEntry

Drawable = Holder | Settled  # a balance with all its events, or summed up for an import


B = TypeVar("B", Holder, Settled)


class Draw(NamedTuple):
    """What one use takes from one balance (a tuple: an import makes a million)."""

    balance: Drawable
    quantity: int
    left: int  # what that balance may still give on the day, after this draw


class Overdraw(Exception):
    """Not enough balance: carries each balance usable on the date with what it may give."""

    def __init__(self, wanted: int, available: Sequence[tuple[Drawable, int]]) -> None:
        super().__init__(wanted)
        self.wanted = wanted
        self.available = list(available)

    @property
    def total(self) -> int:
        return sum(left for _, left in self.available)


def draw_order(balances: Iterable[B], day: dt.date) -> list[B]:
    """The balances current on ``day``, in consumption order (empty ones included)."""
    return sorted((b for b in balances if b.valid_on(day)), key=lambda b: b.order)


def available(balances: Iterable[Drawable], day: dt.date) -> int:
    """What a use on ``day`` may take in all, over ``balances``."""
    ordered = sorted(balances, key=lambda b: b.order)
    return sum(left for _, left in _each_available(ordered, day))


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
    # Nothing is promised before the first draw, and most uses need only one balance:
    # the promises are kept only once a use spans several (an import draws a million).
    promised: _Promised | None = None
    for balance in ordered:
        if not balance.starts_on <= day <= balance.last_day:
            continue
        can = balance.available_on(day) if promised is None else promised.can(balance, day)
        if can > 0:
            take = left if left < can else can
            draws.append(_new(Draw, (balance, take, can - take)))  # Draw(...), without its __new__
            left -= take
            if left == 0:
                return draws
            if promised is None:
                promised = _Promised()
            promised.promise(balance, take)
    raise Overdraw(quantity, _each_available(ordered, day))


def _each_available(ordered: Sequence[Drawable], day: dt.date) -> list[tuple[Drawable, int]]:
    """Each balance current on ``day`` with what a use taking all it can would draw from
    it, in order, leaving out those with nothing."""
    found = []
    promised = _Promised()
    for balance in ordered:
        if balance.valid_on(day):
            can = promised.can(balance, day)
            if can > 0:
                found.append((balance, can))
                promised.promise(balance, can)
    return found


class _Promised:
    """Within one use, what draws from allocations that give back to a level's own part
    have taken from that part's future: each (the day it gets back, how much less)."""

    def __init__(self) -> None:
        self.parts: dict[int, list[tuple[dt.date, int]]] = {}

    def can(self, balance: Drawable, day: dt.date) -> int:
        can = balance.available_on(day)
        if can and id(balance) in self.parts:
            can = min(can, self._room(balance, day))
        owner = getattr(balance, "returns_to", None)
        if can and owner is not None and id(owner) in self.parts:
            can = min(can, self._room(owner, balance.last_day + ONE_DAY))
        return can

    def promise(self, balance: Drawable, quantity: int) -> None:
        owner = getattr(balance, "returns_to", None)
        if owner is not None:
            self.parts.setdefault(id(owner), []).append((balance.last_day + ONE_DAY, quantity))

    def _room(self, part: Drawable, day: dt.date) -> int:
        """What ``part`` keeps from ``day`` on with the promises taken off from their days."""
        promised = self.parts[id(part)]
        least = part.available_on(day) - sum(q for back, q in promised if back <= day)
        for back, _ in promised:
            if back > day:
                least = min(least, part.available_on(back) - sum(q for b, q in promised if b <= back))
        return max(0, least)


#: The columns of a use's ledger line, as ``use_rows`` gives them: a ``NewEntry``'s but its
#: kind ("use") and ``voids_id`` (a use voids nothing).
USE_COLUMNS = tuple(name for name in NewEntry._fields if name not in ("kind", "voids_id"))
UseRow = tuple[int, int | None, int, str, int, str | None, str | None, str, str, str]


def use_rows(
    draws: Sequence[Draw],
    contact_id: int,
    on: str,
    description: str | None,
    note: str | None,
    source: str,
    ref: str,
    fingerprint: str,
) -> list[UseRow]:
    """The ledger lines of one use on ``on`` (ISO), one per balance it draws from, all under
    its ``ref``, in ``USE_COLUMNS`` — the one way a use is written, by ``use``, ``usage
    bulk`` and imports. Plain tuples: an import makes a million, and sends them as they
    are to the process that writes them."""
    return [
        (
            draw.balance.level_id,
            draw.balance.allocation_id,
            contact_id,
            on,
            -draw.quantity,
            description,
            note,
            source,
            ref,
            fingerprint,
        )
        for draw in draws
    ]


def use_entry(row: UseRow) -> NewEntry:
    """A line of ``use_rows`` as a ``NewEntry``: its columns, the kind and no ``voids_id``."""
    columns: dict[str, Any] = dict(zip(USE_COLUMNS, row, strict=True))
    return NewEntry(kind="use", voids_id=None, **columns)


_new = tuple.__new__
