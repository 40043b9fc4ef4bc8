"""Effective-dated plan benefits (invariant 6).

Rules of the same plan and benefit type never overlap in time. Adding a rule after an
open-ended one closes the old one the day before the new one begins; any other overlap
is refused, naming the rule it would overlap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.models import PlanBenefit


@dataclass(frozen=True)
class Closure:
    rule_id: int
    end_on: dt.date


def _overlaps(a_begin: dt.date, a_end: dt.date | None, b_begin: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_begin <= b_end) and (a_end is None or b_begin <= a_end)


def describe(rule: PlanBenefit) -> str:
    until = rule.end_on.isoformat() if rule.end_on else "open-ended"
    return f"rule {rule.id} ({rule.quantity} per {rule.per}, {rule.begin_on.isoformat()} to {until})"


def place_rule(
    existing: Sequence[PlanBenefit], begin_on: dt.date, end_on: dt.date | None, label: str
) -> Closure | None:
    """Check a new rule ``begin_on..end_on`` against the ``existing`` rules of its plan and
    type; return the open-ended rule it closes, if any, or raise ``Invalid``."""
    if end_on is not None and end_on < begin_on:
        raise Invalid(f"The end date {end_on} is before the begin date {begin_on}.")
    closure = None
    for rule in existing:
        if rule.end_on is None and rule.begin_on < begin_on:
            closure = Closure(rule.id, begin_on - ONE_DAY)
            continue
        if _overlaps(rule.begin_on, rule.end_on, begin_on, end_on):
            raise Invalid(
                f"The new {label} rule from {begin_on} overlaps {describe(rule)}; "
                f"begin it after {rule.end_on or rule.begin_on} or end that rule first "
                "with: benefit plan benefit end."
            )
    return closure


def rule_to_end(existing: Sequence[PlanBenefit], on: dt.date, label: str) -> PlanBenefit:
    """The rule that ``plan benefit end --on`` closes: the one in force on ``on``."""
    for rule in existing:
        if rule.effective_on(on):
            return rule
    raise Invalid(f"No {label} rule is in force on {on}, so there is nothing to end on that date.")
