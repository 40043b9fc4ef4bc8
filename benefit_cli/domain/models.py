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


@dataclass(frozen=True)
class Allocation:
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
    def status(self) -> str:
        if self.response == "declined":
            return "declined"
        if not self.active:
            return "ended"
        return self.response or "offered"


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
