"""Expiry and rollover (SPEC §1 "Expiry and rollover").

What a holder still had at the end of its last day is lost from the day after; the
expiry run records it as an ``expire`` entry dated that day. Where the level's plan
benefit rolls over, P% of it (rounded up, at most the cap) moves instead into the same
owner's next level of the type — the next month's, or the renewal's first — as a
``rollover`` pair, and only the rest expires. An allocation's unused part never rolls
over. If the next level does not exist yet, the holder waits for a later run (the one
after the renewal), which dates the entries the same way. Balances count the loss from
that day either way (``domain/balance.py``); the run only makes it permanent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benefit_cli.domain.models import NewEntry

SOURCE = "run"
EXPIRED = "Expired unused"  # what the member reads of an expiry


@dataclass(frozen=True)
class Left:
    """A holder past its last day with something the ledger has not recorded as lost."""

    level_id: int
    allocation_id: int | None
    type_id: int
    contact_id: int  # who held it
    on: dt.date  # the day after its last day
    amount: int
    rollover_percent: int | None  # of its plan benefit, for a level's own part
    rollover_max: int | None
    next_level_id: int | None  # the owner's level of the type that starts on ``on``
    renewal_pending: bool  # that level may still come (a renewal not made yet)


def rolled_over(amount: int, percent: int, most: int | None) -> int:
    """P% of what was left, rounded up, at most ``most``."""
    moved = -(-amount * percent // 100)
    return moved if most is None else min(moved, most)


def closing_entries(left: Left, rolled_in: int = 0) -> list[NewEntry] | None:
    """The entries the run writes for a holder — which got ``rolled_in`` more from a level
    closed in the same breath — or None while its rollover must wait."""
    amount = left.amount + rolled_in
    if amount <= 0:
        return []
    on = left.on.isoformat()
    moved = 0
    if left.allocation_id is None and left.rollover_percent:
        if left.next_level_id is not None:
            moved = rolled_over(amount, left.rollover_percent, left.rollover_max)
        elif left.renewal_pending:
            return None
    entries: list[NewEntry] = []
    if moved:
        entries += [
            NewEntry("rollover", left.level_id, None, left.contact_id, on, -moved, None,
                     f"Carried over to level {left.next_level_id}", None, SOURCE, None, None),
            NewEntry("rollover", left.next_level_id or 0, None, left.contact_id, on, moved, None,
                     f"Carried over from level {left.level_id}", None, SOURCE, None, None),
        ]  # fmt: skip
    if amount > moved:
        entries.append(
            NewEntry("expire", left.level_id, left.allocation_id, left.contact_id, on, moved - amount,
                     None, EXPIRED, None, SOURCE, None, None)
        )  # fmt: skip
    return entries
