"""Granting (domain/granting.py): a membership term, and the levels the rules effective on its
start date give, one per period; subscriptions run to the grace end. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import MONTHLY_FROM_JAN_31, rule

from benefit_cli.domain.granting import grants_for, membership_term
from benefit_cli.domain.models import BenefitType, Plan

D = dt.date.fromisoformat

GUESTPASS, ADMIT, MAGAZINE, ROOM = 1, 2, 3, 4


def benefit_type(type_id: int, code: str, unit: str = "count", kind: str = "standard",
                 unit_value: int = 0) -> BenefitType:
    return BenefitType(type_id, code, code.title(), "c", unit, unit_value, kind, None, None, None,
                       True)


TYPES = {
    GUESTPASS: benefit_type(GUESTPASS, "GUESTPASS", unit_value=1800),
    ADMIT: benefit_type(ADMIT, "ADMIT", unit_value=1200),
    MAGAZINE: benefit_type(MAGAZINE, "MAGAZINE", kind="subscription"),
    ROOM: benefit_type(ROOM, "ROOM", unit="minutes"),
}
PLAN = Plan(1, "IND", "Individual", 12, 30, 6500)

EFFECTIVE_DATED = [
    rule(1, "2026-01-01", "2026-06-30", quantity=4, type_id=GUESTPASS),
    rule(2, "2026-07-01", None, quantity=6, type_id=GUESTPASS),
    rule(3, "2025-01-01", "2026-08-31", quantity=10, type_id=ADMIT),
    rule(4, "2026-09-01", None, quantity=12, type_id=ADMIT),
]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-12-31", [(ADMIT, 10, 3)]),
        ("2026-01-01", [(GUESTPASS, 4, 1), (ADMIT, 10, 3)]),
        ("2026-03-01", [(GUESTPASS, 4, 1), (ADMIT, 10, 3)]),
        ("2026-06-30", [(GUESTPASS, 4, 1), (ADMIT, 10, 3)]),
        ("2026-07-01", [(GUESTPASS, 6, 2), (ADMIT, 10, 3)]),
        ("2026-08-31", [(GUESTPASS, 6, 2), (ADMIT, 10, 3)]),
        ("2026-09-01", [(GUESTPASS, 6, 2), (ADMIT, 12, 4)]),
    ],
)
def test_only_rules_effective_on_the_start_date_are_granted(start, expected):
    term = membership_term(PLAN, D(start))
    grants = grants_for(term, EFFECTIVE_DATED, TYPES)
    assert sorted((g.type_id, g.quantity, g.plan_benefit_id) for g in grants) == sorted(expected)
    for grant in grants:
        assert (grant.starts_on, grant.expires_on) == (term.start_on, term.end_on)


def test_a_membership_term_ends_before_the_anniversary_and_grace_follows():
    term = membership_term(PLAN, D("2026-01-31"))
    assert (term.start_on, term.end_on, term.grace_end_on) == (
        D("2026-01-31"), D("2027-01-30"), D("2027-03-01"))


def test_a_monthly_rule_gives_one_level_per_month_of_the_term():
    monthly = [rule(9, "2026-01-01", None, quantity=300, type_id=ROOM, per="month")]
    grants = grants_for(membership_term(PLAN, D("2026-01-31")), monthly, TYPES)
    assert [(g.starts_on, g.expires_on) for g in grants] == [
        (D(a), D(b)) for a, b in MONTHLY_FROM_JAN_31]
    assert {g.quantity for g in grants} == {300}
    assert {g.plan_benefit_id for g in grants} == {9}


@pytest.mark.parametrize(
    ("per", "count"), [("term", 1), ("month", 12), ("quarter", 4), ("year", 1)]
)
def test_a_rule_gives_one_level_per_period(per, count):
    grants = grants_for(membership_term(PLAN, D("2026-02-15")),
                        [rule(1, "2026-01-01", None, type_id=ADMIT, per=per)], TYPES)
    assert len(grants) == count


@pytest.mark.parametrize("per", ["term", "month", "quarter"])
def test_subscription_levels_run_to_the_grace_end(per):
    term = membership_term(PLAN, D("2026-01-01"))
    rules = [rule(1, "2026-01-01", None, type_id=MAGAZINE, per=per),
             rule(2, "2026-01-01", None, type_id=ADMIT, per=per)]
    grants = grants_for(term, rules, TYPES)
    magazine = [g for g in grants if g.type_id == MAGAZINE]
    admit = [g for g in grants if g.type_id == ADMIT]
    assert magazine[-1].expires_on == term.grace_end_on == D("2027-01-30")
    assert max(g.expires_on for g in admit) == term.end_on == D("2026-12-31")
    assert all(g.starts_on <= g.expires_on for g in grants)


def test_a_grant_carries_the_rules_priority_and_the_types_unit_value():
    grants = grants_for(membership_term(PLAN, D("2026-03-01")),
                        [rule(7, "2026-01-01", None, quantity=2, type_id=GUESTPASS, priority=10)],
                        TYPES)
    assert [(g.priority, g.unit_value, g.plan_benefit_id) for g in grants] == [(10, 1800, 7)]


def test_skipped_types_are_not_granted():
    rules = [rule(1, "2026-01-01", None, type_id=MAGAZINE),
             rule(2, "2026-01-01", None, type_id=ADMIT)]
    grants = grants_for(membership_term(PLAN, D("2026-03-01")), rules, TYPES,
                        skip_type_ids=frozenset({MAGAZINE}))
    assert [g.type_id for g in grants] == [ADMIT]
