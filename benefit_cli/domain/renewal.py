"""Renewals (SPEC §1 "Renewals"): which memberships are due, and the term a renewal gets.

A membership is due when it is not cancelled, not renewed yet, and ends on or before the
run's date plus its window — so a run missed for a few days catches up. Its renewal
starts the day after it ends and keeps the chain's first start as its anchor: terms are
reckoned from there, so a membership from 2026-01-31 renews on 2027-01-31 and its monthly
periods keep the 31st where the month has one (never drifting to the 28th).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benefit_cli.domain.dates import ONE_DAY, add_months
from benefit_cli.domain.granting import Term, membership_term
from benefit_cli.domain.models import Plan

DEFAULT_WINDOW = 30  # days ahead a run renews


@dataclass(frozen=True)
class Due:
    """A membership a run may renew, with where its chain began and how deep it is."""

    membership_id: int
    contact_id: int
    plan_id: int
    start_on: dt.date
    end_on: dt.date
    anchor_on: dt.date  # the first start of its chain
    depth: int  # memberships before it in its chain


def is_due(end_on: dt.date, as_of: dt.date, window: int) -> bool:
    return end_on <= as_of + dt.timedelta(days=window)


def renewal_term(plan: Plan, due: Due) -> Term:
    """The term of the membership that renews ``due``: from the day after it ends, anchored
    on the chain's first start. Should the plan's term have changed since the chain began
    (the anchor no longer lands on that day), the renewal starts a chain of its own."""
    start = due.end_on + ONE_DAY
    offset = (due.depth + 1) * plan.term_months
    if add_months(due.anchor_on, offset) == start:
        return membership_term(plan, start, due.anchor_on, offset)
    return membership_term(plan, start)
