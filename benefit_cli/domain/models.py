"""The nouns of the domain as small immutable records.

Quantities are integers in the benefit's unit (admissions, minutes, pages, or cents for
money), so every sum is exact. Dates are ``datetime.date``; the store converts them to
and from ISO text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

UNITS = ("count", "minutes", "money", "pages")
KINDS = ("standard", "event", "subscription", "card")
PERIODS = ("term", "month", "quarter", "year")
LEVEL_SOURCES = ("plan", "product", "manual")
DEFAULT_PRIORITY = 50


@dataclass(frozen=True)
class Contact:
    id: int
    ref: str
    name: str
    kind: str
    business_id: int | None
    email: str | None
    joined_on: dt.date | None

    @property
    def label(self) -> str:
        return f'"{self.ref}" ({self.name})'


@dataclass(frozen=True)
class BenefitType:
    id: int
    code: str
    name: str
    category: str
    unit: str
    unit_value: int  # cents per unit
    kind: str
    exclusive_group: str | None
    description: str | None
    schedule: str | None
    active: bool


@dataclass(frozen=True)
class Plan:
    id: int
    code: str
    name: str
    term_months: int
    grace_days: int
    price: int  # cents


@dataclass(frozen=True)
class PlanBenefit:
    id: int
    plan_id: int
    type_id: int
    quantity: int
    per: str
    begin_on: dt.date
    end_on: dt.date | None
    priority: int = DEFAULT_PRIORITY
    associates: bool = False
    price_portion: int | None = None
    rollover_percent: int | None = None
    rollover_max: int | None = None

    def effective_on(self, day: dt.date) -> bool:
        return self.begin_on <= day and (self.end_on is None or day <= self.end_on)


@dataclass(frozen=True)
class Membership:
    id: int
    contact_id: int
    plan_id: int
    start_on: dt.date
    end_on: dt.date
    grace_end_on: dt.date
    renewed_from: int | None
    cancelled_on: dt.date | None
    renewed_by: int | None = None  # the membership that renewed it

    def status(self, today: dt.date) -> str:
        if self.cancelled_on is not None and self.cancelled_on < today:
            return "cancelled"
        if today < self.start_on:
            return "future"
        if today <= self.end_on:
            return "active"
        if today <= self.grace_end_on:
            return "grace"
        return "expired"


@dataclass(frozen=True)
class Level:
    id: int
    contact_id: int
    type_id: int
    quantity: int
    starts_on: dt.date
    expires_on: dt.date
    source: str
    priority: int
    unit_value: int
    membership_id: int | None
    plan_benefit_id: int | None
    cancelled_on: dt.date | None

    @property
    def last_day(self) -> dt.date:
        """The last day it can be used: its expiry, or its cancellation if earlier."""
        if self.cancelled_on is not None and self.cancelled_on < self.expires_on:
            return self.cancelled_on
        return self.expires_on

    def valid_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.last_day


# An allocation's life (SPEC §1): offered until its recipient answers; accepted or declined
# from the day of the answer; ended the day after an early end (``allocation end`` or a new
# card of its group) took effect; expired after its last day otherwise.
OFFERED, ACCEPTED, DECLINED, ENDED, EXPIRED = "offered", "accepted", "declined", "ended", "expired"
ALLOCATION_STATUSES = (OFFERED, ACCEPTED, DECLINED, ENDED, EXPIRED)


@dataclass(frozen=True)
class Allocation:
    """Part of a level conveyed to a contact from ``starts_on`` through ``stops_on``.

    Everything about it is dated, so its status and whether it can be used are answered
    as of a day, like a balance: a decline on D makes D-1 its last day (declined on or
    before its start, it never took effect), an end on D makes D its stop date. ``active``
    is what the row says today for someone browsing the file: not declined, and no end
    recorded (``ended_on``, the stop date an end set)."""

    id: int
    level_id: int
    contact_id: int
    number: int
    starts_on: dt.date
    stops_on: dt.date
    response: str | None
    response_on: dt.date | None
    delivered_on: dt.date | None
    comment: str | None
    active: bool
    ended_on: dt.date | None

    @property
    def declined(self) -> bool:
        return self.response == DECLINED

    @property
    def last_day(self) -> dt.date:
        """Its last usable day by its own dates: its stop date, or the day before it was
        declined (before its start if declined by then: it never took effect)."""
        if self.declined and self.response_on is not None:
            return min(self.stops_on, self.response_on - dt.timedelta(days=1))
        return self.stops_on

    def took_effect(self) -> bool:
        return self.starts_on <= self.last_day

    def status_on(self, day: dt.date, last_day: dt.date | None = None) -> str:
        """Its status on ``day``. ``last_day`` is its holder's last usable day when its
        level ends first (a cancelled membership); by default its own."""
        last = min(self.last_day, last_day) if last_day is not None else self.last_day
        answered = self.response_on is not None and self.response_on <= day
        if self.declined and answered:
            return DECLINED
        if day > last:
            return ENDED if self.ended_on is not None else EXPIRED
        return ACCEPTED if self.response == ACCEPTED and answered else OFFERED

    def usable_on(self, day: dt.date) -> bool:
        """Whether it can be drawn from on ``day`` (its level's own dates aside)."""
        return self.starts_on <= day <= self.last_day


class NewEntry(NamedTuple):
    """A line to append to the ledger (invariant 3: nothing appended is changed). Quantities
    are signed: a use takes (negative), a void gives back what its use took."""

    kind: str  # use, void, adjust, expire, rollover
    level_id: int
    allocation_id: int | None
    contact_id: int
    entry_on: str  # ISO date
    quantity: int
    voids_id: int | None
    description: str | None
    note: str | None
    source: str
    ref: str | None
    fingerprint: str | None
