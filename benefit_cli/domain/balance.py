"""A holder's balance as of a date (SPEC §1 "Balances are answered as of a date";
invariant 2).

A *holder* is a level's own (unallocated) part, or one allocation of it. Everything that
happens to a holder is an event on a date: its grant, the allocations taken out of a
level and what they give back when they end early, the ledger's entries, and its expiry.
On date D a holder is *upcoming* before its start, *current* from its start through its
last usable day, and *expired* after that; only a current holder can be used, and an
upcoming one counts in no total.

Two readings of the same events, and no other:

- **As of D** (every balance shown): the events dated up to D, a void counting from the
  day it was entered. What an expired holder still had at the end of its last day counts
  as expired from the day after, whether or not the expiry run has recorded it yet; the
  run's ``expire`` entries only make that permanent, and a ``rollover`` moves part of it
  into the next level. A balance is never shown below zero: between a back-dated use and
  the void of the use it replaces, the ledger holds both, and the holder shows 0.
- **What a use on d may draw** (consumption): the same events with voided uses and their
  voids left out — a corrected use replaces the one it voids — and never more than the
  holder keeps on every day from d to its last day, so nothing dated later (an
  allocation that starts later, a use already recorded for later) is ever overdrawn. An
  allocation that ends before its level gives back what it did not use to the level's
  own part the day after; a use of it lowers that give-back, so it may take no more than
  the own part keeps from then on (the owner may have used or allocated it already).

The SQL in ``db/balances.py`` computes the first reading for whole databases; this module
is the rule itself, which consumption uses and the tests hold the SQL to.
"""

from __future__ import annotations

import datetime as dt
from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from benefit_cli.domain.dates import ONE_DAY

UPCOMING, CURRENT, EXPIRED = "upcoming", "current", "expired"
STATUSES = (CURRENT, UPCOMING, EXPIRED)  # a type's status: the first any of its holders has

# Order of the events of one day: what expired at the end of the day before goes first
# (recorded by the run or not), then a grant, then allocations starting or giving back,
# then the ledger's other entries in the order recorded.
EXPIRY, GRANT, ALLOCATION, ENTRY = 0, 1, 2, 3


@dataclass(frozen=True)
class LevelFacts:
    id: int
    owner_id: int
    type_id: int
    quantity: int
    priority: int
    starts_on: dt.date
    last_day: dt.date  # its expiry, or the day before the membership's cancellation


@dataclass(frozen=True)
class AllocationFacts:
    id: int
    contact_id: int
    number: int
    starts_on: dt.date  # never before the level's start
    last_day: dt.date  # stop date, the level's last day, or the day before it was declined


@dataclass(frozen=True)
class EntryFacts:
    id: int
    allocation_id: int | None
    entry_on: dt.date
    kind: str  # use, void, adjust, expire, rollover
    quantity: int
    voided: bool  # a use that was voided, or a void: a pair that consumption leaves out


class Event(NamedTuple):
    day: dt.date
    order: int  # GRANT, ALLOCATION, ENTRY or EXPIRY
    tiebreak: int  # the entry's or allocation's id
    kind: str  # grant, allocate, allocation end, or an entry's kind
    quantity: int
    voided: bool = False


@dataclass(frozen=True)
class Figures:
    """A holder's figures as of a date. ``granted`` is what it was given (an allocation:
    its number, less what it gave back); ``adjusted`` counts adjustments and what rolled
    in from the level before; ``expired`` what it had left at its end — lost, or moved on
    by a rollover, which leaves these figures as they were before the run recorded it."""

    status: str
    granted: int
    allocated_out: int
    used: int
    adjusted: int
    expired: int
    remaining: int


class Placed:
    """Where a balance stands in the consumption order, and when it can be used."""

    __slots__ = ()

    level_id: int
    allocation_id: int | None
    priority: int
    starts_on: dt.date
    last_day: dt.date

    @property
    def order(self) -> tuple[int, dt.date, dt.date, int, int]:
        """Its place in the consumption order: lowest priority number, soonest last day,
        oldest start, lowest level id (the level's own part before its allocations)."""
        return (self.priority, self.last_day, self.starts_on, self.level_id, self.allocation_id or 0)

    @property
    def label(self) -> str:
        if self.allocation_id is not None:
            return f"allocation {self.allocation_id} of level {self.level_id}"
        return f"level {self.level_id}"

    def valid_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.last_day


