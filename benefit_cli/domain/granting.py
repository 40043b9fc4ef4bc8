"""Granting: which levels a new membership receives (SPEC §1, "Granting"; invariant 7).

A membership's levels come from the plan benefits effective on its start date, one level
per period of each rule. The levels are a snapshot: changing the plan later never
touches them, because nothing here reads anything but the rules passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from benefit_cli.domain.dates import add_months, periods, term_end
from benefit_cli.domain.models import BenefitType, Plan, PlanBenefit


@dataclass(frozen=True)
class Term:
    start_on: dt.date
    end_on: dt.date
    grace_end_on: dt.date
    anchor_on: dt.date | None = None  # where its chain began (a renewal's), else its start
    offset: int = 0  # months from the anchor to its start


@dataclass(frozen=True)
class LevelGrant:
    type_id: int
    quantity: int
    starts_on: dt.date
    expires_on: dt.date
    priority: int
    unit_value: int
    plan_benefit_id: int


def membership_term(plan: Plan, start: dt.date, anchor: dt.date | None = None, offset: int = 0) -> Term:
    """A term of ``plan`` from ``start``. A renewal's is reckoned from its chain's first
    start, ``anchor``, ``offset`` months before ``start``: a one-month membership from
    2026-01-31 renews for 2026-02-28..2026-03-30, then 2026-03-31..2026-04-29."""
    if anchor is None:
        end = term_end(start, plan.term_months)
    else:
        end = add_months(anchor, offset + plan.term_months) - dt.timedelta(days=1)
    return Term(start, end, end + dt.timedelta(days=plan.grace_days), anchor, offset)


def grants_for(
    term: Term,
    rules: Iterable[PlanBenefit],
    types: dict[int, BenefitType],
    skip_type_ids: frozenset[int] = frozenset(),
) -> list[LevelGrant]:
    """The levels a membership with ``term`` gets from ``rules``.

    Only rules effective on the start date count; subscription levels run to the grace
    end so late issues still reach the member.
    """
    grants = []
    for rule in rules:
        if not rule.effective_on(term.start_on) or rule.type_id in skip_type_ids:
            continue
        benefit_type = types[rule.type_id]
        spans = periods(term.start_on, term.end_on, rule.per, term.anchor_on, term.offset)
        for index, (begin, end) in enumerate(spans):
            if benefit_type.kind == "subscription" and index == len(spans) - 1:
                end = term.grace_end_on
            grants.append(
                LevelGrant(
                    type_id=rule.type_id,
                    quantity=rule.quantity,
                    starts_on=begin,
                    expires_on=end,
                    priority=rule.priority,
                    unit_value=benefit_type.unit_value,
                    plan_benefit_id=rule.id,
                )
            )
    return grants