@dataclass
class Holder(Placed):
    level_id: int
    allocation_id: int | None
    holder_id: int  # the contact who uses it
    owner_id: int  # the level's owner
    type_id: int
    priority: int
    starts_on: dt.date
    last_day: dt.date
    events: list[Event] = field(default_factory=list)  # in date order
    allocated_to_others: frozenset[int] = frozenset()  # a level's part: ids of those allocations
    # An allocation that ends before its level: the level's own part, which gets back what
    # it does not use the day after its last day.
    returns_to: Holder | None = field(default=None, repr=False, compare=False)
    # For consumption, worked out once: what it holds at the end of its last day, and the
    # last day something is added to it (before then, a use must leave room for what
    # comes later; after it, what it holds at the end is what a use may take).
    _end: int | None = field(default=None, init=False, repr=False, compare=False)
    _last_credit: dt.date | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def given(self) -> int:
        """What it was given: a level's grant, or an allocation's number."""
        return sum(
            e.quantity for e in self.events if e.kind == "grant" or (e.kind == "allocate" and e.quantity > 0)
        )

    @property
    def used(self) -> int:
        """What its uses took, less what voids gave back."""
        return -sum(e.quantity for e in self.events if e.kind in ("use", "void"))

    def status_on(self, day: dt.date) -> str:
        if day > self.last_day:
            return EXPIRED  # also one cancelled before it started
        return UPCOMING if day < self.starts_on else CURRENT

    # -- as of a date ---------------------------------------------------------------------

    def left_at_end(self) -> int:
        """What it holds at the end of its last day: every event but its closing ones."""
        return max(0, sum(e.quantity for e in self.events if not _closing(e)))

    def expiry(self) -> Event | None:
        """What expires the day after its last day that the ledger does not record yet."""
        recorded = sum(e.quantity for e in self.events if _closing(e))
        unrecorded = self.left_at_end() + recorded  # recorded is negative
        if unrecorded <= 0:
            return None
        return Event(self.last_day + ONE_DAY, EXPIRY, 0, "expire", -unrecorded)

    def timeline(self, until: dt.date) -> list[Event]:
        """Its events up to ``until``, with the expiry not yet recorded when it is past."""
        events = [e for e in self.events if e.day <= until]
        expiry = self.expiry()
        if expiry is not None and expiry.day <= until:
            events.append(expiry)
        return events

    def figures_on(self, day: dt.date) -> Figures:
        """Its figures as of ``day``. An upcoming holder shows what it will be given."""
        status = self.status_on(day)
        granted = self.given  # shown whenever it starts
        allocated_out = used = adjusted = expired = running = 0
        for event in self.timeline(day):
            running += event.quantity
            if event.kind in ("allocate", "allocation end"):
                if self.allocation_id is not None:
                    if event.kind == "allocation end":
                        granted += event.quantity  # what it gave back was not its to keep
                elif event.tiebreak in self.allocated_to_others:
                    allocated_out -= event.quantity
            elif event.kind in ("use", "void"):
                used -= event.quantity
            elif _closing(event):
                expired -= event.quantity
            elif event.kind in ("adjust", "rollover"):
                adjusted += event.quantity
        remaining = max(0, running) if status == CURRENT else 0
        return Figures(status, granted, allocated_out, used, adjusted, expired, remaining)

    # -- what a use may draw -----------------------------------------------------------------

    def available_on(self, day: dt.date) -> int:
        """What a use on ``day`` may take: the least it keeps at the end of any day from
        ``day`` to its last day, voided uses and their voids left out (0 unless current).
        Days, not entries: a use and an adjustment on the same day net out whatever order
        they were entered in. An allocation that gives back to its owner's part gives no
        more than that part keeps from the day it gets it back: the owner may have used or
        allocated it already."""
        kept = self._kept_from(day)
        if kept and self.returns_to is not None:
            kept = min(kept, self.returns_to.available_on(self.last_day + ONE_DAY))
        return kept

    def _kept_from(self, day: dt.date) -> int:
        if not self.starts_on <= day <= self.last_day:
            return 0
        if self._end is None:
            counted = [e for e in self.events if not e.voided and e.day <= self.last_day]
            self._end = sum(e.quantity for e in counted)
            self._last_credit = max((e.day for e in counted if e.quantity > 0), default=self.starts_on)
        if self._last_credit is not None and self._last_credit <= day:
            return max(0, self._end)  # nothing is added after ``day``: the end is the least
        running = 0
        least: int | None = None  # once past ``day``: the least it has held at a day's end
        last: dt.date | None = None  # the day of the event before
        for event in self.events:
            if event.voided:
                continue
            if event.day > self.last_day:
                break
            if event.day > day:
                if least is None:
                    least = running  # what it holds at the end of ``day``
                elif event.day != last:
                    least = min(least, running)  # at the end of the day before this one
            running += event.quantity
            last = event.day
        return max(0, running if least is None else min(least, running))

    def take(self, day: dt.date, quantity: int) -> None:
        """Count a use of ``quantity`` on ``day`` that is being recorded (an import draws
        many before they are written); an allocation that gives back gives that much less."""
        self._kept_from(day)  # works out the end before it changes
        insort(self.events, Event(day, ENTRY, 0, "use", -quantity))
        assert self._end is not None
        self._end -= quantity
        if self.returns_to is not None:
            self._change_give_back(self.allocation_id, quantity)  # it gives back less ...
            self.returns_to._change_give_back(self.allocation_id, -quantity)  # ... its owner gets less

    def _change_give_back(self, allocation_id: int | None, change: int) -> None:
        """Change by ``change`` this holder's event of allocation ``allocation_id`` giving back."""
        for index, event in enumerate(self.events):
            if event.kind == "allocation end" and event.tiebreak == allocation_id:
                self.events[index] = event._replace(quantity=event.quantity + change)
                if self._end is not None and event.day <= self.last_day:
                    self._end += change
                return


@dataclass(slots=True)
class Settled(Placed):
    """A holder as consumption sees it on or after the last day anything is added to it
    (``db.balance_sql.drawable_sql``): every later event only takes from it, so the least
    it keeps from any such day to its last is what it holds at the end. The usage import
    makes one per balance a chunk of rows names, with none of the events behind it."""

    level_id: int
    allocation_id: int | None
    priority: int
    starts_on: dt.date
    last_day: dt.date
    held_end: int

    def available_on(self, day: dt.date) -> int:
        return max(0, self.held_end) if self.starts_on <= day <= self.last_day else 0

    def take(self, day: dt.date, quantity: int) -> None:
        self.held_end -= quantity


def _closing(event: Event) -> bool:
    """An entry the expiry run writes the day after the last day: an expiry, or the part
    of a rollover that leaves the holder."""
    return event.kind == "expire" or (event.kind == "rollover" and event.quantity < 0)


def holders_of(
    level: LevelFacts, allocations: Sequence[AllocationFacts], entries: Iterable[EntryFacts]
) -> list[Holder]:
    """The level's own part and each allocation that took effect, with their events."""
    own = Holder(
        level.id, None, level.owner_id, level.owner_id, level.type_id, level.priority, level.starts_on,
        level.last_day,
    )  # fmt: skip
    own.events.append(Event(level.starts_on, GRANT, level.id, "grant", level.quantity))
    by_id: dict[int | None, Holder] = {None: own}
    for allocation in allocations:
        if allocation.last_day < allocation.starts_on:
            continue  # declined before it started: it never took effect
        holder = Holder(
            level.id, allocation.id, allocation.contact_id, level.owner_id, level.type_id, level.priority,
            allocation.starts_on, allocation.last_day,
        )  # fmt: skip
        holder.events.append(
            Event(allocation.starts_on, ALLOCATION, allocation.id, "allocate", allocation.number)
        )
        own.events.append(
            Event(allocation.starts_on, ALLOCATION, allocation.id, "allocate", -allocation.number)
        )
        by_id[allocation.id] = holder
    for entry in entries:
        drawn_on = by_id.get(entry.allocation_id)
        if drawn_on is None:
            continue  # an allocation that never took effect: at most a use and its void, netting out
        event = Event(entry.entry_on, ENTRY, entry.id, entry.kind, entry.quantity, entry.voided)
        drawn_on.events.append(event._replace(order=EXPIRY) if _closing(event) else event)
    for allocation in allocations:
        given = by_id.get(allocation.id)
        if given is None or allocation.last_day >= level.last_day:
            continue
        # It ended before the level: what it did not use goes back to the owner the day after.
        back = max(0, sum(e.quantity for e in given.events))
        on = allocation.last_day + ONE_DAY
        given.events.append(Event(on, ALLOCATION, allocation.id, "allocation end", -back))
        own.events.append(Event(on, ALLOCATION, allocation.id, "allocation end", back))
        given.returns_to = own
    own.allocated_to_others = frozenset(a.id for a in allocations if a.contact_id != level.owner_id)
    holders = list(by_id.values())
    for holder in holders:
        holder.events.sort()
    return holders


def type_status(statuses: Iterable[str]) -> str:
    """A contact's status for a type: current if any holder is, else upcoming, else expired."""
    present = set(statuses)
    return next(status for status in STATUSES if status in present)
